import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { logitKdLoss } from './logitKd';

const rand = (b: number, k: number, seed: number, scale = 3) => {
  const rng = mulberry32(seed);
  return tf.tensor2d(
    Float32Array.from({ length: b * k }, () => scale * (2 * rng() - 1)),
    [b, k],
  );
};

const value = (s: tf.Scalar) => {
  const v = s.dataSync()[0]!;
  s.dispose();
  return v;
};

/** Float64 T² · mean over rows of KL(softmax(t/T) ‖ softmax(s/T)). */
function kl64(s: ArrayLike<number>, t: ArrayLike<number>, k: number, temp: number): number {
  const logSoftmax = (z: number[]) => {
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
    return z.map((v) => v - lse);
  };
  const b = s.length / k;
  let sum = 0;
  for (let r = 0; r < b; r++) {
    const ls = logSoftmax(Array.from({ length: k }, (_, c) => s[r * k + c]! / temp));
    const lt = logSoftmax(Array.from({ length: k }, (_, c) => t[r * k + c]! / temp));
    sum += lt.reduce((a, l, c) => a + Math.exp(l) * (l - ls[c]!), 0);
  }
  return (temp * temp * sum) / b;
}

describe('logitKdLoss', () => {
  it("'mse' by hand: diffs 1, 2, 2, 3 → mean of squares 4.5 (T ignored)", () => {
    const s = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const t = tf.tensor2d([0, 0, 1, 1], [2, 2]);
    expect(value(logitKdLoss(s, t, 'mse', 1))).toBeCloseTo(4.5, 6);
    expect(value(logitKdLoss(s, t, 'mse', 4))).toBeCloseTo(4.5, 6);
    tf.dispose([s, t]);
  });

  it("'kl' by hand: KL(softmax[0,1] ‖ softmax[1,0]) = tanh(1/2); at T = 2, 4 · ½ tanh(1/4) (Hinton et al. 2015)", () => {
    const s = tf.tensor2d([1, 0], [1, 2]);
    const t = tf.tensor2d([0, 1], [1, 2]);
    // log pT − log pS = ∓1/T (same log-sum-exp), so KL = (pT1 − pT0)/T = tanh(1/(2T))/T, times T².
    expect(value(logitKdLoss(s, t, 'kl', 1))).toBeCloseTo(Math.tanh(0.5), 6);
    expect(value(logitKdLoss(s, t, 'kl', 2))).toBeCloseTo(2 * Math.tanh(0.25), 6);
    tf.dispose([s, t]);
  });

  it("'kl' matches float64 on random logits and scales as T²: kl(s, t, T) = T² · kl(s/T, t/T, 1)", () => {
    const s = rand(4, 7, 1);
    const t = rand(4, 7, 2);
    for (const T of [1, 2, 4]) expect(value(logitKdLoss(s, t, 'kl', T))).toBeCloseTo(kl64(s.dataSync(), t.dataSync(), 7, T), 5);
    for (const T of [2, 5]) {
      const unscaled = tf.tidy(() => logitKdLoss(tf.div(s, T) as tf.Tensor2D, tf.div(t, T) as tf.Tensor2D, 'kl', 1));
      expect(value(logitKdLoss(s, t, 'kl', T))).toBeCloseTo(T * T * value(unscaled), 5);
    }
    expect(Math.abs(value(logitKdLoss(s, s, 'kl', 3)))).toBeLessThan(1e-6);
    tf.dispose([s, t]);
  });

  it('student gradients match central finite differences; the teacher gets none', () => {
    const s = rand(3, 5, 3);
    const t = rand(3, 5, 4);
    const eps = 1e-2;
    for (const [mode, T] of [
      ['mse', 1],
      ['kl', 1],
      ['kl', 3],
    ] as const) {
      const [gs, gt] = tf.grads((a, b) => logitKdLoss(a as tf.Tensor2D, b as tf.Tensor2D, mode, T))([s, t]);
      expect(Array.from(gt!.dataSync()).every((v) => v === 0)).toBe(true);
      const analytic = gs!.dataSync();
      const base = s.dataSync();
      for (let i = 0; i < base.length; i++) {
        const at = (d: number) => {
          const v = Float32Array.from(base);
          v[i]! += d;
          const x = tf.tensor2d(v, [3, 5]);
          const l = value(logitKdLoss(x, t, mode, T));
          x.dispose();
          return l;
        };
        const fd = (at(eps) - at(-eps)) / (2 * eps);
        // The losses are O(1) with smooth gradients ~1e-2…1: float32 round-off in the quotient is ~1e-5, truncation ~eps².
        expect(Math.abs(analytic[i]! - fd), `${mode} T=${T} coordinate ${i}`).toBeLessThanOrEqual(1e-2 * Math.abs(fd) + 2e-4);
      }
      tf.dispose([gs!, gt!]);
    }
    tf.dispose([s, t]);
  });

  it('refuses mismatched shapes or a non-positive temperature, and leaks no tensors', () => {
    const s = rand(2, 3, 5);
    const t = rand(2, 4, 6);
    const before = tf.memory().numTensors;
    expect(() => logitKdLoss(s, t, 'mse', 1)).toThrow(/same shape/);
    expect(() => logitKdLoss(s, s, 'kl', 0)).toThrow(/temperature/);
    for (const mode of ['mse', 'kl'] as const) {
      tf.dispose(logitKdLoss(s, s, mode, 2));
      tf.dispose(tf.grads((a, b) => logitKdLoss(a as tf.Tensor2D, b as tf.Tensor2D, mode, 2))([s, s]));
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([s, t]);
  });
});
