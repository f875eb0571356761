/**
 * The interface every lab's training session offers to the step loop, and the result shapes the
 * trainers share. A session reports series → number maps (plus the lab's typed extras), so the loop
 * names no lab and this file never grows per-lab fields.
 */
import type { LabExtra, LiveHyperparams, SeriesName } from '../../protocol/labs';

/** Values of named series at one step. */
export type SeriesValues = Partial<Record<SeriesName, number>>;

/** What one training step reports. */
export interface StepReport {
  /** The minimised loss (a non-finite value ends the run as diverged). */
  loss: number;
  /** Images (or scenes) in the step's batch, for the throughput readout. */
  batchSize: number;
  values: SeriesValues;
}

/** Series values and lab-specific payloads (an evaluation, or a measurement too costly for every step). */
export interface Observation {
  values: SeriesValues;
  extras?: LabExtra[];
}

export interface TrainingSession {
  readonly numParams: number;
  readonly numLayers: number;
  /** Fractional epochs done. */
  readonly epoch: number;
  /** The live hyperparameters this session uses (a lab uses a subset of the keys). */
  readonly hyperparams: Partial<LiveHyperparams>;
  setHyperparams(partial: Partial<LiveHyperparams>): void;
  /** One optimisation step; resolves once its values are read back. */
  step(): Promise<StepReport>;
  /** Metrics over the whole test split. */
  evaluate(onProgress?: (fraction: number) => void): Promise<Observation>;
  /**
   * Measurements too costly for every step (e.g. the Prune lab's group norms): the loop asks at most
   * every 250 ms, and always at the first, the last and every evaluation step.
   */
  observe?(): Promise<Observation>;
  dispose(): void;
}

/** A classifier's or segmenter's training step, as the trainers return it. */
export interface StepResult {
  loss: number;
  accuracy: number;
  batchSize: number;
}

/** Loss and accuracy over a test split, as the trainers return it. */
export interface EvalResult {
  loss: number;
  accuracy: number;
  count: number;
}
