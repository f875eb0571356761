/**
 * Segment lab state: the next run's config, the current segmentation run (its live series, per-class
 * IoU reports, hyperparameter changes), the worker's model zoo, and the table of finished runs
 * (persisted in IndexedDB, see segRunHistory.ts).
 */
import type { StateCreator } from 'zustand';
import type { EngineError, EngineEvent, HyperparamChange, ProgressInfo, RunStatus, SeriesName } from '../protocol/events';
import { defaultSegConfig, type SegConfig, type SegEvalReport, type SegZooInfo } from '../protocol/segment';
import type { WorkbenchState } from './index';
import { applyCommonEvent, type Series } from './runSlice';
import { loadSegRuns, saveSegRun, deleteSegRun, type SegRunRecord } from './segRunHistory';

export interface SegRunState {
  id: string;
  config: SegConfig;
  status: RunStatus;
  progress: ProgressInfo | null;
  series: Partial<Record<SeriesName, Series>>;
  hpChanges: HyperparamChange[];
  params: number | null;
  error: EngineError | null;
  startedAt: number;
  /** Every evaluation's per-class IoU, oldest first. */
  evals: SegEvalReport[];
}

export interface SegSlice {
  segConfig: SegConfig;
  setSegConfig(partial: Partial<SegConfig>): void;
  segRun: SegRunState | null;
  beginSegRun(id: string, config: SegConfig): void;
  /** Apply the events of the current segmentation run and zoo updates (called from applyEvents). */
  applySegEvents(events: EngineEvent[]): void;
  abortSegRun(error: EngineError): void;
  segZoo: SegZooInfo | null;
  setSegZoo(zoo: SegZooInfo): void;
  /** Finished segmentation runs, newest first. */
  segRuns: SegRunRecord[];
  loadSegRuns(): Promise<void>;
  removeSegRun(id: string): Promise<void>;
}

const ENDED: readonly RunStatus[] = ['done', 'stopped', 'error'];

function applyToSegRun(run: SegRunState, e: EngineEvent): SegRunState {
  return e.type === 'segEval' ? { ...run, evals: [...run.evals, e.report] } : applyCommonEvent(run, e);
}

/** The table row of an ended run. */
export function summarizeSegRun(run: SegRunState): SegRunRecord {
  const last = run.evals[run.evals.length - 1] ?? null;
  const steps = run.series['train.loss']?.steps;
  return {
    id: run.id,
    config: run.config,
    status: run.status,
    startedAt: run.startedAt,
    endedAt: Date.now(),
    stepsDone: steps?.[steps.length - 1] ?? 0,
    params: run.params,
    mIoU: last?.mIoU ?? null,
    pixelAccuracy: last?.pixelAccuracy ?? null,
    perClassIoU: last?.perClassIoU ?? [],
    classNames: last?.classNames ?? [],
    hpChanges: run.hpChanges,
    error: run.error?.message ?? null,
    miouSeries: run.series['seg.miou'] ?? { steps: [], values: [] },
  };
}

export const createSegSlice: StateCreator<WorkbenchState, [], [], SegSlice> = (set, get) => {
  const persist = (run: SegRunState) => {
    const rec = summarizeSegRun(run);
    set((s) => ({ segRuns: [rec, ...s.segRuns.filter((r) => r.id !== rec.id)] }));
    void saveSegRun(rec).catch((err: unknown) =>
      get().addNotice('warning', `The run could not be saved in this browser: ${err instanceof Error ? err.message : String(err)}`),
    );
  };
  return {
    segConfig: defaultSegConfig(),
    setSegConfig: (partial) => set((s) => ({ segConfig: { ...s.segConfig, ...partial } })),
    segRun: null,
    beginSegRun: (id, config) =>
      set({
        segRun: { id, config, status: 'preparing', progress: null, series: {}, hpChanges: [], params: null, error: null, startedAt: Date.now(), evals: [] },
      }),
    applySegEvents: (events) => {
      const before = get().segRun;
      let run = before;
      for (const e of events) {
        if (e.type === 'segZoo') get().setSegZoo(e.zoo);
        else if (run && 'runId' in e && e.runId === run.id) run = applyToSegRun(run, e);
      }
      if (run === before || !run) return;
      set({ segRun: run });
      if (before && !ENDED.includes(before.status) && ENDED.includes(run.status)) persist(run);
    },
    abortSegRun: (error) => {
      const run = get().segRun;
      if (!run || ENDED.includes(run.status)) return;
      const ended: SegRunState = { ...run, status: 'error', error };
      set({ segRun: ended });
      persist(ended);
    },
    segZoo: null,
    setSegZoo: (zoo) => set({ segZoo: zoo }),
    segRuns: [],
    loadSegRuns: async () => {
      try {
        set({ segRuns: await loadSegRuns() });
      } catch (err) {
        get().addNotice('warning', `Saved segmentation runs could not be read: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
    removeSegRun: async (id) => {
      set((s) => ({ segRuns: s.segRuns.filter((r) => r.id !== id) }));
      await deleteSegRun(id);
    },
  };
};
