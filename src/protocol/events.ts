/** Events the worker pushes to the UI: plain, structured-clonable data. */
import type { BackendInfo } from './backend';
import type { DatasetInfo, ImportProgressInfo } from './datasets';
import type { LiveKey } from './params';
import type { SegEvalReport, SegZooInfo } from './segment';

export type RunStatus = 'idle' | 'preparing' | 'running' | 'paused' | 'stopped' | 'done' | 'error';

export type SeriesName =
  | 'train.loss'
  | 'train.acc'
  | 'test.acc'
  | 'test.loss'
  /** Prune lab: the lr the step used (after the schedule). */
  | 'train.lr'
  /** Prune lab, RGSM: test accuracy on w (test.acc is on u). */
  | 'test.accW'
  /** Prune lab: share of zero channel groups over all conv layers, and of exactly-zero conv weights. */
  | 'sparsity.channel'
  | 'sparsity.weight'
  /** Engine memory after the step: live tensors, MB held by tensors, MB of GPU buffers allocated (webgpu). */
  | 'memory.tensors'
  | 'memory.mb'
  | 'memory.gpuAllocatedMb'
  /** Segment lab: validation mIoU and pixel accuracy; the step's loss terms (CE or OHEM CE, weighted aux, weighted KD). */
  | 'seg.miou'
  | 'seg.pixelAcc'
  | 'seg.loss.ce'
  | 'seg.loss.aux'
  | 'seg.loss.kd';

/** Per-layer channel sparsity of the Prune lab at one step (on u for RGSM, on w otherwise). */
export interface LayerReport {
  step: number;
  /** Conv kernel names in forward order. */
  names: string[];
  /** Share of zero groups per layer. */
  sparsity: number[];
  /** Group ℓ2 norms per layer (for the histogram). */
  norms: Float32Array[];
  /** Groups per layer. */
  groups: number[];
  total: number;
  weightSparsity: number;
  /** The zero threshold the sparsity was counted with. */
  zeroThreshold: number;
  /** RGSM's hard-prox threshold sqrt(2λ1/β). */
  hardThreshold: number;
  measuredOn: 'u' | 'w';
}

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

export const ERROR_CODES = [
  'invalid-config',
  'invalid-hyperparams',
  'backend-init-failed',
  'device-lost',
  'out-of-memory',
  'diverged',
  'busy',
  'import-failed',
  'storage-failed',
  'dataset-missing',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface EngineError {
  code: ErrorCode;
  /** One sentence a user can act on. */
  message: string;
  /** The importer's own code for an import-failed error (e.g. 'record-size', 'mixed-cifar'). */
  detail?: string;
}

export type EngineEvent =
  | { type: 'status'; runId: string; status: RunStatus; message?: string }
  | { type: 'metrics'; runId: string; batches: MetricBatch[] }
  | { type: 'progress'; runId: string; progress: ProgressInfo }
  | { type: 'hpChange'; runId: string; change: HyperparamChange }
  | { type: 'error'; runId: string | null; error: EngineError }
  | { type: 'backend'; info: BackendInfo }
  | { type: 'model'; runId: string; params: number; layers: number }
  | { type: 'layers'; runId: string; report: LayerReport }
  | { type: 'import'; progress: ImportProgressInfo }
  | { type: 'datasets'; list: DatasetInfo[] }
  | { type: 'segEval'; runId: string; report: SegEvalReport }
  | { type: 'segZoo'; zoo: SegZooInfo };
