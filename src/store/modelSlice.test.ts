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
});
