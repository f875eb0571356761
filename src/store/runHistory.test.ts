import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { create } from 'zustand';
import { PRUNE_LAB } from '../protocol/labs/prune';
import { SEGMENT_LAB } from '../protocol/labs/segment';
import { openRunHistory, RUN_DB_NAME, summarizeRun, withNewSettings } from './runHistory';
import { createSavedRunsSlice } from './savedRunsSlice';
import type { AnyRunRecord, RunState, SavedRunsSlice } from './types';
import { COMPACTION_FIXTURE as compaction } from './legacyRuns.fixture';

function runState(over: Partial<RunState<'prune'>> = {}): RunState<'prune'> {
  return {
    id: 'r1',
    lab: 'prune',
    config: { ...PRUNE_LAB.defaults(), method: 'rgsm' },
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
    extras: {
      layers: {
        latest: null,
        history: {
          names: ['c1', 'c2'],
          steps: [100, 200],
          rows: [
            [0, 0.2],
            [0.25, 0.5],
          ],
        },
      },
    },
    ...over,
  };
}

function record(id: string, startedAt: number): AnyRunRecord {
  return summarizeRun(runState({ id, startedAt }), { datasetName: 'Shapes', endedAt: startedAt + 1000 });
}

let dbCount = 0;
const freshName = () => `pdw-runs-test-${++dbCount}`;

describe('withNewSettings', () => {
  it('fills a setting added since a run was saved with what the run ran under, not with the default', () => {
    const r = record('old', 1);
    const { bnRecalBatches, thresholds, ...saved } = r.config as Record<string, unknown>;
    expect([bnRecalBatches, thresholds]).toEqual([8, 'global']);
    const old = withNewSettings({ ...r, config: saved } as AnyRunRecord);
    // before recalibration existed, u was evaluated with w's BN statistics: 0 batches; the threshold mode was global
    expect(old.config).toMatchObject({ bnRecalBatches: 0, thresholds: 'global', method: 'rgsm' });
    expect(withNewSettings(r)).toBe(r);
  });

  it("fills an old Segment run with the classic scenes, no class balancing and a plain width-1/4 teacher (what it ran under), not today's defaults", () => {
    const today = SEGMENT_LAB.defaults();
    expect([today.dataset, today.classBalance, today.teacherHead]).toEqual(['streets-real', 'median-frequency', 'refined']);
    const { dataset, classBalance, teacherWidth, teacherHead, ...saved } = today;
    void dataset;
    void classBalance;
    void teacherWidth;
    void teacherHead;
    const old = withNewSettings({ ...record('seg', 1), lab: 'segment', config: saved } as unknown as AnyRunRecord);
    expect(old.config).toMatchObject({ dataset: 'streets', classBalance: 'none', teacherWidth: '1/4', teacherHead: 'plain', model: today.model });
  });
});

describe('summarizeRun', () => {
  it('keeps the config, series, changes, extras and how far the run got', () => {
    const r = summarizeRun(runState(), { datasetName: 'CIFAR-10', endedAt: 1_700_000_060_000 });
    expect(r).toMatchObject({ id: 'r1', lab: 'prune', status: 'done', datasetName: 'CIFAR-10', startedAt: 1_700_000_000_000, endedAt: 1_700_000_060_000 });
    expect(r).toMatchObject({ stepsDone: 200, params: 1_000_000, error: null, attachments: {} });
    expect(r.hpChanges).toHaveLength(1);
    expect(r.lab === 'prune' && r.extras.layers?.history.names).toEqual(['c1', 'c2']);
  });

  it('falls back to the last series step without progress', () => {
    const r = summarizeRun(runState({ series: { 'train.loss': { steps: [1, 7], values: [2, 1] } }, progress: null, params: null }), { datasetName: 'Shapes' });
    expect(r.stepsDone).toBe(7);
    expect(r.params).toBeNull();
    expect(r.endedAt).toBeGreaterThan(0);
  });
});

describe('openRunHistory', () => {
  it('round-trips a record', async () => {
    const h = openRunHistory(freshName());
    const r = { ...summarizeRun(runState(), { datasetName: 'CIFAR-10', endedAt: 5 }), attachments: { compaction } } as AnyRunRecord;
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

  it('fills the settings a lab gained since a run was saved with their defaults, keeping the saved ones as they are', async () => {
    const h = openRunHistory(freshName());
    const r = record('old', 1000);
    const config: Record<string, unknown> = { ...r.config, lr: 5 }; // out of today's range: kept as saved
    delete config.lambda2;
    await h.put({ ...r, config } as AnyRunRecord);
    const [back] = await h.list();
    expect(back!.config).toEqual({ ...PRUNE_LAB.defaults(), method: 'rgsm', lr: 5 });
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

describe('saved runs slice', () => {
  type Mini = SavedRunsSlice & { notices: string[]; addNotice(kind: string, text: string): void };
  const makeStore = () =>
    create<Mini>()((set, get, api) => ({
      ...createSavedRunsSlice(set as never, get as never, api as never),
      notices: [],
      addNotice: (_kind: string, text: string) => set((s: Mini) => ({ notices: [...s.notices, text] })),
    }));

  afterEach(async () => {
    await openRunHistory(RUN_DB_NAME).clear();
  });

  it('saves, reloads (newest first), deletes, and keeps at most two compare picks', async () => {
    const a = makeStore();
    await a.getState().saveRun(record('old', 1000));
    await a.getState().saveRun(record('new', 2000));
    await a.getState().saveRun({ ...record('old', 1000), status: 'stopped' });
    expect(a.getState().savedRuns.map((r) => [r.id, r.status])).toEqual([
      ['new', 'done'],
      ['old', 'stopped'],
    ]);

    const b = makeStore();
    await b.getState().loadSavedRuns();
    expect(b.getState().savedRunsLoaded).toBe(true);
    expect(b.getState().savedRuns.map((r) => r.id)).toEqual(['new', 'old']);

    b.getState().toggleCompare('x');
    b.getState().toggleCompare('old');
    b.getState().toggleCompare('new');
    expect(b.getState().compareIds).toEqual(['old', 'new']);
    b.getState().toggleCompare('old');
    expect(b.getState().compareIds).toEqual(['new']);

    await b.getState().deleteSavedRun('new');
    expect(b.getState().compareIds).toEqual([]);
    const c = makeStore();
    await c.getState().loadSavedRuns();
    expect(c.getState().savedRuns.map((r) => r.id)).toEqual(['old']);
    expect(c.getState().notices).toEqual([]);
  });

  it('turns a storage failure into a warning instead of throwing', async () => {
    const s = makeStore();
    const bad = { ...record('bad', 1), series: { 'train.loss': { steps: [1], values: [() => 0] } } } as unknown as AnyRunRecord;
    await expect(s.getState().saveRun(bad)).resolves.toBeUndefined();
    expect(s.getState().savedRuns.map((r) => r.id)).toEqual(['bad']);
    expect(s.getState().notices).toHaveLength(1);
    expect(s.getState().notices[0]).toMatch(/could not be saved/);
  });
});
