import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { kdLoss, maskedCrossEntropy, ohemCrossEntropy, ohemMask, pixelCrossEntropy, validMask, withoutGradient } from './distill';

/** Float64 log-softmax of one pixel's logits. */
function logSoftmax64(z: ArrayLike<number>, t = 1): number[] {
  const s = Array.from(z, (v) => v / t);
  const m = Math.max(...s);
  const lse = m + Math.log(s.reduce((a, v) => a + Math.exp(v - m), 0));
  return s.map((v) => v - lse);
}

/** Float64 T² · mean over (masked) pixels of KL(softmax(zT/T) ‖ softmax(zS/T)); NHWC flattened, k classes. */
function kdRef(zs: ArrayLike<number>, zt: ArrayLike<number>, k: number, t: number, mask?: number[]): number {
  let sum = 0;
  let count = 0;
  for (let p = 0; p < zs.length / k; p++) {
    if (mask && !mask[p]) continue;
    const ls = logSoftmax64(Array.prototype.slice.call(zs, p * k, p * k + k) as number[], t);
    const lt = logSoftmax64(Array.prototype.slice.call(zt, p * k, p * k + k) as number[], t);
    sum += lt.reduce((a, l, c) => a + Math.exp(l) * (l - ls[c]!), 0);
    count++;
  }
  return (t * t * sum) / Math.max(count, 1);
}

/** Float64 mean −log softmax[label] over pixels whose label ≠ 255 and that `keep` keeps. */
function ceRef(z: ArrayLike<number>, labels: number[], k: number, keep?: number[]): number {
  let sum = 0;
  let count = 0;
  labels.forEach((l, p) => {
    if (l === 255 || (keep && !keep[p])) return;
    sum -= logSoftmax64(Array.prototype.slice.call(z, p * k, p * k + k) as number[])[l]!;
    count++;
  });
  return sum / Math.max(count, 1);
}

const rand = (n: number, seed: number, scale = 2) => {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => scale * (2 * rng() - 1));
};

const value = (s: tf.Scalar) => {
  const v = s.dataSync()[0]!;
  s.dispose();
  return v;
};

