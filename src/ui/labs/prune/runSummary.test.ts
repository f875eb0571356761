import { describe, expect, it } from 'vitest';
import { PRUNE_LAB } from '../../../protocol';
import type { RunRecord } from '../../../store';
import { runSummary } from './runSummary';
import { COMPACTION_FIXTURE as compaction } from '../../../store/legacyRuns.fixture';

function record(over: Partial<RunRecord<'prune'>> = {}): RunRecord<'prune'> {
  return {
    id: 'r1',
    lab: 'prune',
    config: { ...PRUNE_LAB.defaults(), method: 'rgsm' },
    status: 'done',
    startedAt: 1_700_000_000_000,
    endedAt: 1_700_000_060_000,
    datasetName: 'CIFAR-10',
    stepsDone: 200,
    params: 1_000_000,
    error: null,
    series: {
      'train.loss': { steps: [1, 2, 3], values: [2.3, 2.1, 1.9] },
      'test.acc': { steps: [100, 200], values: [0.41, 0.62] },
      'test.accW': { steps: [100, 200], values: [0.43, 0.65] },
      'test.accURecal': { steps: [100, 200], values: [0.45, 0.64] },
      'sparsity.channel': { steps: [50, 100, 150, 200], values: [0, 0.1, 0.3, 0.375] },
      'sparsity.weight': { steps: [50, 100, 150, 200], values: [0, 0.12, 0.31, 0.4] },
    },
    hpChanges: [{ step: 120, key: 'lambda1', from: 0.01, to: 0.02 }],
    extras: {},
    attachments: { compaction },
    ...over,
  };
}

describe('runSummary', () => {
  it('takes the last value of each series, the params and the compaction figures', () => {
    expect(runSummary(record())).toEqual({
      testAccuracy: 0.62,
      testAccuracyW: 0.65,
      testAccuracyURecal: 0.64,
      channelSparsity: 0.375,
      weightSparsity: 0.4,
      params: 1_000_000,
      compactParams: 400_000,
      compactMacs: 15_000_000,
      denseMacs: 40_000_000,
      steps: 200,
    });
  });

  it('gives nulls for missing series and no compaction', () => {
    const r = record({ series: { 'train.loss': { steps: [1, 7], values: [2, 1] } }, params: null, stepsDone: 7, attachments: {} });
    expect(runSummary(r)).toEqual({
      testAccuracy: null,
      testAccuracyW: null,
      testAccuracyURecal: null,
      channelSparsity: null,
      weightSparsity: null,
      params: null,
      compactParams: null,
      compactMacs: null,
      denseMacs: null,
      steps: 7,
    });
  });
});
