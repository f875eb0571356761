/** Whole-split evaluation of any classifier (eval mode, running BN statistics), in batches. */
import * as tf from '@tensorflow/tfjs-core';
import { gatherBatch, type ChannelStats, type Split } from '../data/batcher';
import type { Classifier } from '../models/model';
import { countCorrect, softmaxCrossEntropy } from './accuracy';

export interface SplitEval {
  loss: number;
  accuracy: number;
  count: number;
}

/** Mean CE and accuracy of `model` on an NHWC uint8 split of `side`×`side` images normalised with `stats`. */
export async function evaluateSplit(
  model: Pick<Classifier, 'forward'>,
  split: Split,
  side: number,
  stats: ChannelStats,
  batchSize = 64,
  onProgress?: (fraction: number) => void,
): Promise<SplitEval> {
  const pixels = side * side;
  let lossSum = 0;
  let correctSum = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const n = Math.min(batchSize, split.count - start);
    const batch = gatherBatch(
      split,
      Array.from({ length: n }, (_, i) => start + i),
      pixels,
      stats,
    );
    const [loss, correct] = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, [n, side, side, 3]);
      const y = tf.tensor1d(batch.y, 'int32');
      const logits = model.forward(x, { training: false });
      return [tf.mul(softmaxCrossEntropy(logits, y), n), countCorrect(logits, y)];
    });
    const [l, c] = await Promise.all([loss.data(), correct.data()]);
    tf.dispose([loss, correct]);
    lossSum += l[0]!;
    correctSum += c[0]!;
    onProgress?.((start + n) / split.count);
  }
  return { loss: lossSum / Math.max(1, split.count), accuracy: correctSum / Math.max(1, split.count), count: split.count };
}

/** Eval-mode logits of the first `n` test images (for comparing two networks on the same batch). */
export function logitsOf(model: Classifier, split: Split, side: number, stats: ChannelStats, n: number): tf.Tensor2D {
  const count = Math.min(n, split.count);
  const batch = gatherBatch(
    split,
    Array.from({ length: count }, (_, i) => i),
    side * side,
    stats,
  );
  return tf.tidy(() => model.forward(tf.tensor4d(batch.x, [count, side, side, 3]), { training: false }));
}