describe('kdLoss (Hinton et al. 2015)', () => {
  it('1×1×2 by hand: KL(softmax[0,1] ‖ softmax[1,0]) = tanh(1/2); at T = 2, 4 · ½ tanh(1/4)', () => {
    const s = tf.tensor4d([1, 0], [1, 1, 1, 2]);
    const t = tf.tensor4d([0, 1], [1, 1, 1, 2]);
    // log pT − log pS = ∓1 (same log-sum-exp), so KL = pT1 − pT0 = (e − 1)/(e + 1) = tanh(1/2).
    expect(value(kdLoss(s, t, 1))).toBeCloseTo(Math.tanh(0.5), 6);
    expect(value(kdLoss(s, t, 2))).toBeCloseTo(2 * Math.tanh(0.25), 6);
    tf.dispose([s, t]);
  });

  it('2×2×3: matches the float64 reference for T = 1, 2, 4, with and without a pixel mask', () => {
    const zs = [0.5, -1, 2, 0, 0, 0, 3, 1, -2, -0.5, 0.25, 1.5];
    const zt = [1, 0, 1, -1, 2, 0.5, 2.5, 2, -1, 0, 0, 0];
    const s = tf.tensor4d(zs, [1, 2, 2, 3]);
    const t = tf.tensor4d(zt, [1, 2, 2, 3]);
    for (const T of [1, 2, 4]) expect(value(kdLoss(s, t, T))).toBeCloseTo(kdRef(zs, zt, 3, T), 6);
    const m = tf.tensor3d([1, 0, 1, 0], [1, 2, 2]);
    expect(value(kdLoss(s, t, 2, m))).toBeCloseTo(kdRef(zs, zt, 3, 2, [1, 0, 1, 0]), 6);
    tf.dispose([s, t, m]);
  });

  it('is 0 when the logits are equal and scales as T²: kd(zS, zT, T) = T² · kd(zS/T, zT/T, 1)', () => {
    const zs = tf.tensor4d(rand(2 * 3 * 3 * 4, 1, 3), [2, 3, 3, 4]);
    const zt = tf.tensor4d(rand(2 * 3 * 3 * 4, 2, 3), [2, 3, 3, 4]);
    expect(Math.abs(value(kdLoss(zs, zs, 1)))).toBeLessThan(1e-6);
    expect(Math.abs(value(kdLoss(zs, zs, 3)))).toBeLessThan(1e-6);
    for (const T of [2, 5]) {
      const scaled = tf.tidy(() => kdLoss(tf.div(zs, T), tf.div(zt, T), 1));
      expect(value(kdLoss(zs, zt, T))).toBeCloseTo(T * T * value(scaled), 5);
    }
    tf.dispose([zs, zt]);
  });

  it('resizes teacher logits of another size bilinearly to the student’s', () => {
    const zs = tf.tensor4d(rand(2 * 2 * 3 * 3, 3), [2, 2, 3, 3]);
    const big = tf.tensor4d(rand(2 * 4 * 6 * 3, 4), [2, 4, 6, 3]);
    const small = tf.image.resizeBilinear(big, [2, 3], true);
    expect(value(kdLoss(zs, big, 2))).toBeCloseTo(value(kdLoss(zs, small, 2)), 6);
    // spatially constant teacher: the size does not matter.
    const c1 = tf.tile(tf.tensor4d([1, -1, 0.5], [1, 1, 1, 3]), [2, 2, 3, 1]) as tf.Tensor4D;
    const c2 = tf.tile(tf.tensor4d([1, -1, 0.5], [1, 1, 1, 3]), [2, 8, 12, 1]) as tf.Tensor4D;
    expect(value(kdLoss(zs, c2, 1))).toBeCloseTo(value(kdLoss(zs, c1, 1)), 6);
    tf.dispose([zs, big, small, c1, c2]);
  });

  it('has the finite-difference gradient wrt the student (float64); the teacher gets none', () => {
    const shape = [1, 2, 2, 3] as const;
    const zs = Float64Array.from(rand(12, 5));
    const zt = Float64Array.from(rand(12, 6));
    const T = 2;
    const s = tf.tensor4d(Float32Array.from(zs), [...shape]);
    const t = tf.tensor4d(Float32Array.from(zt), [...shape]);
    const [gs, gt] = tf.grads((a: tf.Tensor, b: tf.Tensor) => kdLoss(a as tf.Tensor4D, b as tf.Tensor4D, T))([s, t]);
    const g = gs!.dataSync();
    const h = 1e-6;
    for (let k = 0; k < zs.length; k++) {
      const p = Float64Array.from(zs),
        m = Float64Array.from(zs);
      p[k]! += h;
      m[k]! -= h;
      expect(Math.abs(g[k]! - (kdRef(p, zt, 3, T) - kdRef(m, zt, 3, T)) / (2 * h))).toBeLessThan(1e-5);
    }
    expect(Array.from(gt!.dataSync()).every((v) => v === 0)).toBe(true);
    tf.dispose([s, t, gs!, gt!]);
  });

  it('inside tf.variableGrads only the student variable gets a gradient; no leaks', () => {
    const s = tf.variable(tf.tensor4d(rand(2 * 2 * 2 * 3, 7), [2, 2, 2, 3]));
    const t = tf.variable(tf.tensor4d(rand(2 * 4 * 4 * 3, 8), [2, 4, 4, 3]));
    const mask = validMask(tf.tensor3d([0, 1, 255, 2, 1, 1, 0, 255], [2, 2, 2], 'int32'));
    const before = tf.memory().numTensors;
    const { value: v, grads } = tf.variableGrads(() => kdLoss(s as tf.Tensor4D, t as tf.Tensor4D, 2, mask), [s, t]);
    expect(tf.tidy(() => tf.max(tf.abs(grads[s.name]!)).dataSync()[0])).toBeGreaterThan(0);
    expect(tf.tidy(() => tf.max(tf.abs(grads[t.name]!)).dataSync()[0])).toBe(0);
    tf.dispose([v, ...Object.values(grads)]);
    kdLoss(s as tf.Tensor4D, t as tf.Tensor4D, 1).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([s, t, mask]);
  });
});

