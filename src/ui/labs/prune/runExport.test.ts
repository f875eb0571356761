import { describe, expect, it } from 'vitest';
import { PRUNE_LAB, TRAIN_LAB } from '../../../protocol';
import type { RunRecord } from '../../../store';
import { methodHyperparams, runFileBase, runToCsv, runToJson } from './runExport';

function record(over: Partial<RunRecord<'prune'>> = {}): RunRecord<'prune'> {
  return {
    id: 'run-7',
    lab: 'prune',
    config: { ...PRUNE_LAB.defaults(), method: 'rgsm', lambda1: 0.01, lambda2: 1e-5, beta: 1 },
    status: 'done',
    startedAt: 1_700_000_000_000,
    endedAt: 1_700_000_060_000,
    datasetName: 'Shapes',
    stepsDone: 4,
    params: 1000,
    error: null,
    series: {
      'train.loss': { steps: [1, 2, 3, 4], values: [2.5, 2, 1.5, 1.25] },
      'test.acc': { steps: [2, 4], values: [0.25, 0.5] },
      'sparsity.channel': { steps: [4, 2], values: [0.25, 0.125] },
      'test.loss': { steps: [], values: [] },
    },
    hpChanges: [{ step: 3, key: 'lambda1', from: 0.01, to: 0.02 }],
    extras: {},
    attachments: {},
    ...over,
  };
}

describe('runToCsv', () => {
  it('writes one row per step with any value, series columns sorted, empty cells where a series has none', () => {
    expect(runToCsv(record())).toBe(['step,sparsity.channel,test.acc,train.loss', '1,,,2.5', '2,0.125,0.25,2', '3,,,1.5', '4,0.25,0.5,1.25', ''].join('\n'));
  });

  it('gives only the header for a run without metrics', () => {
    expect(runToCsv(record({ series: {} }))).toBe('step\n');
  });

  it('keeps the column order independent of the order series were recorded in', () => {
    const a = record();
    const b = record({ series: Object.fromEntries(Object.entries(a.series).reverse()) });
    expect(runToCsv(b)).toBe(runToCsv(a));
  });
});

describe('runToJson', () => {
  it('round-trips the whole record', () => {
    const r = record();
    const text = runToJson(r);
    expect(text).toContain('\n  "id": "run-7"');
    expect(JSON.parse(text)).toEqual(r);
  });
});

describe('labels', () => {
  it('names the knobs of the method and a safe file base', () => {
    expect(methodHyperparams(record())).toBe('λ1 0.01, λ2 1e-5, β 1');
    expect(methodHyperparams(record({ config: { ...PRUNE_LAB.defaults(), method: 'gl-prox', lambdaGL: 1e-4 } }))).toBe('λ_GL 1e-4');
    const train: RunRecord<'train'> = { ...record(), lab: 'train', config: TRAIN_LAB.defaults(), attachments: {} };
    expect(methodHyperparams(train)).toBe('');
    expect(runFileBase(record({ id: 'a b/c' }))).toBe('prune-rgsm-vgg16-a_b_c');
  });
});
