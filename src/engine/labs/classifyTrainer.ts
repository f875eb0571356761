/** One classification training session: model + SGD + data, advanced one minibatch at a time. */
import * as tf from '@tensorflow/tfjs-core';
import type { LiveHyperparams, TrainConfig } from '../../protocol/config';
import { Batcher, channelStats, gatherBatch, type ChannelStats } from '../data/batcher';
import type { ImageDataset } from '../data/dataset';
import { countCorrect, softmaxCrossEntropy } from '../metrics/accuracy';
import { createModel } from '../models/registry';
import type { Classifier } from '../models/model';
import { countParams, disposeParams } from '../models/params';
import { Sgd } from '../optim/sgd';
import { hashSeed } from '../random';
import type { EvalResult, StepResult, TrainingSession } from './session';

export class ClassifyTrainer implements TrainingSession {
  readonly model: Classifier;
  readonly stats: ChannelStats;
  private readonly sgd: Sgd;
  private readonly batcher: Batcher;
  private readonly pixels: number;
  readonly batchSize: number;

  constructor(
    readonly config: TrainConfig,
    readonly data: ImageDataset,
  ) {
    this.pixels = data.height * data.width;
    this.stats = channelStats(data.train.images);
    this.batchSize = Math.min(config.batchSize, data.train.count);
    this.model = createModel(config.model, {
      width: config.width,
      numClasses: data.classNames.length,
      inputSize: data.height,
      seed: hashSeed(config.seed, 1),
    });
    this.sgd = new Sgd(this.model.store.trainable, {
      lr: config.lr,
      momentum: config.momentum,
      weightDecay: config.weightDecay,
      nesterov: true,
    });
    const augment = config.augment ? { height: data.height, width: data.width, padding: 4, flip: true } : undefined;
    this.batcher = new Batcher(data.train, this.pixels, this.stats, hashSeed(config.seed, 2), augment);
  }

  get numParams(): number {
    return countParams(this.model.store);
  }

  get numLayers(): number {
    return this.model.convs.length;
  }

  get epoch(): number {
    return this.batcher.epochProgress;
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
    const { value, grads } = tf.variableGrads(() => {
      const logits = this.model.forward(x, { training: true });
      kept.correct = tf.keep(countCorrect(logits, y));
      return softmaxCrossEntropy(logits, y);
    }, [...this.model.store.trainable.values()]);
    const named: Record<string, tf.Tensor> = {};
    for (const [name, v] of this.model.store.trainable) {
      const g = grads[v.name];
      if (g) named[name] = g;
    }
    this.sgd.step(named);
    tf.dispose([x, y, ...Object.values(grads)]);
    const correct = kept.correct!;
    const [lossArr, correctArr] = await Promise.all([value.data(), correct.data()]);
    tf.dispose([value, correct]);
    return { loss: lossArr[0]!, accuracy: correctArr[0]! / batch.size, batchSize: batch.size };
  }

  /** Loss and accuracy over the whole test split (running BN statistics), in batches. */
  async evaluate(onProgress?: (fraction: number) => void): Promise<EvalResult> {
    const split = this.data.test;
    const evalBatch = Math.max(this.batchSize, 64);
    let lossSum = 0;
    let correctSum = 0;
    for (let start = 0; start < split.count; start += evalBatch) {
      const n = Math.min(evalBatch, split.count - start);
      const indices = Array.from({ length: n }, (_, i) => start + i);
      const batch = gatherBatch(split, indices, this.pixels, this.stats);
      const [loss, correct] = tf.tidy(() => {
        const x = tf.tensor4d(batch.x, [n, this.data.height, this.data.width, 3]);
        const y = tf.tensor1d(batch.y, 'int32');
        const logits = this.model.forward(x, { training: false });
        return [tf.mul(softmaxCrossEntropy(logits, y), n), countCorrect(logits, y)];
      });
      const [l, c] = await Promise.all([loss.data(), correct.data()]);
      tf.dispose([loss, correct]);
      lossSum += l[0]!;
      correctSum += c[0]!;
      onProgress?.((start + n) / split.count);
    }
    return { loss: lossSum / split.count, accuracy: correctSum / split.count, count: split.count };
  }

  dispose(): void {
    this.sgd.dispose();
    disposeParams(this.model.store);
  }
}
