import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../protocol/events';
import { appendPoints, applyRunEvent } from './liveRunsSlice';
import { sameItems, selectHpChanges, selectLast, selectSeries } from './selectors';
import type { RunState, WorkbenchState } from './types';

const run = (): RunState<'train'> =>
  ({
    id: 'r1',
    lab: 'train',
    config: {},
    status: 'running',
    progress: null,
    series: { 'train.loss': { steps: [1, 2], values: [2.3, 2.1] }, 'test.acc': { steps: [2], values: [0.25] } },
    hpChanges: [],
    params: null,
    error: null,
    startedAt: 0,
    extras: {},
  }) as unknown as RunState<'train'>;

const stateOf = (r: RunState<'train'> | null) => ({ runs: { train: r } }) as unknown as WorkbenchState;

const metrics = (series: string, steps: number[], values: number[]) =>
  ({ type: 'metrics', runId: 'r1', batches: [{ series, steps, values }] }) as unknown as EngineEvent;

describe('per-chart selectors', () => {
  it("keep a chart's selection identical when an event only changes other series", () => {
    const before = run();
    const after = applyRunEvent(before, metrics('train.loss', [3], [2.0]));
    const accChart = selectSeries('train', ['test.acc']);
    const lossChart = selectSeries('train', ['train.loss', 'test.loss']);
    expect(sameItems(accChart(stateOf(before)), accChart(stateOf(after)))).toBe(true);
    expect(sameItems(lossChart(stateOf(before)), lossChart(stateOf(after)))).toBe(false);
    expect(lossChart(stateOf(after))[0]).toEqual({ steps: [1, 2, 3], values: [2.3, 2.1, 2.0] });
    expect(lossChart(stateOf(after))[1]).toBeUndefined();
  });

  it('read the latest value of a series and the markers, with one shared empty list before a run', () => {
    const r = applyRunEvent(run(), metrics('test.acc', [4], [0.5]));
    expect(selectLast('train', 'test.acc')(stateOf(r))).toBe(0.5);
    expect(selectLast('train', 'test.loss')(stateOf(r))).toBeUndefined();
    expect(selectHpChanges('train')(stateOf(null))).toBe(selectHpChanges('train')(stateOf(null)));
    expect(selectHpChanges('train')(stateOf(null))).toEqual([]);
  });

  it('append points as a new Series object over arrays grown in place, event after event', () => {
    let r = run();
    const untouched = r.series['test.acc'];
    const n = 20_000;
    let replaced = 0; // counted, not asserted per event: a failing-side toBe compares deeply (O(length) per call)
    for (let step = 3; step < n + 3; step++) {
      const before = r.series['train.loss'];
      r = applyRunEvent(r, metrics('train.loss', [step], [1 / step]));
      if (r.series['train.loss'] !== before) replaced++;
    }
    expect(replaced).toBe(n);
    const loss = r.series['train.loss']!;
    expect(loss.steps.length).toBe(n + 2);
    expect(loss.steps.slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(loss.values[n + 1]).toBe(1 / (n + 2));
    expect(r.series['test.acc']).toBe(untouched);
    // A new series copies the event's arrays (never aliases them); several points at once keep their order.
    const steps = [5, 6];
    const s = appendPoints(undefined, steps, [0.1, 0.2]);
    steps.push(7);
    expect(s).toEqual({ steps: [5, 6], values: [0.1, 0.2] });
    expect(appendPoints(s, [7, 8], [0.3, 0.4])).toEqual({ steps: [5, 6, 7, 8], values: [0.1, 0.2, 0.3, 0.4] });
  });

  it('compare selections item by item', () => {
    const a = { steps: [1], values: [1] };
    expect(sameItems([a, undefined], [a, undefined])).toBe(true);
    expect(sameItems([a], [{ ...a }])).toBe(false);
    expect(sameItems([a], [a, a])).toBe(false);
  });
});
