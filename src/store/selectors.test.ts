import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../protocol/events';
import { applyRunEvent } from './liveRunsSlice';
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

  it('compare selections item by item', () => {
    const a = { steps: [1], values: [1] };
    expect(sameItems([a, undefined], [a, undefined])).toBe(true);
    expect(sameItems([a], [{ ...a }])).toBe(false);
    expect(sameItems([a], [a, a])).toBe(false);
  });
});
