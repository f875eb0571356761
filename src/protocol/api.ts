/** The typed contract between the UI (through client/) and the worker. */
import type { BackendInfo, BackendPreference } from './backend';
import type { DatasetInfo, DatasetSamples, ImportRequest, SplitName } from './datasets';
import type { EngineError, Outcome } from './errors';
import type { EngineEvent, RunStatus } from './events';
import type { LabCalls, LabName, LiveHyperparams } from './labs';
import type { ModelChangeResult, ModelFile, ModelFilesResult, ModelImportResult, ModelInfo, ModelOnnxResult } from './models';

/** Outcome of a call that can be refused; errors carry a code and a sentence (comlink drops Error fields). */
export type EngineResult = Outcome;

/** Outcome of an import: the stored dataset, or why nothing was stored. */
export type ImportResult = { ok: true; dataset: DatasetInfo } | { ok: false; error: EngineError };

export type EventSink = (events: EngineEvent[]) => void;

export interface RunSnapshot {
  runId: string | null;
  lab: LabName | null;
  status: RunStatus;
  step: number;
  totalSteps: number;
  hyperparams: Partial<LiveHyperparams> | null;
}

/** The name of a lab-only call of lab L. */
export type LabCallName<L extends LabName> = keyof LabCalls<L> & string;
type Fn = (...args: never[]) => unknown;
/** The arguments and result of lab L's call M. */
export type LabCallArgs<L extends LabName, M extends LabCallName<L>> = LabCalls<L>[M] extends Fn ? Parameters<LabCalls<L>[M]> : never;
export type LabCallResult<L extends LabName, M extends LabCallName<L>> = LabCalls<L>[M] extends Fn ? Awaited<ReturnType<LabCalls<L>[M]>> : never;

export interface EngineApi {
  /** Pick (or re-pick) the compute backend; disposes any run in progress. */
  init(preference: BackendPreference): Promise<BackendInfo>;
  /** Answer at once with the worker's clock and what it is busy with: the client's watchdog asks when it hears nothing while it expects work. */
  ping(): Promise<{ at: number; busy: string | null }>;
  /** Register the callback that receives throttled event batches (~10 per second). */
  subscribe(sink: EventSink): void;
  /** Validate the config against the lab's schema and start a run of `lab` (stopping any run in progress); the run continues in the background. */
  start(lab: LabName, config: unknown, runId: string): Promise<EngineResult>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Queue a partial change of `lab`'s live hyperparameters; it applies between two steps of that lab's
   * run and arrives back as an `hpChange` event with the step it took effect at. Bad values are
   * refused (invalid-hyperparams); a change for a lab that is not running is ignored.
   */
  setHyperparams(lab: LabName, partial: Partial<LiveHyperparams>): Promise<EngineResult>;
  status(): Promise<RunSnapshot>;
  /** A lab-only call (declared in the lab's spec, answered by its worker module). */
  call<L extends LabName, M extends LabCallName<L>>(lab: L, method: M, args: LabCallArgs<L, M>): Promise<LabCallResult<L, M>>;
  /** The built-in datasets first (shapes, then streets), then every imported one (oldest first). */
  listDatasets(): Promise<DatasetInfo[]>;
  /**
   * Parse the files in the worker (progress arrives as `import` events), store the dataset in IndexedDB,
   * then push a `datasets` event. A failure stores nothing and leaves earlier datasets untouched.
   */
  importDataset(request: ImportRequest): Promise<ImportResult>;
  cancelImport(): Promise<void>;
  deleteDataset(id: string): Promise<EngineResult>;
  /**
   * Up to `perClass` images of each class of a classification dataset (at most 100); for a segmentation
   * dataset the first `perClass` images of the split with their label maps and palette.
   */
  datasetSamples(id: string, split: SplitName, perClass: number): Promise<DatasetSamples>;
  /** Every model kept in the library (each finished run's, the Prune lab's compact nets, imports), newest first. */
  listModels(): Promise<ModelInfo[]>;
  /** Give a kept model a new name (1 to 120 characters); a `models` event follows. */
  renameModel(id: string, name: string): Promise<ModelChangeResult>;
  /** Delete a kept model and its weights; a `models` event follows. */
  deleteModel(id: string): Promise<ModelChangeResult>;
  /** A kept model's files for download: `<name>.json` (workbench format with its library metadata) and `<name>.bin` (float32 weights). */
  modelFiles(id: string): Promise<ModelFilesResult>;
  /** A kept model as one `.onnx` file (opset 13, NCHW input, logits output, normalisation in metadata_props). */
  exportModelOnnx(id: string): Promise<ModelOnnxResult>;
  /**
   * Check a model's .json and weights file (format and architecture known, every weight present with its shape) and keep
   * it; a refusal names the file in one sentence and stores nothing. A `models` event follows a success.
   */
  importModel(files: ModelFile[]): Promise<ModelImportResult>;
}
