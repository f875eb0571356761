/** Events the worker pushes to the UI: plain, structured-clonable data. */
import type { BackendInfo } from './backend';
import type { DatasetInfo, ImportProgressInfo } from './datasets';
import type { EngineError } from './errors';
import type { LabExtra, LabPush, LiveKey, SeriesName } from './labs';
import type { ModelInfo } from './models';

export type { EngineError, ErrorCode } from './errors';
export { ERROR_CODES } from './errors';
export type { SeriesName } from './labs';

/**
 * A run's status. `interrupted`: the run ended without the worker saying so (the page was reloaded or closed,
 * or the worker died or stopped answering and was restarted); set by the UI, never sent by the worker.
 */
export type RunStatus = 'idle' | 'preparing' | 'running' | 'paused' | 'stopped' | 'done' | 'error' | 'interrupted';
/** The statuses of a run that has ended. */
export const ENDED_STATUSES: readonly RunStatus[] = ['done', 'stopped', 'error', 'interrupted'];

/** A batch of metric points of one series (columns, so long runs stay compact). */
export interface MetricBatch {
  series: SeriesName;
  steps: number[];
  values: number[];
}

export interface ProgressInfo {
  step: number;
  totalSteps: number;
  epoch: number;
  /** Seconds left at the current pace; null until a few steps were timed. */
  etaSeconds: number | null;
  stepsPerSecond: number;
  imagesPerSecond: number;
  /** What the worker is doing now, for the progress bar's caption. */
  phase: 'loading data' | 'building model' | 'training' | 'evaluating';
  /** 0..1 progress of the current phase when it is not 'training'. */
  phaseFraction?: number;
}

export interface HyperparamChange {
  step: number;
  key: LiveKey;
  from: number;
  to: number;
}

export type EngineEvent =
  | { type: 'status'; runId: string; status: RunStatus; message?: string }
  | { type: 'metrics'; runId: string; batches: MetricBatch[] }
  | { type: 'progress'; runId: string; progress: ProgressInfo }
  | { type: 'hpChange'; runId: string; change: HyperparamChange }
  | { type: 'error'; runId: string | null; error: EngineError }
  | { type: 'backend'; info: BackendInfo }
  /** The run's model was built: its trainable parameters and layers. */
  | { type: 'model'; runId: string; params: number; layers: number }
  /** A lab-specific payload of a run beside its series (declared in the lab's spec). */
  | { type: 'extra'; runId: string; extra: LabExtra }
  /** A lab's worker side changed something it holds outside runs (e.g. the Segment lab's model zoo). */
  | { type: 'push'; push: LabPush }
  | { type: 'import'; progress: ImportProgressInfo }
  | { type: 'datasets'; list: DatasetInfo[] }
  /** The model library changed (a model was kept, renamed, deleted or imported): the whole list, newest first. */
  | { type: 'models'; list: ModelInfo[] }
  /**
   * A sign of life, sent about once a second while the worker is busy (a run, an import, a lab call): `at` is the
   * worker's clock (ms since the epoch), `busy` names the work in words. The client's watchdog restarts a worker that
   * stays silent while the UI waits on it; the store ignores this event.
   */
  | { type: 'heartbeat'; at: number; busy: string | null };
