/** The interface every lab's training session offers to the step loop. */
import type { LiveHyperparams } from '../../protocol/config';

export interface StepResult {
  loss: number;
  accuracy: number;
  batchSize: number;
  /** The learning rate the step used, when a schedule sets it. */
  lr?: number;
  /** Segment lab: the loss terms of the step (CE or OHEM CE, weighted aux CE, weighted KD). */
  parts?: { ce: number; aux: number; kd: number };
}

export interface EvalResult {
  loss: number;
  accuracy: number;
  count: number;
  /** Prune lab, RGSM: accuracy on w while `accuracy` is on u. */
  accuracyW?: number;
  /** Segment lab: scores from the confusion matrix over the whole validation split (`accuracy` = pixel accuracy). */
  seg?: { mIoU: number; perClassIoU: (number | null)[]; classNames?: string[] };
}

export interface TrainingSession {
  readonly numParams: number;
  readonly numLayers: number;
  /** Fractional epochs done. */
  readonly epoch: number;
  /** The live hyperparameters this session uses (a lab uses a subset of the keys). */
  readonly hyperparams: Partial<LiveHyperparams>;
  setHyperparams(partial: Partial<LiveHyperparams>): void;
  /** One optimisation step; resolves once its loss is read back. */
  step(): Promise<StepResult>;
  /** Metrics over the whole test split. */
  evaluate(onProgress?: (fraction: number) => void): Promise<EvalResult>;
  dispose(): void;
}
