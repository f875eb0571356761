import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { ohemCrossEntropy, pixelCrossEntropy } from '../techniques/distill';
import { medianFrequencyWeights } from './classBalance';

describe('medianFrequencyWeights', () => {
  it('gives median_freq / freq_c, freq over the images where c appears (by hand)', () => {
    // Two 4-pixel images: [0 0 0 1] and [0 2 2 ignore].
    // freq0 = 4 / 8 = 0.5, freq1 = 1 / 4 = 0.25, freq2 = 2 / 4 = 0.5; median 0.5 → weights 1, 2, 1; class 3 never appears → 1.
    const w = medianFrequencyWeights(Uint8Array.from([0, 0, 0, 1, 0, 2, 2, 255]), 4, 4);
    expect(Array.from(w)).toEqual([1, 2, 1, 1]);
  });

  it('takes the mean of the two middle frequencies for an even count, and caps at maxWeight', () => {
    // One 8-pixel image: class 0 ×5, 1 ×2, 2 ×1, 3 absent. freq 5/8, 2/8, 1/8: median 2/8 → 0.4, 1, 2.
    const labels = Uint8Array.from([0, 0, 0, 0, 0, 1, 1, 2]);
    expect(Array.from(medianFrequencyWeights(labels, 8, 4))).toEqual([0.4000000059604645, 1, 2, 1]);
    expect(Array.from(medianFrequencyWeights(labels, 8, 4, { maxWeight: 1.5 }))).toEqual([0.4000000059604645, 1, 1.5, 1]);
    // Four classes present: 0 ×4, 1 ×2, 2 ×1, 3 ×1 → freq 4/8, 2/8, 1/8, 1/8, median (1/8 + 2/8) / 2 = 3/16.
    const w = medianFrequencyWeights(Uint8Array.from([0, 0, 0, 0, 1, 1, 2, 3]), 8, 4);
    expect(Array.from(w)).toEqual([3 / 8, 3 / 4, 3 / 2, 3 / 2].map((v) => Math.fround(v)));
  });

  it('refuses labels that are not whole images or out of range', () => {
    expect(() => medianFrequencyWeights(new Uint8Array(5), 4, 2)).toThrow(/whole number/);
    expect(() => medianFrequencyWeights(Uint8Array.from([0, 3]), 2, 2)).toThrow(/outside 0\.\.1/);
  });
});

/** Float64 Σ w_y · (−log softmax[y]) / Σ w_y over pixels whose label ≠ 255. */
function weightedCeRef(z: ArrayLike<number>, labels: number[], k: number, w: number[]): number {
  let num = 0;
  let den = 0;
  labels.forEach((y, p) => {
    if (y === 255) return;
    const row = Array.from({ length: k }, (_, c) => z[p * k + c]!);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
    num += w[y]! * (lse - row[y]!);
    den += w[y]!;
  });
  return num / den;
}

describe('class-weighted cross-entropy', () => {
  const k = 3;
  const rng = mulberry32(7);
  const z = Array.from({ length: 2 * 2 * 3 * k }, () => 3 * (rng() - 0.5));
  const labels = [0, 1, 2, 255, 2, 2, 0, 1, 255, 2, 1, 0];
  const w = [0.5, 2, 1.25];

  it('matches a float64 reference (PyTorch CrossEntropyLoss(weight) semantics), and weights of 1 give the plain mean', () => {
    const logits = tf.tensor4d(z, [2, 2, 3, k]);
    const y = tf.tensor3d(labels, [2, 2, 3], 'int32');
    const cw = tf.tensor1d(w);
    const ones = tf.ones([k]) as tf.Tensor1D;
    const got = pixelCrossEntropy(logits, y, 255, cw);
    const plain = pixelCrossEntropy(logits, y);
    const unit = pixelCrossEntropy(logits, y, 255, ones);
    expect(got.dataSync()[0]).toBeCloseTo(weightedCeRef(z, labels, k, w), 5);
    expect(unit.dataSync()[0]).toBeCloseTo(plain.dataSync()[0]!, 6);
    tf.dispose([logits, y, cw, ones, got, plain, unit]);
  });

  it('OHEM keeping every valid pixel equals the weighted CE', () => {
    const logits = tf.tensor4d(z, [2, 2, 3, k]);
    const y = tf.tensor3d(labels, [2, 2, 3], 'int32');
    const cw = tf.tensor1d(w);
    const ohem = ohemCrossEntropy(logits, y, { threshold: 1, minKeptFraction: 0, classWeights: cw });
    expect(ohem.dataSync()[0]).toBeCloseTo(weightedCeRef(z, labels, k, w), 5);
    tf.dispose([logits, y, cw, ohem]);
  });

  it('has the gradient of the float64 reference (central differences)', () => {
    const y = tf.tensor3d(labels, [2, 2, 3], 'int32');
    const cw = tf.tensor1d(w);
    const g = tf.grad((x: tf.Tensor) => pixelCrossEntropy(x as tf.Tensor4D, y, 255, cw));
    const grad = g(tf.tensor4d(z, [2, 2, 3, k])).dataSync();
    const h = 1e-4;
    for (const i of [0, 4, 8, 13, 20, 33]) {
      const up = [...z];
      const down = [...z];
      up[i]! += h;
      down[i]! -= h;
      const fd = (weightedCeRef(up, labels, k, w) - weightedCeRef(down, labels, k, w)) / (2 * h);
      expect(grad[i]).toBeCloseTo(fd, 4);
    }
    tf.dispose([y, cw]);
  });
});
