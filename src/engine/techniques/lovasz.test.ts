import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { lovaszSoftmax } from './lovasz';

/** Float64 softmax of one pixel's logits. */
function softmax64(z: number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / s);
}

/**
 * Float64 Lovász-softmax written straight from the paper's reference code (`lovasz_softmax_flat`, classes 'present'):
 * probabilities [N][K], labels [N] (255 ignored).
 */
function lovaszRef(probs: number[][], labels: number[], k: number): number {
  const keep = labels.map((l, i) => [l, i] as const).filter(([l]) => l !== 255);
  const losses: number[] = [];
  for (let c = 0; c < k; c++) {
    const fg = keep.map(([l]): number => (l === c ? 1 : 0));
    if (fg.every((v) => v === 0)) continue;
    const errors = keep.map(([, i], j) => Math.abs(fg[j]! - probs[i]![c]!));
    const order = errors.map((e, j) => [e, j] as const).sort((a, b) => b[0] - a[0]);
    const gts = fg.reduce((a, v) => a + v, 0);
    let cumFg = 0;
    let prev = 0;
    let loss = 0;
    order.forEach(([e, j], r) => {
      cumFg += fg[j]!;
      const jac = 1 - (gts - cumFg) / (gts + (r + 1 - cumFg));
      loss += e * (jac - prev);
      prev = jac;
    });
    losses.push(loss);
  }
  return losses.length ? losses.reduce((a, v) => a + v, 0) / losses.length : 0;
}

function lovaszOfLogits64(z: Float64Array, labels: number[], k: number): number {
  const probs = labels.map((_, i) => softmax64(Array.from(z.subarray(i * k, i * k + k))));
  return lovaszRef(probs, labels, k);
}

/** Random logits [b,h,w,k] (float64) and labels with some ignored pixels and class k−1 absent. */
function sample(seed: number, b: number, h: number, w: number, k: number) {
  const rand = mulberry32(seed);
  const n = b * h * w;
  const z = Float64Array.from({ length: n * k }, () => (rand() - 0.5) * 4);
  const labels = Array.from({ length: n }, () => (rand() < 0.1 ? 255 : Math.floor(rand() * (k - 1))));
  return { z, labels };
}

describe('lovaszSoftmax', () => {
  it('matches a float64 implementation of the reference code, with ignored pixels and an absent class', () => {
    const [b, h, w, k] = [2, 3, 5, 4];
    const { z, labels } = sample(7, b, h, w, k);
    const got = tf.tidy(() => lovaszSoftmax(tf.tensor4d(Float32Array.from(z), [b, h, w, k]), tf.tensor3d(labels, [b, h, w], 'int32')).arraySync());
    expect(got).toBeCloseTo(lovaszOfLogits64(z, labels, k), 5);
  });

  it('is 1 − IoU averaged over the present classes when the probabilities are 0/1 (the Jaccard loss it extends)', () => {
    // 1×1×6 pixels, 3 classes; hard predictions via large logits.
    const labels = [0, 0, 1, 1, 2, 255];
    const pred = [0, 1, 1, 1, 0, 2];
    const k = 3;
    const z = pred.flatMap((p) => Array.from({ length: k }, (_, c) => (c === p ? 60 : -60)));
    // IoU by hand (the ignored pixel left out): class 0: I = 1 (pixel 0), U = 3 (0, 1, 4) → 1/3; class 1: I = 2, U = 3
    // (1, 2, 3) → 2/3; class 2: I = 0, U = 1 (4) → 0. Loss = mean(2/3, 1/3, 1) = 2/3.
    const got = tf.tidy(() => lovaszSoftmax(tf.tensor4d(z, [1, 1, 6, k]), tf.tensor3d(labels, [1, 1, 6], 'int32')).arraySync());
    expect(got).toBeCloseTo(2 / 3, 5);
  });

  it('is 0 for confident right answers and when no pixel is valid', () => {
    const k = 3;
    const labels = [2, 0, 1, 1];
    const z = labels.flatMap((l) => Array.from({ length: k }, (_, c) => (c === l ? 40 : -40)));
    const right = tf.tidy(() => lovaszSoftmax(tf.tensor4d(z, [1, 2, 2, k]), tf.tensor3d(labels, [1, 2, 2], 'int32')).arraySync());
    expect(right).toBeCloseTo(0, 6);
    const none = tf.tidy(() => lovaszSoftmax(tf.tensor4d(z, [1, 2, 2, k]), tf.tensor3d([255, 255, 255, 255], [1, 2, 2], 'int32')).arraySync());
    expect(none).toBe(0);
  });

  it('has the gradient of finite differences of the float64 reference', () => {
    const [b, h, w, k] = [1, 3, 4, 3];
    const { z, labels } = sample(11, b, h, w, k);
    const lab = tf.tensor3d(labels, [b, h, w], 'int32');
    const grad = tf.grad((x: tf.Tensor) => lovaszSoftmax(x as tf.Tensor4D, lab));
    const g = tf.tidy(() => grad(tf.tensor4d(Float32Array.from(z), [b, h, w, k])).dataSync());
    lab.dispose();
    const eps = 1e-6;
    for (let i = 0; i < z.length; i++) {
      const up = Float64Array.from(z);
      const down = Float64Array.from(z);
      up[i] = up[i]! + eps;
      down[i] = down[i]! - eps;
      const fd = (lovaszOfLogits64(up, labels, k) - lovaszOfLogits64(down, labels, k)) / (2 * eps);
      expect(g[i]).toBeCloseTo(fd, 4);
    }
  });

  it('leaves no tensor behind through a gradient step', () => {
    const [b, h, w, k] = [2, 4, 4, 3];
    const { z, labels } = sample(3, b, h, w, k);
    const x = tf.variable(tf.tensor4d(Float32Array.from(z), [b, h, w, k]));
    const lab = tf.tensor3d(labels, [b, h, w], 'int32');
    const before = tf.memory().numTensors;
    for (let s = 0; s < 2; s++) {
      const { value, grads } = tf.variableGrads(() => lovaszSoftmax(x as unknown as tf.Tensor4D, lab), [x]);
      tf.tidy(() => x.assign(tf.sub(x, tf.mul(grads[x.name]!, 0.1)) as tf.Tensor4D));
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, lab]);
  });
});
