/** The current run: its config, status, live metric series, progress and hyperparameter changes. */
import type { StateCreator } from 'zustand';
import type { LabName, TrainConfig } from '../protocol/config';
import type { CompactionReport } from '../protocol/prune';
import { summarizeRun } from './runHistory';
import type { EngineError, EngineEvent, HyperparamChange, LayerReport, ProgressInfo, RunStatus, SeriesName } from '../protocol/events';
import type { WorkbenchState } from './index';

export interface Series {
  steps: number[];
  values: number[];
}

/** Per-layer channel sparsity over time (one column per report) for the layer × step heatmap. */
export interface LayerHistory {
  names: string[];
  steps: number[];
  /** rows[k][layer] = sparsity of `layer` at steps[k]. */
  rows: number[][];
}

export interface RunState {
  id: string;
  lab: LabName;
  config: TrainConfig;
  status: RunStatus;
  progress: ProgressInfo | null;
  series: Partial<Record<SeriesName, Series>>;
  hpChanges: HyperparamChange[];
  params: number | null;
  error: EngineError | null;
  startedAt: number;
  /** Prune lab: the latest per-layer report and the history of per-layer sparsity. */
  layers: LayerReport | null;
  layerHistory: LayerHistory | null;
}

/** Keep at most this many heatmap columns; older ones are thinned by dropping every other one. */
const MAX_HISTORY = 400;

function addLayerReport(h: LayerHistory | null, r: LayerReport): LayerHistory {
  const base = h && h.names.length === r.names.length ? h : { names: r.names, steps: [], rows: [] };
  let steps = [...base.steps, r.step];
  let rows = [...base.rows, r.sparsity];
  if (steps.length > MAX_HISTORY) {
    const keep = (_: unknown, i: number) => i % 2 === 1 || i === steps.length - 1;
    steps = steps.filter(keep);
    rows = rows.filter(keep);
  }
  return { names: r.names, steps, rows };
}

export interface RunSlice {
  run: RunState | null;
  beginRun(id: string, config: TrainConfig, lab?: LabName): void;
  applyEvents(events: EngineEvent[]): void;
  /** Mark the current run as ended by something outside the worker (e.g. the worker crashed). */
  abortRun(error: EngineError): void;
  /** Store a compaction of the current run in its saved record. */
  recordCompaction(report: CompactionReport): Promise<void>;
}

const ENDED: readonly RunStatus[] = ['done', 'stopped', 'error'];

/** The fields every lab's run shares, and the events that update them. */
export type CommonRunFields = Pick<RunState, 'status' | 'progress' | 'hpChanges' | 'params' | 'error' | 'series'>;

/** Apply a status, progress, hyperparameter-change, model, error or metrics event to any lab's run (others: unchanged). */
export function applyCommonEvent<R extends CommonRunFields>(run: R, e: EngineEvent): R {
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

function applyToRun(run: RunState, e: EngineEvent): RunState {
  return e.type === 'layers' ? { ...run, layers: e.report, layerHistory: addLayerReport(run.layerHistory, e.report) } : applyCommonEvent(run, e);
}

const datasetName = (get: () => WorkbenchState, run: RunState) => get().datasets.find((d) => d.id === run.config.dataset)?.name ?? run.config.dataset;

/** Put an ended run into the run table (and IndexedDB). */
function saveEnded(get: () => WorkbenchState, run: RunState): void {
  void get().saveRun(summarizeRun(run, { datasetName: datasetName(get, run), compaction: null }));
}

export const createRunSlice: StateCreator<WorkbenchState, [], [], RunSlice> = (set, get) => ({
  run: null,
  beginRun: (id, config, lab = 'train') =>
    set({
      run: {
        id,
        lab,
        config,
        status: 'preparing',
        progress: null,
        series: {},
        hpChanges: [],
        params: null,
        error: null,
        startedAt: Date.now(),
        layers: null,
        layerHistory: null,
      },
    }),
  applyEvents: (events) => {
    let run = get().run;
    get().applySegEvents(events);
    const segRunId = get().segRun?.id;
    for (const e of events) {
      if ('runId' in e && e.runId !== null && e.runId === segRunId) continue; // the Segment lab's run (segSlice)
      if (e.type === 'backend') get().setBackend(e.info);
      else if (e.type === 'import') get().setImportProgress(e.progress);
      else if (e.type === 'datasets') get().setDatasets(e.list);
      else if (e.type === 'error' && (!run || e.runId !== run.id)) get().addNotice('error', e.error.message);
      else if (run && 'runId' in e && e.runId === run.id) run = applyToRun(run, e);
    }
    const before = get().run;
    if (run !== before) set({ run });
    if (run && before && before.id === run.id && !ENDED.includes(before.status) && ENDED.includes(run.status)) saveEnded(get, run);
  },
  abortRun: (error) => {
    const run = get().run;
    if (!run || ENDED.includes(run.status)) return;
    const ended: RunState = { ...run, status: 'error', error };
    set({ run: ended });
    saveEnded(get, ended);
  },
  recordCompaction: async (report) => {
    const run = get().run;
    if (!run || run.id !== report.runId) return;
    await get().saveRun(summarizeRun(run, { datasetName: datasetName(get, run), compaction: report }));
  },
});
