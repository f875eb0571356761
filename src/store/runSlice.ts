/** The current run: its config, status, live metric series, progress and hyperparameter changes. */
import type { StateCreator } from 'zustand';
import type { TrainConfig } from '../protocol/config';
import type { EngineError, EngineEvent, HyperparamChange, ProgressInfo, RunStatus, SeriesName } from '../protocol/events';
import type { WorkbenchState } from './index';

export interface Series {
  steps: number[];
  values: number[];
}

export interface RunState {
  id: string;
  config: TrainConfig;
  status: RunStatus;
  progress: ProgressInfo | null;
  series: Partial<Record<SeriesName, Series>>;
  hpChanges: HyperparamChange[];
  params: number | null;
  error: EngineError | null;
  startedAt: number;
}

export interface RunSlice {
  run: RunState | null;
  beginRun(id: string, config: TrainConfig): void;
  applyEvents(events: EngineEvent[]): void;
  /** Mark the current run as ended by something outside the worker (e.g. the worker crashed). */
  abortRun(error: EngineError): void;
}

function applyToRun(run: RunState, e: EngineEvent): RunState {
  switch (e.type) {
    case 'status':
      return { ...run, status: e.status };
    case 'progress':
      return { ...run, progress: e.progress };
    case 'hpChange':
      return { ...run, hpChanges: [...run.hpChanges, e.change] };
    case 'model':
      return { ...run, params: e.params };
    case 'error':
      return { ...run, error: e.error };
    case 'metrics': {
      const series = { ...run.series };
      for (const b of e.batches) {
        const old = series[b.series] ?? { steps: [], values: [] };
        series[b.series] = { steps: old.steps.concat(b.steps), values: old.values.concat(b.values) };
      }
      return { ...run, series };
    }
    default:
      return run;
  }
}

export const createRunSlice: StateCreator<WorkbenchState, [], [], RunSlice> = (set, get) => ({
  run: null,
  beginRun: (id, config) =>
    set({ run: { id, config, status: 'preparing', progress: null, series: {}, hpChanges: [], params: null, error: null, startedAt: Date.now() } }),
  applyEvents: (events) => {
    let run = get().run;
    for (const e of events) {
      if (e.type === 'backend') get().setBackend(e.info);
      else if (e.type === 'import') get().setImportProgress(e.progress);
      else if (e.type === 'datasets') get().setDatasets(e.list);
      else if (e.type === 'error' && (!run || e.runId !== run.id)) get().addNotice('error', e.error.message);
      else if (run && 'runId' in e && e.runId === run.id) run = applyToRun(run, e);
    }
    if (run !== get().run) set({ run });
  },
  abortRun: (error) =>
    set((s) =>
      s.run && (s.run.status === 'running' || s.run.status === 'paused' || s.run.status === 'preparing')
        ? { run: { ...s.run, status: 'error', error } }
        : s,
    ),
});
