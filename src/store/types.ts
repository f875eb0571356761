/**
 * The store's shapes: one interface per slice and the whole state. Slices import this file, and
 * index.ts composes them, so no slice imports the store's index (no import circle).
 */
import type { BackendInfo, BackendPreference } from '../protocol/backend';
import type { DatasetInfo, ImportProgressInfo } from '../protocol/datasets';
import type { EngineError, EngineEvent, HyperparamChange, ProgressInfo, RunStatus, SeriesName } from '../protocol/events';
import type { LabAttachments, LabConfig, LabConfigs, LabExtrasState, LabName, LabPush, LabPushes } from '../protocol/labs';
import type { ModelInfo } from '../protocol/models';

export interface Series {
  steps: number[];
  values: number[];
}

/** A run of lab L as the UI follows it live. */
export interface RunState<L extends LabName = LabName> {
  id: string;
  lab: L;
  config: LabConfig<L>;
  status: RunStatus;
  progress: ProgressInfo | null;
  series: Partial<Record<SeriesName, Series>>;
  hpChanges: HyperparamChange[];
  params: number | null;
  error: EngineError | null;
  startedAt: number;
  /** The lab's extras (e.g. per-layer sparsity, per-class IoU), each folded by its spec's reducer. */
  extras: LabExtrasState<L>;
}

/** The latest run of every lab (null before its first). */
export type RunsByLab = { [L in LabName]: RunState<L> | null };

/** An ended run as it is kept in the run history (IndexedDB) and shown in its lab's run table. */
export interface RunRecord<L extends LabName = LabName> {
  id: string;
  lab: L;
  config: LabConfig<L>;
  status: RunStatus;
  startedAt: number;
  endedAt: number;
  /** The dataset's name when the run ended (its id is in the config). */
  datasetName: string;
  stepsDone: number;
  /** Trainable parameters of the model trained. */
  params: number | null;
  /** Why it ended in error (or was interrupted), if it did. */
  error: string | null;
  /**
   * Why its series say it diverged (divergence.ts), or null; absent on runs saved before this was checked
   * (read it as `r.diverged ?? null`).
   */
  diverged?: string | null;
  series: Partial<Record<SeriesName, Series>>;
  hpChanges: HyperparamChange[];
  extras: LabExtrasState<L>;
  /** What the lab's UI attached after the run ended (e.g. the Prune lab's compaction). */
  attachments: Partial<LabAttachments<L>>;
}
/** A saved run of any lab, discriminated by `lab`. */
export type AnyRunRecord = { [L in LabName]: RunRecord<L> }[LabName];

/** What each lab's worker side pushed last (e.g. the Segment lab's zoo). */
export type LabData = { [L in LabName]?: Partial<LabPushes<L>> };

export type EngineStatus = 'starting' | 'ready' | 'failed';

export interface Notice {
  id: number;
  kind: 'info' | 'warning' | 'error';
  text: string;
}

export interface EngineSlice {
  engineStatus: EngineStatus;
  backend: BackendInfo | null;
  backendPreference: BackendPreference;
  notices: Notice[];
  setEngineStatus(status: EngineStatus): void;
  setBackend(info: BackendInfo | null): void;
  setBackendPreference(p: BackendPreference): void;
  addNotice(kind: Notice['kind'], text: string): void;
  dismissNotice(id: number): void;
}

export interface ImportState {
  label: string;
  progress: ImportProgressInfo | null;
}

export interface DatasetSlice {
  datasets: DatasetInfo[];
  /** Whether the list came from the worker yet. */
  datasetsLoaded: boolean;
  importing: ImportState | null;
  importError: EngineError | null;
  setDatasets(list: DatasetInfo[]): void;
  beginImport(label: string): void;
  setImportProgress(p: ImportProgressInfo): void;
  endImport(error: EngineError | null): void;
}

/** The model library as the UI knows it: the worker's list (newest first), replaced by every `models` event. */
export interface ModelSlice {
  models: ModelInfo[];
  /** Whether the list came from the worker yet. */
  modelsLoaded: boolean;
  setModels(list: ModelInfo[]): void;
  /** A request to the App shell to open a tab and bring an element (by its test id) into view; `nonce` tells two requests apart. */
  tabRequest: { tab: string; scrollTo: string | null; nonce: number } | null;
  requestTab(tab: string, scrollTo?: string | null): void;
  /** The library row to highlight and scroll to (a run table's "model" link). */
  modelFocus: { id: string; nonce: number } | null;
  /** Open the Data tab on a model's library row. */
  showModel(id: string): void;
  /** A library model the Prune lab's "Load a model" panel is asked to evaluate. */
  modelToEvaluate: { id: string; nonce: number } | null;
  /** Open the Prune lab and evaluate a library classifier there. */
  evaluateModel(id: string): void;
}

/** The settings forms: the config each lab's next run starts with (the open lab's is mirrored in the URL hash). */
export interface ConfigSlice {
  configs: LabConfigs;
  setConfig<L extends LabName>(lab: L, partial: Partial<LabConfig<L>>): void;
  replaceConfig<L extends LabName>(lab: L, config: LabConfig<L>): void;
}

/** The runs followed live: the latest run of each lab, and what each lab's worker side pushed. */
export interface LiveRunsSlice {
  runs: RunsByLab;
  labData: LabData;
  beginRun<L extends LabName>(lab: L, id: string, config: LabConfig<L>): void;
  /** Route a batch of worker events: to their run (by id), to the engine, dataset and lab-data state. */
  applyEvents(events: EngineEvent[]): void;
  /** Mark a lab's run as ended by something outside the worker (a refused start, a crash): status 'error' unless given. */
  abortRun(lab: LabName, error: EngineError, status?: 'error' | 'interrupted'): void;
  /** The same for every lab's active run (the worker restarted). */
  abortRuns(error: EngineError): void;
  /** Every lab's active run ended without the worker saying so (reload, a dead or hung worker): 'interrupted', with the reason. */
  interruptRuns(reason: string): void;
  setPush(push: LabPush): void;
}

/** The run history: every ended run of every lab (IndexedDB), and the runs picked for comparison. */
export interface SavedRunsSlice {
  /** Saved runs, newest first. */
  savedRuns: AnyRunRecord[];
  /** Whether loadSavedRuns() has finished (successfully or not). */
  savedRunsLoaded: boolean;
  /** Ids of the runs picked for comparison, oldest pick first; at most two. */
  compareIds: string[];
  loadSavedRuns(): Promise<void>;
  /** Save (or replace, same id) a run; it stays in the list for this session even if IndexedDB fails. */
  saveRun(r: AnyRunRecord): Promise<void>;
  /**
   * Store a checkpoint of a run in progress (status 'interrupted') in IndexedDB only, not in `savedRuns`: it is
   * what the history shows if the page dies. Dropped once the run's final record went to saveRun.
   */
  checkpointRun(r: AnyRunRecord): Promise<void>;
  deleteSavedRun(id: string): Promise<void>;
  /** Attach a lab's result to its saved run (e.g. a compaction report) and store it again. */
  attachToRun<L extends LabName, K extends keyof LabAttachments<L> & string>(lab: L, runId: string, key: K, value: LabAttachments<L>[K]): Promise<void>;
  /** Pick or unpick a run for comparison; picking a third drops the oldest pick. */
  toggleCompare(id: string): void;
}

export type WorkbenchState = EngineSlice & DatasetSlice & ModelSlice & ConfigSlice & LiveRunsSlice & SavedRunsSlice;