describe('pixelCrossEntropy / maskedCrossEntropy', () => {
  it('averages over the non-ignored pixels only (float64 reference)', () => {
    const z = Array.from(rand(2 * 2 * 3, 9));
    const labels = [0, 255, 2, 1];
    const logits = tf.tensor4d(z, [1, 2, 2, 3]);
    const lab = tf.tensor3d(labels, [1, 2, 2], 'int32');
    expect(value(pixelCrossEntropy(logits, lab))).toBeCloseTo(ceRef(z, labels, 3), 6);
    // float labels work too; another ignore value
    const labF = tf.tensor3d([0, 1, 2, 1], [1, 2, 2]);
    expect(value(pixelCrossEntropy(logits, labF, 1))).toBeCloseTo(ceRef(z, [0, 255, 2, 255], 3), 6);
    const mask = tf.tensor3d([1, 1, 0, 1], [1, 2, 2]);
    expect(value(maskedCrossEntropy(logits, lab, mask))).toBeCloseTo(ceRef(z, labels, 3, [1, 1, 0, 1]), 6);
    const allIgnored = tf.fill([1, 2, 2], 255, 'int32') as tf.Tensor3D;
    expect(value(pixelCrossEntropy(logits, allIgnored))).toBe(0);
    // ignored pixels get no gradient
    const g = tf.grad((x: tf.Tensor) => pixelCrossEntropy(x as tf.Tensor4D, lab))(logits);
    expect(Array.from(g.dataSync().slice(3, 6)).every((v) => v === 0)).toBe(true);
    expect(Array.from(g.dataSync().slice(0, 3)).some((v) => v !== 0)).toBe(true);
    tf.dispose([logits, lab, labF, mask, allIgnored, g]);
  });

  it('rejects labels of another size', () => {
    const logits = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
    const lab = tf.zeros([1, 2, 3], 'int32') as tf.Tensor3D;
    expect(() => pixelCrossEntropy(logits, lab)).toThrow(/must be \[1, 2, 2\]/);
    tf.dispose([logits, lab]);
  });
});

