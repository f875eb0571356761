import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { batchNorm, createBatchNorm, type ForwardMode } from '../../models/layers';
import { createParamStore } from '../../models/params';
import { mulberry32 } from '../../random';
import { bnStatistics, recalibrateBnStatistics, withRecalibratedBn } from './bnRecalibration';

/**
 * A tiny "model": bn0 on the input x (NHWC, 2 channels), then bn1 on 2·x + 1 (so its statistics are known by hand:
 * mean 2m + 1, variance 4v). The running stats start away from anything the batches give.
 */
function tinyModel() {
  const store = createParamStore(1);
  const bn0 = createBatchNorm(store, 'bn0', 2);
  const bn1 = createBatchNorm(store, 'bn1', 2);
  bn0.runningMean.assign(tf.tensor1d([5, -5]));
  bn0.runningVar.assign(tf.tensor1d([9, 0.25]));
  const forward = (x: tf.Tensor4D, mode: ForwardMode) => {
    const a = batchNorm(bn0, x, mode);
    const b = batchNorm(bn1, tf.add(tf.mul(x, 2), 1) as tf.Tensor4D, mode);
    return tf.reshape(tf.add(a, b), [x.shape[0], -1]) as tf.Tensor2D;
  };
  return { store, forward };
}

/** Batches of different sizes (B × 3 × 3 × 2), with a per-batch shift so the batch statistics differ. */
function batches(): { data: Float32Array; shape: [number, number, number, number] }[] {
  const rng = mulberry32(11);
  return [2, 3, 1].map((b, k) => {
    const shape: [number, number, number, number] = [b, 3, 3, 2];
    const data = Float32Array.from({ length: b * 3 * 3 * 2 }, (_, i) => (rng() - 0.5) * (k + 1) + (i % 2 === 0 ? k : -2 * k));
    return { data, shape };
  });
}

/** Float64 reference: per channel, the mean over batches of the batch means and of the unbiased batch variances. */
function reference(bs: ReturnType<typeof batches>, f: (v: number) => number) {
  const mean = [0, 0];
  const variance = [0, 0];
  for (const { data, shape } of bs) {
    const n = shape[0] * shape[1] * shape[2];
    for (let c = 0; c < 2; c++) {
      const vals: number[] = [];
      for (let i = c; i < data.length; i += 2) vals.push(f(data[i]!));
      const m = vals.reduce((a, v) => a + v, 0) / n;
      const biased = vals.reduce((a, v) => a + (v - m) ** 2, 0) / n;
      mean[c]! += m / bs.length;
      variance[c]! += (biased * n) / (n - 1) / bs.length;
    }
  }
  return { mean, variance };
}

const read = async (v: tf.Tensor) => Array.from(await v.data());
const feeder = (bs: ReturnType<typeof batches>) => {
  let k = 0;
  return () => {
    const b = bs[k++ % bs.length]!;
    return tf.tensor4d(b.data, b.shape);
  };
};

describe('BN recalibration (cumulative average, unbiased variance)', () => {
  it('sets every running mean/var to the float64 mean of the per-batch statistics over 3 batches', async () => {
    const model = tinyModel();
    const bs = batches().slice(0, 2).concat([batches()[0]!]); // sizes 2, 3, 2 (n = 18, 27, 18; n > 1 for the unbiased factor)
    recalibrateBnStatistics(model, 3, feeder(bs));
    const stats = bnStatistics(model);
    const r0 = reference(bs, (v) => v);
    const r1 = reference(bs, (v) => 2 * v + 1);
    const close = (got: number[], want: number[]) => got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 5));
    close(await read(stats.get('bn0.runningMean')!), r0.mean);
    close(await read(stats.get('bn0.runningVar')!), r0.variance);
    close(await read(stats.get('bn1.runningMean')!), r1.mean);
    close(await read(stats.get('bn1.runningVar')!), r1.variance);
    // Relative check too (variances reach ~10 here).
    const v1 = await read(stats.get('bn1.runningVar')!);
    v1.forEach((g, i) => expect(Math.abs(g - r1.variance[i]!) / r1.variance[i]!).toBeLessThan(1e-5));
    tf.dispose([...model.store.state.values(), ...model.store.trainable.values()]);
  });

  it('is a cumulative average, not the EMA: the first batch weighs as much as the last', async () => {
    const model = tinyModel();
    const bs = batches();
    const one = reference([bs[0]!], (v) => v).mean;
    const two = reference([bs[1]!], (v) => v).mean;
    recalibrateBnStatistics(model, 2, feeder(bs));
    const got = await read(bnStatistics(model).get('bn0.runningMean')!);
    got.forEach((g, c) => expect(g).toBeCloseTo((one[c]! + two[c]!) / 2, 5));
    tf.dispose([...model.store.state.values(), ...model.store.trainable.values()]);
  });

  it('withRecalibratedBn lends the recalibrated stats to fn, restores the old ones bit-exactly (also on a throw), and leaks nothing', async () => {
    const model = tinyModel();
    const bs = batches();
    const vars = bnStatistics(model);
    const snapshot = async () => Promise.all([...vars.values()].map(read));
    const before = await snapshot();
    const tensors = tf.memory().numTensors;
    const inside = await withRecalibratedBn(model, 3, feeder(bs), snapshot);
    expect(inside).not.toEqual(before);
    expect(await snapshot()).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
    await expect(
      withRecalibratedBn(model, 2, feeder(bs), () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await snapshot()).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
    // 0 batches: the statistics stay as they are.
    expect(await withRecalibratedBn(model, 0, feeder(bs), snapshot)).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([...model.store.state.values(), ...model.store.trainable.values()]);
  });
});
