import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { groupLassoPenalty, proxGroupLassoStep } from './groupLasso';
import type { Grouping } from './groupNorms';

const SHAPE = [2, 2, 3, 4] as const; // HWIO
const groupOf = (k: number, g: Grouping) => (g === 'input' ? Math.floor(k / SHAPE[3]) % SHAPE[2] : k % SHAPE[3]);

/** Float64 λ·Σ_g sqrt(‖w_g‖² + 1e-8). */
function penaltyRef(w: Float64Array, lambda: number, g: Grouping): number {
  const sq = new Float64Array(g === 'input' ? SHAPE[2] : SHAPE[3]);
  w.forEach((v, k) => (sq[groupOf(k, g)]! += v * v));
  return lambda * sq.reduce((a, s) => a + Math.sqrt(s + 1e-8), 0);
}

describe('groupLassoPenalty', () => {
  for (const grouping of ['input', 'output'] as const) {
    it(`has the finite-difference gradient (float64) with ${grouping} groups`, () => {
      const rng = mulberry32(3);
      const w = Float64Array.from({ length: 48 }, (_, k) => (groupOf(k, grouping) === 1 ? 0 : Math.fround(2 * rng() - 1)));
      const lambda = 0.3;
      const wt = tf.tensor4d(Float32Array.from(w), [...SHAPE]);
      expect(groupLassoPenalty([wt], lambda, grouping).arraySync()).toBeCloseTo(penaltyRef(w, lambda, grouping), 4);
      const g = tf
        .grad((k: tf.Tensor) => groupLassoPenalty([k], lambda, grouping))(wt)
        .dataSync();
      const h = 1e-6;
      for (let k = 0; k < w.length; k++) {
        const wp = Float64Array.from(w),
          wm = Float64Array.from(w);
        wp[k]! += h;
        wm[k]! -= h;
        const fd = (penaltyRef(wp, lambda, grouping) - penaltyRef(wm, lambda, grouping)) / (2 * h);
        expect(Math.abs(g[k]! - fd)).toBeLessThan(1e-5);
      }
      tf.dispose(wt);
    });
  }

  it('sums over kernels', () => {
    const a = tf.tensor4d([3, 4], [1, 1, 1, 2]);
    const b = tf.tensor4d([0, 0], [1, 1, 2, 1]);
    // input groups: a has one group of norm 5; b has two zero groups (each sqrt(1e-8) = 1e-4).
    expect(groupLassoPenalty([a, b], 2, 'input').arraySync()).toBeCloseTo(2 * (5 + 2e-4), 5);
    tf.dispose([a, b]);
  });
});

describe('proxGroupLassoStep', () => {
  it('shrinks each group by lr·λ_GL/‖w_g‖ in place, to exact zero below it (hand values)', async () => {
    // input groups (rows): norm 5, norm 1, norm 0, norm 2; lr·λ = 0.5·2 = 1.
    const w = tf.variable(tf.tensor4d([3, 4, 0.6, 0.8, 0, 0, 0, 2], [1, 1, 4, 2]));
    proxGroupLassoStep([w], 0.5, 2, 'input');
    const got = Array.from(await w.data());
    [2.4, 3.2, 0, 0, 0, 0, 0, 1].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    expect(got.slice(2, 6).every((v) => v === 0)).toBe(true);
    expect(got.every(Number.isFinite)).toBe(true);
    w.dispose();
  });

  it('shrinks output groups (filters) and leaks no tensors', async () => {
    // columns [3, 4] (norm 5) and [0.3, 0.4] (norm 0.5); τ = 0.1·5 = 0.5.
    const w = tf.variable(tf.tensor4d([3, 0.3, 4, 0.4], [1, 1, 2, 2]));
    const before = tf.memory().numTensors;
    proxGroupLassoStep([w], 0.1, 5, 'output');
    expect(tf.memory().numTensors).toBe(before);
    const got = Array.from(await w.data());
    [2.7, 0, 3.6, 0].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    w.dispose();
  });
});