describe('OHEM cross-entropy', () => {
  // 16 pixels, 2 classes, label 0, logits [a, 0]: true-class probability p = sigmoid(a).
  const probs = [0.95, 0.1, 0.8, 0.65, 0.3, 0.99, 0.5, 0.75, 0.05, 0.9, 0.69, 0.85, 0.2, 0.72, 0.98, 0.6];
  const z = probs.flatMap((p) => [Math.log(p / (1 - p)), 0]);
  const setup = (labels: number[]) => ({ logits: tf.tensor4d(z, [1, 4, 4, 2]), lab: tf.tensor3d(labels, [1, 4, 4], 'int32') });
  const maskOf = async (m: tf.Tensor) => Array.from(await m.data());
  const byProb = (pred: (p: number, i: number) => boolean) => probs.map((p, i) => (pred(p, i) ? 1 : 0));

  it('keeps the pixels with p < 0.7 when they are more than the minimum', async () => {
    const { logits, lab } = setup(probs.map(() => 0));
    const m = ohemMask(logits, lab);
    expect(await maskOf(m)).toEqual(byProb((p) => p < 0.7)); // 8 pixels ≥ ⌈16/16⌉
    expect(value(ohemCrossEntropy(logits, lab))).toBeCloseTo(
      ceRef(
        z,
        probs.map(() => 0),
        2,
        byProb((p) => p < 0.7),
      ),
      5,
    );
    tf.dispose([logits, lab, m]);
  });

  it('keeps the ⌊f·n⌋ hardest pixels when fewer are below the threshold', async () => {
    const { logits, lab } = setup(probs.map(() => 0));
    const m = ohemMask(logits, lab, { threshold: 0.08, minKeptFraction: 1 / 4 });
    expect(await maskOf(m)).toEqual(byProb((p) => p <= 0.3)); // the 4 smallest: 0.05, 0.1, 0.2, 0.3
    const none = ohemMask(logits, lab, { threshold: 0.01, minKeptFraction: 0 });
    expect(await maskOf(none)).toEqual(probs.map(() => 0));
    tf.dispose([logits, lab, m, none]);
  });

  it('never keeps ignored pixels and counts the minimum over all pixels, as FasterSeg does (B·H·W // 16)', async () => {
    // ignore the 8 pixels at even indices, among them the hardest (0.05 at 8, 0.2 at 12, 0.3 at 4).
    const labels = probs.map((_, i) => (i % 2 === 0 ? 255 : 0));
    const { logits, lab } = setup(labels);
    const m = ohemMask(logits, lab, { threshold: 0.05, minKeptFraction: 1 / 4 });
    // min_kept = ⌊16/4⌋ = 4 (not ⌈8 valid/4⌉ = 2); valid p: 0.1, 0.65, 0.99, 0.75, 0.9, 0.85, 0.72, 0.6, ignored p = 1
    // → the 4th smallest is 0.72: keep 0.1 (index 1), 0.65 (3), 0.72 (13), 0.6 (15).
    const want = probs.map((_, i) => ([1, 3, 13, 15].includes(i) ? 1 : 0));
    expect(await maskOf(m)).toEqual(want);
    expect(value(ohemCrossEntropy(logits, lab, { threshold: 0.05, minKeptFraction: 1 / 4 }))).toBeCloseTo(ceRef(z, labels, 2, want), 5);
    tf.dispose([logits, lab, m]);
  });

  it('keeps p equal to the threshold (≤, as the reference) and skips OHEM when min_kept exceeds the valid pixels', async () => {
    const labels = probs.map((_, i) => (i % 2 === 0 ? 255 : 0)); // 8 valid
    const { logits, lab } = setup(labels);
    const all = ohemMask(logits, lab, { threshold: 0.05, minKeptFraction: 1 }); // min_kept 16 > 8 valid: skipped
    expect(await maskOf(all)).toEqual(labels.map((l) => (l === 255 ? 0 : 1)));
    // Threshold exactly at a pixel's p (float32 of the same softmax): that pixel is kept.
    const p0 = (await tf.tidy(() => tf.slice(tf.softmax(logits), [0, 0, 3, 0], [1, 1, 1, 1])).data())[0]!; // pixel 3, p ≈ 0.65
    const at = ohemMask(logits, lab, { threshold: p0, minKeptFraction: 0 });
    expect((await maskOf(at))[3]).toBe(1);
    tf.dispose([logits, lab, all, at]);
  });

  it("half the pixels ignored (the issue's case): min_kept = B·H·W // 16 = 8 of 128, against a float64 reference", async () => {
    // 2×8×8 pixels, 3 classes, every other pixel ignored; random logits: the reference algorithm in plain JS.
    const [b, h, w, k] = [2, 8, 8, 3];
    const n = b * h * w;
    const zz = rand(n * k, 41, 1.5);
    const labels = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 255 : i % k));
    const pTrue = labels.map((l, i) => (l === 255 ? 1 : Math.exp(logSoftmax64(zz.subarray(i * k, i * k + k))[l]!)));
    const minKept = Math.floor(n / 16);
    const kth = [...pTrue].sort((x, y) => x - y)[minKept - 1]!;
    const limit = Math.max(0.3, kth);
    const want = pTrue.map((p, i) => (labels[i] !== 255 && p <= limit ? 1 : 0));
    expect(minKept).toBe(8);
    expect(want.reduce((a: number, v) => a + v, 0)).toBeGreaterThanOrEqual(8);
    const logits = tf.tensor4d(zz, [b, h, w, k]);
    const lab = tf.tensor3d(labels, [b, h, w], 'int32');
    const m = ohemMask(logits, lab, { threshold: 0.3 });
    expect(await maskOf(m)).toEqual(want);
    expect(value(ohemCrossEntropy(logits, lab, { threshold: 0.3 }))).toBeCloseTo(ceRef(zz, labels, k, want), 5);
    tf.dispose([logits, lab, m]);
  });

  it('works inside tf.variableGrads: the gradient is masked CE with the selection held fixed; no leaks', () => {
    const labels = probs.map((_, i) => (i === 3 ? 255 : i % 2));
    const v = tf.variable(tf.tensor4d(z, [1, 4, 4, 2]));
    const lab = tf.tensor3d(labels, [1, 4, 4], 'int32');
    const before = tf.memory().numTensors;
    const { value: loss, grads } = tf.variableGrads(() => ohemCrossEntropy(v as tf.Tensor4D, lab), [v]);
    const fixed = ohemMask(v as tf.Tensor4D, lab);
    const ref = tf.grad((x: tf.Tensor) => maskedCrossEntropy(x as tf.Tensor4D, lab, fixed))(v as tf.Tensor4D);
    const [g, r] = [grads[v.name]!.dataSync(), ref.dataSync()];
    g.forEach((x, i) => expect(x).toBeCloseTo(r[i]!, 6));
    expect(Array.from(fixed.dataSync()).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    tf.dispose([loss, ...Object.values(grads), fixed, ref]);
    ohemCrossEntropy(v as tf.Tensor4D, lab).dispose();
    pixelCrossEntropy(v as tf.Tensor4D, lab).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([v, lab]);
  });
});

describe('withoutGradient', () => {
  it('passes the value and stops the gradient', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const g = tf.grad((a: tf.Tensor) =>
      tf.sum(
        tf.mul(
          a,
          withoutGradient(a, (b) => tf.square(b)),
        ),
      ),
    )(x);
    expect(Array.from(g.dataSync())).toEqual([1, 4, 9]);
    tf.dispose([x, g]);
  });
});
