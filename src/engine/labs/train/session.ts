/** The Train lab's session: a classifier trained with SGD, reporting train/test loss and accuracy. */
import type { TrainConfig } from '../../../protocol/labs';
import { TrainerSession } from '../trainerSession';
import type { ImageDataset } from '../../data/dataset';
import { ClassifyTrainer } from '../classifyTrainer';
import type { Observation, StepReport, TrainingSession } from '../session';

export class TrainSession extends TrainerSession<ClassifyTrainer> implements TrainingSession {
  constructor(config: TrainConfig, data: ImageDataset) {
    super(new ClassifyTrainer(config, data));
  }

  async step(): Promise<StepReport> {
    const r = await this.trainer.step();
    return { loss: r.loss, batchSize: r.batchSize, values: { 'train.loss': r.loss, 'train.acc': r.accuracy } };
  }

  async evaluate(onProgress?: (fraction: number) => void): Promise<Observation> {
    const ev = await this.trainer.evaluate(onProgress);
    return { values: { 'test.acc': ev.accuracy, 'test.loss': ev.loss } };
  }
}
