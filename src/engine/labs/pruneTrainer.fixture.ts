/** Test helpers of the Prune trainer: a tiny random image set and session options at width 1/16. */
import type { ImageDataset } from '../data/dataset';
import { mulberry32 } from '../random';
import type { PruneHyperparams, PruneSessionOptions } from './pruneOptions';

/** A tiny random dataset in the real layout (NHWC uint8, 32×32). */
export function tinyDataset(train: number, test: number): ImageDataset {
  const rng = mulberry32(7);
  const split = (n: number) => ({
    images: Uint8Array.from({ length: n * 32 * 32 * 3 }, () => Math.floor(rng() * 256)),
    labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
    count: n,
  });
  return { name: 'tiny', classNames: 'abcdefghij'.split(''), height: 32, width: 32, channels: 3, train: split(train), test: split(test) };
}

/**
 * Session options at width 1/16 (VGG-16, RGSM, batch 2, lr 0.01, no recalibration, global thresholds) over the
 * given default hyperparameters (the tests pass the lab spec's: engine code may not import protocol values).
 */
export const optionsOver =
  (defaults: PruneHyperparams) =>
  (over: Partial<PruneSessionOptions> = {}, hp: Partial<PruneHyperparams> = {}): PruneSessionOptions => ({
    model: 'vgg16',
    width: 1 / 16,
    seed: 3,
    batchSize: 2,
    totalSteps: 10,
    method: 'rgsm',
    prox: 'hard',
    grouping: 'input',
    schedule: 'step',
    augment: true,
    bnRecalBatches: 0,
    thresholds: 'global',
    ...over,
    hyperparams: { ...defaults, lr: 0.01, ...hp },
  });
