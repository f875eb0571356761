/** What a lab offers the worker (DESIGN.md, "Labs are plug-ins"): its run plan and its lab-only calls. */
import type { TrainingSession } from '../../engine';
import type { LabCalls, LabConfig, LabName, LabPush } from '../../protocol/labs';
import type { RunStatus } from '../../protocol/events';
import type { DatasetService } from '../datasetService';
import type { ImageDataCache } from '../imageData';
import type { ModelInfo } from '../../protocol/models';
import type { ModelToKeep } from '../modelFormats';

/** What one run needs from its lab: the step budget, how to build its session, and what happens to the session at the end. */
export interface RunPlan {
  steps: number;
  evalEvery: number;
  /** The dataset id the run trains on (a running run's dataset cannot be deleted). */
  dataset: string;
  /** Load the data and build the session; `onDataProgress` gets the data-loading fraction. */
  prepare(onDataProgress: (fraction: number) => void, onBuilding: () => void): Promise<TrainingSession>;
  /** The loop ended with `status`: return true to take over the session (it is not disposed then). */
  finish(session: TrainingSession, status: RunStatus): boolean;
}

/** The worker's services a lab may use. */
export interface LabContext {
  datasets: DatasetService;
  /** Classification datasets, cached across runs of every classification lab. */
  images: ImageDataCache;
  /** Send a lab's value to the UI at once (e.g. the Segment lab's zoo). */
  push(p: LabPush): void;
  /** Whether a run (of any lab) is preparing, running or paused. */
  runActive(): boolean;
  /** Resolves once a backend is initialised (model loading must wait for it). */
  backendReady(): Promise<void>;
  /** The backend's name, for reports. */
  backendName(): string;
  /**
   * Keep a trained model in the model library (serialised, then stored in IndexedDB); its record, or null when it could
   * not be kept (already logged and reported: a failed save never fails the run). Never throws.
   */
  keep(model: ModelToKeep): Promise<ModelInfo | null>;
}

/** The lab-only calls of lab L as the worker implements them. */
export type LabCallHandlers<L extends LabName> = { [M in keyof LabCalls<L>]: LabCalls<L>[M] };

export interface WorkerLab<L extends LabName> {
  /** The run plan of a config (already validated against the lab's schema). */
  plan(config: LabConfig<L>, runId: string): RunPlan;
  calls: LabCallHandlers<L>;
  /** A new run (of any lab) starts: free what the last run of this lab left behind. */
  release?(): void;
  /** A dataset was deleted: forget any cached copy. */
  forgetDataset?(id: string): void;
}
