import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { create } from 'zustand';
import { defaultConfig } from '../protocol/config';
import type { CompactionReport } from '../protocol/prune';
import { openRunHistory, RUN_DB_NAME, summarizeRun } from './runHistory';
import type { RunRecord } from './runRecord';
import type { RunState } from './runSlice';
import { createRunsSlice, type RunsSlice } from './runsSlice';

function runState(over: Partial<RunState> = {}): RunState {
  return {
    id: 'r1',
    lab: 'prune',
    config: { ...defaultConfig(), method: 'rgsm' },
    status: 'done',
    progress: { step: 200, totalSteps: 200, epoch: 3, etaSeconds: 0, stepsPerSecond: 5, imagesPerSecond: 160, phase: 'training' },
    series: {
      'train.loss': { steps: [1, 2, 3], values: [2.3, 2.1, 1.9] },
      'test.acc': { steps: [100, 200], values: [0.41, 0.62] },
      'test.accW': { steps: [100, 200], values: [0.43, 0.65] },
      'sparsity.channel': { steps: [50, 100, 150, 200], values: [0, 0.1, 0.3, 0.375] },
      'sparsity.weight': { steps: [50, 100, 150, 200], values: [0, 0.12, 0.31, 0.4] },
    },
    hpChanges: [{ step: 120, key: 'lambda1', from: 0.01, to: 0.02 }],
    params: 1_000_000,
    error: null,
    startedAt: 1_700_000_000_000,
    layers: null,
    layerHistory: {
      names: ['c1', 'c2'],
      steps: [100, 200],
      rows: [
        [0, 0.2],
        [0.25, 0.5],
      ],
    },
    ...over,
  };
}

const compaction: CompactionReport = {
  runId: 'r1',
  before: { params: 1_000_000, macs: 40_000_000, latencyMs: 3 },
  after: { params: 400_000, macs: 15_000_000, latencyMs: 1.5 },
  maxAbsDiff: 1e-6,
  batchSize: 32,
  layers: [{ name: 'c1', before: 16, after: 12 }],
  testAccuracy: 0.62,
  backend: 'cpu',
};

function record(id: string, startedAt: number): RunRecord {
  return summarizeRun(runState({ id, startedAt }), { datasetName: 'Shapes', compaction: null, endedAt: startedAt + 1000 });
}

let dbCount = 0;
const freshName = () => `pdw-runs-test-${++dbCount}`;

describe('summarizeRun', () => {
  it('takes the last value of each series, the params and the compaction figures', () => {
    const r = summarizeRun(runState(), { datasetName: 'CIFAR-10', compaction, endedAt: 1_700_000_060_000 });
    expect(r).toMatchObject({ id: 'r1', lab: 'prune', status: 'done', datasetName: 'CIFAR-10', startedAt: 1_700_000_000_000, endedAt: 1_700_000_060_000 });
    expect(r.summary).toEqual({
      testAccuracy: 0.62,
      testAccuracyW: 0.65,
      channelSparsity: 0.375,
      weightSparsity: 0.4,
      params: 1_000_000,
      compactParams: 400_000,
      compactMacs: 15_000_000,
      denseMacs: 40_000_000,
      steps: 200,
    });
    expect(r.hpChanges).toHaveLength(1);
    expect(r.layerHistory?.names).toEqual(['c1', 'c2']);
    expect(r.compaction).toBe(compaction);
  });

  it('gives nulls for missing series and falls back to the last series step without progress', () => {
    const r = summarizeRun(runState({ series: { 'train.loss': { steps: [1, 7], values: [2, 1] } }, progress: null, params: null }), {
      datasetName: 'Shapes',
      compaction: null,
    });
    expect(r.summary).toEqual({
      testAccuracy: null,
      testAccuracyW: null,
      channelSparsity: null,
      weightSparsity: null,
      params: null,
      compactParams: null,
      compactMacs: null,
      denseMacs: null,
      steps: 7,
    });
    expect(r.endedAt).toBeGreaterThan(0);
  });
});

describe('openRunHistory', () => {
  it('round-trips a record', async () => {
    const h = openRunHistory(freshName());
    const r = summarizeRun(runState(), { datasetName: 'CIFAR-10', compaction, endedAt: 5 });
    await h.put(r);
    const [back] = await h.list();
    expect(back).toEqual(r);
  });

  it('lists newest first and replaces a record of the same id', async () => {
    const h = openRunHistory(freshName());
    await h.put(record('a', 1000));
    await h.put(record('c', 3000));
    await h.put(record('b', 2000));
    expect((await h.list()).map((r) => r.id)).toEqual(['c', 'b', 'a']);
    await h.put({ ...record('b', 2000), datasetName: 'changed' });
    const list = await h.list();
    expect(list).toHaveLength(3);
    expect(list.find((r) => r.id === 'b')?.datasetName).toBe('changed');
  });

  it('removes one record and clears all', async () => {
    const h = openRunHistory(freshName());
    await h.put(record('a', 1000));
    await h.put(record('b', 2000));
    await h.remove('a');
    expect((await h.list()).map((r) => r.id)).toEqual(['b']);
    await h.clear();
    expect(await h.list()).toEqual([]);
  });
});

describe('runs slice', () => {
  type Mini = RunsSlice & { notices: string[]; addNotice(kind: string, text: string): void };
  const makeStore = () =>
    create<Mini>()((set, get, api) => ({
      ...createRunsSlice(set as never, get as never, api as never),
      notices: [],
      addNotice: (_kind, text) => set((s) => ({ notices: [...s.notices, text] })),
    }));

  afterEach(async () => {
    await openRunHistory(RUN_DB_NAME).clear();
  });

  it('saves, reloads (newest first), deletes, and keeps at most two compare picks', async () => {
    const a = makeStore();
    await a.getState().saveRun(record('old', 1000));
    await a.getState().saveRun(record('new', 2000));
    await a.getState().saveRun({ ...record('old', 1000), status: 'stopped' });
    expect(a.getState().runs.map((r) => [r.id, r.status])).toEqual([
      ['new', 'done'],
      ['old', 'stopped'],
    ]);

    const b = makeStore();
    await b.getState().loadRuns();
    expect(b.getState().runsLoaded).toBe(true);
    expect(b.getState().runs.map((r) => r.id)).toEqual(['new', 'old']);

    b.getState().toggleCompare('x');
    b.getState().toggleCompare('old');
    b.getState().toggleCompare('new');
    expect(b.getState().compareIds).toEqual(['old', 'new']);
    b.getState().toggleCompare('old');
    expect(b.getState().compareIds).toEqual(['new']);

    await b.getState().deleteRun('new');
    expect(b.getState().compareIds).toEqual([]);
    const c = makeStore();
    await c.getState().loadRuns();
    expect(c.getState().runs.map((r) => r.id)).toEqual(['old']);
    expect(c.getState().notices).toEqual([]);
  });

  it('turns a storage failure into a warning instead of throwing', async () => {
    const s = makeStore();
    const bad = { ...record('bad', 1), series: { 'train.loss': { steps: [1], values: [() => 0] } } } as unknown as RunRecord;
    await expect(s.getState().saveRun(bad)).resolves.toBeUndefined();
    expect(s.getState().runs.map((r) => r.id)).toEqual(['bad']);
    expect(s.getState().notices).toHaveLength(1);
    expect(s.getState().notices[0]).toMatch(/could not be saved/);
  });
});
