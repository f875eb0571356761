import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../protocol/models';
import { useWorkbench } from './index';

const model = (id: string, name: string): ModelInfo => ({
  id,
  lab: 'train',
  family: 'vgg16',
  name,
  params: 1234,
  macs: 56789,
  metric: { name: 'test accuracy', value: 0.5 },
  dataset: 'builtin',
  datasetName: 'Shapes & textures (built-in)',
  classNames: ['a', 'b'],
  inputSize: { height: 32, width: 32 },
  normalization: null,
  provenance: { runId: 'train-x', steps: 4, seed: 1 },
  createdAt: 1,
  bytes: 100,
});

describe('the model library in the store', () => {
  it('starts empty and not loaded, and a models event replaces the list (newest first, as the worker sends it)', () => {
    expect(useWorkbench.getState().models).toEqual([]);
    expect(useWorkbench.getState().modelsLoaded).toBe(false);
    useWorkbench.getState().applyEvents([{ type: 'models', list: [model('m-b', 'second'), model('m-a', 'first')] }]);
    expect(useWorkbench.getState().modelsLoaded).toBe(true);
    expect(useWorkbench.getState().models.map((m) => m.name)).toEqual(['second', 'first']);
    useWorkbench.getState().applyEvents([{ type: 'models', list: [model('m-a', 'first')] }]);
    expect(useWorkbench.getState().models.map((m) => m.id)).toEqual(['m-a']);
  });

  it('leaves the runs untouched', () => {
    const runs = useWorkbench.getState().runs;
    useWorkbench.getState().applyEvents([{ type: 'models', list: [] }]);
    expect(useWorkbench.getState().runs).toBe(runs);
    expect(useWorkbench.getState().models).toEqual([]);
  });

  it('navigates: a run’s model link opens the Data tab on its row; "Open in Prune" opens the Prune lab with the model to evaluate', () => {
    const s = useWorkbench.getState();
    s.showModel('m-a');
    const a = useWorkbench.getState();
    expect(a.modelFocus?.id).toBe('m-a');
    expect(a.tabRequest).toMatchObject({ tab: 'data', scrollTo: null });
    s.evaluateModel('m-b');
    const b = useWorkbench.getState();
    expect(b.modelToEvaluate?.id).toBe('m-b');
    expect(b.tabRequest).toMatchObject({ tab: 'prune', scrollTo: 'prune.load.panel' });
    expect(b.tabRequest!.nonce).toBeGreaterThan(a.tabRequest!.nonce);
    s.requestTab('segment', 'seg.viewer');
    expect(useWorkbench.getState().tabRequest).toMatchObject({ tab: 'segment', scrollTo: 'seg.viewer' });
    // The same request twice is two requests (the App shell acts on each).
    const n = useWorkbench.getState().tabRequest!.nonce;
    s.requestTab('segment', 'seg.viewer');
    expect(useWorkbench.getState().tabRequest!.nonce).not.toBe(n);
  });
});
