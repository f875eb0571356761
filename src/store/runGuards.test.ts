import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { create } from 'zustand';
import type { EngineEvent } from '../protocol/events';
import { createConfigSlice } from './configSlice';
import { createDatasetSlice } from './datasetSlice';
import { createEngineSlice } from './engineSlice';
import { createLiveRunsSlice } from './liveRunsSlice';
import { createModelSlice } from './modelSlice';
import { openRunHistory, RUN_DB_NAME } from './runHistory';
import { installRunGuards } from './runGuards';
import { createSavedRunsSlice } from './savedRunsSlice';
import { NOT_RESUMABLE, savedRunStatus } from './savedRunStatus';
import type { AnyRunRecord, WorkbenchState } from './types';

/** A fresh store of all slices (the run history is the shared 'pdw-runs' database of fake-indexeddb). */
const makeStore = () =>
  create<WorkbenchState>()((...a) => ({
    ...createEngineSlice(...a),
    ...createDatasetSlice(...a),
    ...createModelSlice(...a),
    ...createConfigSlice(...a),
    ...createLiveRunsSlice(...a),
    ...createSavedRunsSlice(...a),
  }));

/** The page's window and document as plain event targets. */
class FakeDocument extends EventTarget {
  visibilityState = 'visible';
}
/** Node's Event has a read-only returnValue; the browser's BeforeUnloadEvent lets the page set it (to a string). */
class BeforeUnload extends Event {
  constructor() {
    super('beforeunload', { cancelable: true });
    Object.defineProperty(this, 'returnValue', { value: true, writable: true });
  }
}

const stored = async (id: string): Promise<AnyRunRecord | undefined> => (await openRunHistory(RUN_DB_NAME).list()).find((r) => r.id === id);
const settle = () => new Promise((r) => setTimeout(r, 20));

/** Events of a Prune run reaching `step` of 400: progress and one training-loss point per step. */
function stepEvents(runId: string, from: number, to: number): EngineEvent[] {
  const steps = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  return [
    { type: 'metrics', runId, batches: [{ series: 'train.loss', steps, values: steps.map((s) => 2.3 - s / 100) }] },
    { type: 'progress', runId, progress: { step: to, totalSteps: 400, epoch: 0, etaSeconds: 60, stepsPerSecond: 6, imagesPerSecond: 24, phase: 'training' } },
  ];
}

let uninstall: (() => void) | null = null;
afterEach(async () => {
  uninstall?.();
  uninstall = null;
  await openRunHistory(RUN_DB_NAME).clear();
});

function start(id: string) {
  const store = makeStore();
  const win = new EventTarget();
  const doc = new FakeDocument();
  uninstall = installRunGuards(store, win, doc);
  const prune = { ...store.getState().configs.prune, method: 'gl-prox' as const, steps: 400 };
  store.getState().beginRun('prune', id, prune);
  store.getState().applyEvents([{ type: 'status', runId: id, status: 'running' }]);
  return { store, win, doc };
}

