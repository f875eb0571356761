/** What every image-classification session shares: model, normalisation, seeded (augmented) batches, evaluation. */
import type { ModelName } from '../../protocol/labs';
import { Batcher, channelStats, type ChannelStats } from '../data/batcher';
import type { ImageDataset } from '../data/dataset';
import { evaluateSplit } from '../metrics/evaluate';
import type { Classifier } from '../models/model';
import { countParams } from '../models/params';
import { createModel } from '../models/registry';
import { hashSeed } from '../random';
import type { EvalResult } from './session';

export interface ImageSessionOptions {
  model: ModelName;
  width: number;
  seed: number;
  batchSize: number;
  augment: boolean;
}

export abstract class ImageSession {
  readonly model: Classifier;
  /** Per-channel mean/std of the training split (normalises every batch). */
  readonly stats: ChannelStats;
  readonly batchSize: number;
  protected readonly batcher: Batcher;

  constructor(
    opts: ImageSessionOptions,
    readonly data: ImageDataset,
  ) {
    this.stats = channelStats(data.train.images);
    this.batchSize = Math.min(opts.batchSize, data.train.count);
    this.model = createModel(opts.model, { width: opts.width, numClasses: data.classNames.length, inputSize: data.height, seed: hashSeed(opts.seed, 1) });
    const augment = opts.augment ? { height: data.height, width: data.width, padding: 4, flip: true } : undefined;
    this.batcher = new Batcher(data.train, data.height * data.width, this.stats, hashSeed(opts.seed, 2), augment);
  }

  get numParams(): number {
    return countParams(this.model.store);
  }

  get numLayers(): number {
    return this.model.convs.length;
  }

  /** Fractional epochs done. */
  get epoch(): number {
    return this.batcher.epochProgress;
  }

  /** Loss and accuracy of the current weights over the whole test split (running BN statistics), in batches. */
  protected evaluateCurrent(onProgress?: (fraction: number) => void): Promise<EvalResult> {
    return evaluateSplit(this.model, this.data.test, this.data.height, this.stats, Math.max(this.batchSize, 64), onProgress);
  }
}
