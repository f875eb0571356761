import { describe, expect, it } from 'vitest';
import type { DatasetInfo } from '../protocol/datasets';
import { divergence, divergenceContext, runDivergence } from './divergence';
import type { Series } from './types';

/** A series at steps 1, 2, 3… (or the given steps). */
const s = (values: number[], steps = values.map((_, i) => i + 1)): Series => ({ steps, values });

const dataset = (over: Partial<DatasetInfo>): DatasetInfo => ({
  id: 'shapes',
  name: 'Shapes',
  kind: 'builtin',
  classNames: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
  trainCount: 5000,
  testCount: 1000,
  height: 32,
  width: 32,
  bytes: 0,
  source: 'built in',
  createdAt: 0,
  ...over,
});

describe('divergence: losses', () => {
  it('a healthy falling loss, noisy per batch, is not diverged', () => {
    // Per-batch noise of a batch of 4: spikes to 3.1 after a minimum of 0.01 (means of 5 stay below 100 × 0.01 = 1).
    const loss = [2.3, 2.2, 2.0, 1.5, 1.0, 0.5, 0.1, 0.02, 0.01, 0.01, 0.01, 0.01, 3.1, 0.02, 0.01];
    expect(divergence({ 'train.loss': s(loss), 'test.loss': s([2.2, 0.4, 0.3], [5, 10, 15]) })).toBeNull();
  });

  it('a NaN or Infinity in the training or test loss is diverged at its step', () => {
    expect(divergence({ 'train.loss': s([2.3, 2.1, NaN, 2.0]) })).toBe('The training loss became NaN at step 3.');
    expect(divergence({ 'train.loss': s([2.3, Infinity]) })).toBe('The training loss became Infinity at step 2.');
    expect(divergence({ 'train.loss': s([2.3, 2.1]), 'test.loss': s([2.2, -Infinity], [10, 20]) })).toBe('The test loss became -Infinity at step 20.');
  });

  it('the training loss (mean of the last 5) at 100× its lowest mean is diverged', () => {
    // Means of the last ≤5: 2, 2, 2, 2, 2 (lowest 2), then (2·4 + 1000) / 5 = 201.6 ≥ 100 × 2 at step 6.
    expect(divergence({ 'train.loss': s([2, 2, 2, 2, 2, 1000]) })).toBe('The training loss rose to 202 (mean of the last 5) at step 6, 100× its lowest 2.');
    // (2·4 + 990) / 5 = 199.6 < 200: not yet.
    expect(divergence({ 'train.loss': s([2, 2, 2, 2, 2, 990]) })).toBeNull();
  });

  it('the lowest loss counts from 0.01 at least: 1e-4 → 0.5 is not a divergence, 1e-4 → ≥1 is', () => {
    expect(divergence({ 'test.loss': s([1e-4, 0.5], [10, 20]) })).toBeNull();
    expect(divergence({ 'test.loss': s([2.3, 1e-4, 1], [10, 20, 30]) })).toBe('The test loss rose to 1 at step 30, 100× its lowest 1.0e-4.');
  });

  it("the issue's lr-1 run: test loss to 1e5 is diverged", () => {
    expect(divergence({ 'train.loss': s([2.3, 2.4, 2.5]), 'test.loss': s([2.5, 40, 1e5], [50, 100, 150]) })).toBe(
      'The test loss rose to 1.0e+5 at step 150, 100× its lowest 2.5.',
    );
  });
});

describe('divergence: chance', () => {
  it('the latest two evaluations below chance (1/10) are diverged; one alone, or unknown classes, are not', () => {
    const acc = s([0.3, 0.08, 0.07], [10, 20, 30]);
    expect(divergence({ 'test.acc': acc }, { classes: 10 })).toBe(
      'The test accuracy stayed below chance (10.0% for 10 classes) for the last 2 evaluations: 8.0%, 7.0%.',
    );
    expect(divergence({ 'test.acc': s([0.08], [10]) }, { classes: 10 })).toBeNull();
    expect(divergence({ 'test.acc': s([0.08, 0.3], [10, 20]) }, { classes: 10 })).toBeNull();
    expect(divergence({ 'test.acc': acc })).toBeNull();
    expect(divergence({ 'test.acc': acc }, { classes: null })).toBeNull();
  });

  it('with the test size known, only accuracies more than two standard errors under chance count', () => {
    // 1000 test images, chance 0.1: limit 0.1 − 2·√(0.1·0.9/1000) = 0.1 − 0.01897 = 0.0810.
    expect(divergence({ 'test.acc': s([0.085, 0.082]) }, { classes: 10, testSize: 1000 })).toBeNull();
    expect(divergence({ 'test.acc': s([0.08, 0.079]) }, { classes: 10, testSize: 1000 })).not.toBeNull();
    // 16 test images: limit 0.1 − 2·0.075 < 0, so even 0% twice is not a divergence.
    expect(divergence({ 'test.acc': s([0, 0]) }, { classes: 10, testSize: 16 })).toBeNull();
  });
});

describe('divergenceContext', () => {
  it('reads the classes from the dataset list by the config id, and the test size capped by the dataset', () => {
    const list = [dataset({}), dataset({ id: 'ds-c100', classNames: Array.from({ length: 20 }, String), testCount: 300 })];
    expect(divergenceContext({ dataset: 'shapes', testSize: 500 }, list)).toEqual({ classes: 10, testSize: 500 });
    expect(divergenceContext({ dataset: 'ds-c100', testSize: 1000 }, list)).toEqual({ classes: 20, testSize: 300 });
    expect(divergenceContext({ dataset: 'ds-gone', testSize: 1000 }, list)).toEqual({ classes: null });
    expect(divergenceContext({ dataset: 'streets' }, [dataset({ id: 'streets', task: 'segment' })])).toEqual({ classes: null });
  });

  it("runDivergence applies the chance rule of the run's dataset", () => {
    const run = { config: { dataset: 'shapes', testSize: 1000 }, series: { 'test.acc': s([0.05, 0.04], [50, 100]) } };
    expect(runDivergence(run, [dataset({})])).toMatch(/below chance \(10\.0% for 10 classes\)/);
    expect(runDivergence(run, [])).toBeNull();
  });
});
