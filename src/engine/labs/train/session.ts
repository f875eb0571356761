/** The Train lab's session: a classifier trained with SGD, reporting train/test loss and accuracy. */
import type { LiveHyperparams, TrainConfig } from '../../../protocol/labs';
import type { ImageDataset } from '../../data/dataset';
import { ClassifyTrainer } from '../classifyTrainer';
import type { Observation, StepReport, TrainingSession } from '../session';

export class TrainSession implements TrainingSession {
  readonly trainer: ClassifyTrainer;

  constructor(config: TrainConfig, data: ImageDataset) {
    this.trainer = new ClassifyTrainer(config, data);
  }

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

  async step(): Promise<StepReport> {
    const r = await this.trainer.step();
    return { loss: r.loss, batchSize: r.batchSize, values: { 'train.loss': r.loss, 'train.acc': r.accuracy } };
  }

  async evaluate(onProgress?: (fraction: number) => void): Promise<Observation> {
    const ev = await this.trainer.evaluate(onProgress);
    return { values: { 'test.acc': ev.accuracy, 'test.loss': ev.loss } };
  }

  dispose(): void {
    this.trainer.dispose();
  }
}