describe('installRunGuards', () => {
  it('pagehide writes the active run as interrupted at its step; a new page lists it so, with its series', async () => {
    const { store, win } = start('prune-a');
    store.getState().applyEvents(stepEvents('prune-a', 1, 18));
    win.dispatchEvent(new Event('pagehide'));
    await settle();
    const rec = await stored('prune-a');
    expect(rec).toMatchObject({ status: 'interrupted', stepsDone: 18, error: 'The page was closed or reloaded at step 18 of 400.', diverged: null });
    expect(rec?.series['train.loss']?.steps).toHaveLength(18);
    expect(rec?.config).toMatchObject({ method: 'gl-prox', steps: 400 });
    // Not in this page's table while it runs, even when the list loads now.
    await store.getState().loadSavedRuns();
    expect(store.getState().savedRuns.map((r) => r.id)).not.toContain('prune-a');

    // "After a reload": a fresh store loads the history.
    const next = makeStore();
    await next.getState().loadSavedRuns();
    const listed = next.getState().savedRuns.find((r) => r.id === 'prune-a')!;
    expect(savedRunStatus(listed)).toEqual({ text: 'interrupted at step 18', title: `The page was closed or reloaded at step 18 of 400. ${NOT_RESUMABLE}` });
  });

  it('a hidden page flushes too; a visible one does not', async () => {
    const { store, doc } = start('prune-b');
    await settle(); // the first checkpoint (step 0) is written at once
    store.getState().applyEvents(stepEvents('prune-b', 1, 5));
    doc.dispatchEvent(new Event('visibilitychange'));
    await settle();
    expect((await stored('prune-b'))?.stepsDone).toBe(0);
    doc.visibilityState = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    await settle();
    expect((await stored('prune-b'))?.stepsDone).toBe(5);
  });

  it('the final record wins over a checkpoint written in the same moment, and nothing is written after', async () => {
    const { store, win } = start('prune-c');
    store.getState().applyEvents(stepEvents('prune-c', 1, 30));
    win.dispatchEvent(new Event('pagehide')); // checkpoint queued…
    store.getState().applyEvents([{ type: 'status', runId: 'prune-c', status: 'done' }]); // …and the run ends at once
    win.dispatchEvent(new Event('pagehide'));
    await settle();
    const rec = await stored('prune-c');
    expect(rec).toMatchObject({ status: 'done', stepsDone: 30, error: null });
    expect(store.getState().savedRuns.find((r) => r.id === 'prune-c')?.status).toBe('done');
  });

  it('asks before unloading (and writes a checkpoint) only while a run is active (preparing, running or paused)', async () => {
    const { store, win } = start('prune-d');
    const unload = () => {
      const e = new BeforeUnload();
      win.dispatchEvent(e);
      return { prevented: e.defaultPrevented, returnValue: e.returnValue as unknown };
    };
    await settle(); // the first checkpoint (step 0)
    store.getState().applyEvents(stepEvents('prune-d', 1, 9));
    expect(unload()).toEqual({ prevented: true, returnValue: '' });
    await settle();
    expect((await stored('prune-d'))?.stepsDone).toBe(9); // asking to leave writes a checkpoint too
    store.getState().applyEvents([{ type: 'status', runId: 'prune-d', status: 'paused' }]);
    expect(unload().prevented).toBe(true);
    store.getState().applyEvents([{ type: 'status', runId: 'prune-d', status: 'stopped' }]);
    expect(unload()).toEqual({ prevented: false, returnValue: true });
    await settle();
  });

  it('no run, no write: pagehide and hiding write nothing', async () => {
    const store = makeStore();
    const win = new EventTarget();
    const doc = new FakeDocument();
    uninstall = installRunGuards(store, win, doc);
    win.dispatchEvent(new Event('pagehide'));
    doc.visibilityState = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    await settle();
    expect(await openRunHistory(RUN_DB_NAME).list()).toEqual([]);
  });

  it('a run whose loss explodes is saved as diverged, with the reason', async () => {
    const { store } = start('prune-e');
    const steps = [1, 2, 3, 4, 5, 6];
    store.getState().applyEvents([
      { type: 'metrics', runId: 'prune-e', batches: [{ series: 'train.loss', steps, values: [2, 2, 2, 2, 2, 1e6] }] },
      { type: 'status', runId: 'prune-e', status: 'done' },
    ]);
    await settle();
    const rec = (await stored('prune-e'))!;
    expect(rec.diverged).toMatch(/^The training loss rose to 2\.0e\+5 \(mean of the last 5\) at step 6/);
    expect(savedRunStatus(rec).text).toBe('done · diverged');
  });
});

describe('savedRunStatus', () => {
  it('reads records saved before `diverged` existed as not diverged, and shows errors as the tooltip', () => {
    expect(savedRunStatus({ status: 'done', stepsDone: 200, error: null })).toEqual({ text: 'done', title: undefined });
    expect(savedRunStatus({ status: 'error', stepsDone: 3, error: 'Out of memory.' })).toEqual({ text: 'error', title: 'Out of memory.' });
    expect(savedRunStatus({ status: 'stopped', stepsDone: 3, error: null, diverged: 'The training loss became NaN at step 3.' })).toEqual({
      text: 'stopped · diverged',
      title: 'Diverged: The training loss became NaN at step 3.',
    });
    expect(savedRunStatus({ status: 'interrupted', stepsDone: 0, error: null, diverged: null }).text).toBe('interrupted at step 0');
  });
});
