/** One classification training session: model + SGD + data, advanced one minibatch at a time. */
import * as tf from '@tensorflow/tfjs-core';
import type { LiveHyperparams, TrainConfig } from '../../protocol/labs';
import type { ImageDataset } from '../data/dataset';
import { countCorrect, softmaxCrossEntropy } from '../metrics/accuracy';
import { disposeParams } from '../models/params';
import { minimize } from '../optim/minimize';
import { Sgd } from '../optim/sgd';
import { ImageSession } from './imageSession';
import type { EvalResult, StepResult } from './session';

export class ClassifyTrainer extends ImageSession {
  private readonly sgd: Sgd;

  constructor(
    readonly config: TrainConfig,
    data: ImageDataset,
  ) {
    super(config, data);
    this.sgd = new Sgd(this.model.store.trainable, {
      lr: config.lr,
      momentum: config.momentum,
      weightDecay: config.weightDecay,
      nesterov: true,
    });
  }

  get hyperparams(): Partial<LiveHyperparams> {
    const { lr, momentum, weightDecay } = this.sgd.settings;
    return { lr, momentum, weightDecay };
  }

  setHyperparams(partial: Partial<LiveHyperparams>): void {
    this.sgd.settings = { ...this.sgd.settings, ...partial };
  }

  /** One SGD step on the next minibatch; reads back loss and accuracy (awaits the device). */
  async step(): Promise<StepResult> {
    const batch = this.batcher.next(this.batchSize);
    const x = tf.tensor4d(batch.x, [batch.size, this.data.height, this.data.width, 3]);
    const y = tf.tensor1d(batch.y, 'int32');
    const kept: { correct?: tf.Scalar } = {};
    const value = minimize(
      () => {
        const logits = this.model.forward(x, { training: true });
        kept.correct = tf.keep(countCorrect(logits, y));
        return softmaxCrossEntropy(logits, y);
      },
      this.model.store.trainable,
      (grads) => this.sgd.step(grads),
    );
    tf.dispose([x, y]);
    const correct = kept.correct!;
    const [lossArr, correctArr] = await Promise.all([value.data(), correct.data()]);
    tf.dispose([value, correct]);
    return { loss: lossArr[0]!, accuracy: correctArr[0]! / batch.size, batchSize: batch.size };
  }

  /** Loss and accuracy over the whole test split (running BN statistics), in batches. */
  evaluate(onProgress?: (fraction: number) => void): Promise<EvalResult> {
    return this.evaluateCurrent(onProgress);
  }

  dispose(): void {
    this.sgd.dispose();
    disposeParams(this.model.store);
  }
}
