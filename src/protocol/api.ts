/** The typed contract between the UI (through client/) and the worker. */
import type { BackendInfo, BackendPreference } from './backend';
import type { LabName, LiveHyperparams } from './config';
import type { DatasetInfo, DatasetSamples, ImportRequest } from './datasets';
import type { CompactionReport, ExportedModel, LoadedModelReport } from './prune';
import type { EngineError, EngineEvent, RunStatus } from './events';
import type { SegPredictRequest, SegPredictResult, SegZooInfo } from './segment';

/** Outcome of a call that can be refused; errors carry a code and a sentence (comlink drops Error fields). */
export type EngineResult = { ok: true } | { ok: false; error: EngineError };

/** Outcome of an import: the stored dataset, or why nothing was stored. */
export type ImportResult = { ok: true; dataset: DatasetInfo } | { ok: false; error: EngineError };

export type EventSink = (events: EngineEvent[]) => void;

export interface RunSnapshot {
  runId: string | null;
  status: RunStatus;
  step: number;
  totalSteps: number;
  hyperparams: Partial<LiveHyperparams> | null;
}

export interface EngineApi {
  /** Pick (or re-pick) the compute backend; disposes any run in progress. */
  init(preference: BackendPreference): Promise<BackendInfo>;
  /** Register the callback that receives throttled event batches (~10 per second). */
  subscribe(sink: EventSink): void;
  /** Validate the config and start a run of `lab` (stopping any run in progress); the run continues in the background. */
  start(config: unknown, runId: string, lab?: LabName): Promise<EngineResult>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Queue a partial change of live hyperparameters; it applies between two steps and arrives back as
   * an `hpChange` event with the step it took effect at. Bad values are refused (invalid-hyperparams).
   */
  setHyperparams(partial: Partial<LiveHyperparams>): Promise<EngineResult>;
  status(): Promise<RunSnapshot>;
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
  datasetSamples(id: string, split: 'train' | 'test', perClass: number): Promise<DatasetSamples>;
  /**
   * Prune lab: physically remove the dead channels of the finished run `runId` (its masked network: u for
   * RGSM), check the compact outputs against the masked ones, and measure both.
   */
  compact(runId: string): Promise<{ ok: true; report: CompactionReport } | { ok: false; error: EngineError }>;
  /** The compact model of the last compaction in tfjs weights format (model.json + weights.bin). */
  exportModel(runId: string): Promise<{ ok: true; model: ExportedModel } | { ok: false; error: EngineError }>;
  /** Load an exported model back and evaluate it on a dataset's test split (the config's dataset). */
  loadModel(modelJson: string, weights: ArrayBuffer, config: unknown): Promise<{ ok: true; report: LoadedModelReport } | { ok: false; error: EngineError }>;
  /**
   * Segment lab: validate a SegConfig and start its run (stopping any run in progress). A distilled run
   * takes its frozen source (teacher or tutor) from the model zoo at the config's size; when the run is
   * done its model replaces the zoo's model in that slot (a `segZoo` event follows).
   */
  startSegment(config: unknown, runId: string): Promise<EngineResult>;
  /** The model zoo (loads the shipped demo weights on the first call). */
  segZoo(): Promise<SegZooInfo>;
  /** Drop the models trained in this session and load the shipped demo weights again (refused while a run is going). */
  segResetZoo(): Promise<{ ok: true; zoo: SegZooInfo } | { ok: false; error: EngineError }>;
  /** Run every zoo model of the size on the images: class maps, agreement with the teacher, mIoU against labels. */
  segPredict(request: SegPredictRequest): Promise<{ ok: true; result: SegPredictResult } | { ok: false; error: EngineError }>;
}
