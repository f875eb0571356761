/** Saved runs: the list shown in the run table (persisted in IndexedDB) and the two picked for comparison. */
import type { StateCreator } from 'zustand';
import { newestFirst, openRunHistory, type RunHistory } from './runHistory';
import type { RunRecord } from './runRecord';
import type { WorkbenchState } from './index';

export interface RunsSlice {
  /** Saved runs, newest first. */
  runs: RunRecord[];
  /** Whether loadRuns() has finished (successfully or not). */
  runsLoaded: boolean;
  /** Ids of the runs picked for comparison, oldest pick first; at most two. */
  compareIds: string[];
  loadRuns(): Promise<void>;
  /** Save (or replace, same id) a run; it stays in the list for this session even if IndexedDB fails. */
  saveRun(r: RunRecord): Promise<void>;
  deleteRun(id: string): Promise<void>;
  /** Pick or unpick a run for comparison; picking a third drops the oldest pick. */
  toggleCompare(id: string): void;
}

const MAX_COMPARE = 2;

let history: RunHistory | null = null;
const db = (): RunHistory => (history ??= openRunHistory());
let loading: Promise<void> | null = null;

function reason(e: unknown): string {
  return e instanceof Error && e.message ? ` (${e.message})` : '';
}

/** Replace a run of the same id, or add it; keep newest first. */
function upsert(list: readonly RunRecord[], r: RunRecord): RunRecord[] {
  return [...list.filter((x) => x.id !== r.id), r].sort(newestFirst);
}

export const createRunsSlice: StateCreator<WorkbenchState, [], [], RunsSlice> = (set, get) => ({
  runs: [],
  runsLoaded: false,
  compareIds: [],
  loadRuns: () =>
    (loading ??= (async () => {
      try {
        const stored = await db().list();
        // Runs saved while the list was loading win over their stored copies.
        set((s) => ({ runs: s.runs.reduce(upsert, stored), runsLoaded: true }));
      } catch (e) {
        set({ runsLoaded: true });
        get().addNotice('warning', `Saved runs could not be loaded from browser storage${reason(e)}.`);
      } finally {
        loading = null;
      }
    })()),
  saveRun: async (r) => {
    set((s) => ({ runs: upsert(s.runs, r) }));
    try {
      await db().put(r);
    } catch (e) {
      get().addNotice('warning', `The run could not be saved to browser storage${reason(e)}; it stays in the table until the page is reloaded.`);
    }
  },
  deleteRun: async (id) => {
    set((s) => ({ runs: s.runs.filter((r) => r.id !== id), compareIds: s.compareIds.filter((c) => c !== id) }));
    try {
      await db().remove(id);
    } catch (e) {
      get().addNotice('warning', `The run could not be deleted from browser storage${reason(e)}; it may come back after a reload.`);
    }
  },
  toggleCompare: (id) =>
    set((s) => ({
      compareIds: s.compareIds.includes(id) ? s.compareIds.filter((c) => c !== id) : [...s.compareIds, id].slice(-MAX_COMPARE),
    })),
});
