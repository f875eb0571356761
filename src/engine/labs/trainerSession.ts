/** What the lab sessions share: a trainer whose size, epoch, live hyperparameters and disposal they pass through. */
import type { LiveHyperparams } from '../../protocol/labs';

/** The part of a trainer a session delegates to. */
export interface Trainer {
  readonly numParams: number;
  readonly numLayers: number;
  readonly epoch: number;
  readonly hyperparams: Partial<LiveHyperparams>;
  setHyperparams(partial: Partial<LiveHyperparams>): void;
  dispose(): void;
}

/** A session over a trainer T: subclasses map its step and evaluation results to series (TrainingSession). */
export abstract class TrainerSession<T extends Trainer> {
  constructor(readonly trainer: T) {}

  get numParams(): number {
    return this.trainer.numParams;
  }
  get numLayers(): number {
    return this.trainer.numLayers;
  }
  get epoch(): number {
    return this.trainer.epoch;
  }
  get hyperparams(): Partial<LiveHyperparams> {
    return this.trainer.hyperparams;
  }
  setHyperparams(partial: Partial<LiveHyperparams>): void {
    this.trainer.setHyperparams(partial);
  }
  dispose(): void {
    this.trainer.dispose();
  }
}
