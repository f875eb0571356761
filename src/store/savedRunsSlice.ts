/** The run history: every ended run of every lab (persisted in IndexedDB), and the two runs picked for comparison. */
import type { StateCreator } from 'zustand';
import { ENDED_STATUSES } from '../protocol/events';
import { createRunWriter, type RunWriter } from './checkpoint';
import { newestFirst, openRunHistory, type RunHistory } from './runHistory';
import type { AnyRunRecord, SavedRunsSlice, WorkbenchState } from './types';

const MAX_COMPARE = 2;

let history: RunHistory | null = null;
const db = (): RunHistory => (history ??= openRunHistory());
let runWriter: RunWriter | null = null;
/** Every write of a run goes through one queue per run id, so a checkpoint never lands after the run's final record. */
const writer = (): RunWriter => (runWriter ??= createRunWriter((r) => db().put(r)));
let loading: Promise<void> | null = null;

function reason(e: unknown): string {
  return e instanceof Error && e.message ? ` (${e.message})` : '';
}

/** Replace a run of the same id, or add it; keep newest first. */
function upsert(list: readonly AnyRunRecord[], r: AnyRunRecord): AnyRunRecord[] {
  return [...list.filter((x) => x.id !== r.id), r].sort(newestFirst);
}

export const createSavedRunsSlice: StateCreator<WorkbenchState, [], [], SavedRunsSlice> = (set, get) => ({
  savedRuns: [],
  savedRunsLoaded: false,
  compareIds: [],
  loadSavedRuns: () =>
    (loading ??= (async () => {
      try {
        const listed = await db().list();
        // A run still going has only a checkpoint stored (status 'interrupted'): it is listed when it ends.
        const runs: Partial<WorkbenchState['runs']> = get().runs ?? {}; // (absent in a store of this slice alone)
        const live = new Set(Object.values(runs).flatMap((r) => (r && !ENDED_STATUSES.includes(r.status) ? [r.id] : [])));
        const stored = listed.filter((r) => !live.has(r.id));
        // Runs saved while the list was loading win over their stored copies.
        set((s) => ({ savedRuns: s.savedRuns.reduce(upsert, stored), savedRunsLoaded: true }));
      } catch (e) {
        set({ savedRunsLoaded: true });
        get().addNotice('warning', `Saved runs could not be loaded from browser storage${reason(e)}.`);
      } finally {
        loading = null;
      }
    })()),
  saveRun: async (r) => {
    set((s) => ({ savedRuns: upsert(s.savedRuns, r) }));
    try {
      await writer().save(r);
    } catch (e) {
      get().addNotice('warning', `The run could not be saved to browser storage${reason(e)}; it stays in the table until the page is reloaded.`);
    }
  },
  checkpointRun: (r) => writer().checkpoint(r),
  deleteSavedRun: async (id) => {
    set((s) => ({ savedRuns: s.savedRuns.filter((r) => r.id !== id), compareIds: s.compareIds.filter((c) => c !== id) }));
    try {
      await db().remove(id);
    } catch (e) {
      get().addNotice('warning', `The run could not be deleted from browser storage${reason(e)}; it may come back after a reload.`);
    }
  },
  attachToRun: async (lab, runId, key, value) => {
    const rec = get().savedRuns.find((r) => r.id === runId && r.lab === lab);
    if (!rec) return;
    await get().saveRun({ ...rec, attachments: { ...rec.attachments, [key]: value } } as AnyRunRecord);
  },
  toggleCompare: (id) =>
    set((s) => ({
      compareIds: s.compareIds.includes(id) ? s.compareIds.filter((c) => c !== id) : [...s.compareIds, id].slice(-MAX_COMPARE),
    })),
});
