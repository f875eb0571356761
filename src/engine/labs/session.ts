/** The interface every lab's training session offers to the step loop. */
import type { LiveHyperparams } from '../../protocol/config';

export interface StepResult {
  loss: number;
  accuracy: number;
  batchSize: number;
}

export interface EvalResult {
  loss: number;
  accuracy: number;
  count: number;
}

export interface TrainingSession {
  readonly numParams: number;
  readonly numLayers: number;
  /** Fractional epochs done. */
  readonly epoch: number;
  readonly hyperparams: LiveHyperparams;
  setHyperparams(partial: Partial<LiveHyperparams>): void;
  /** One optimisation step; resolves once its loss is read back. */
  step(): Promise<StepResult>;
  /** Metrics over the whole test split. */
  evaluate(onProgress?: (fraction: number) => void): Promise<EvalResult>;
  dispose(): void;
}
