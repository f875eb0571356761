import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mulberry32, normal } from '../../random';
import { createParamStore, disposeParams } from '../params';
import { attention, createAttention, createLayerNorm, layerNorm } from './attention';
import type { DetectBuilder, Linear } from './detectBuilder';

const builder = (seed = 0): DetectBuilder => ({ store: createParamStore(seed), layers: [], part: 'encoder' });
const randn = (n: number, seed: number) => {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => normal(rng));
};

/** x·W + b in float64 for row-major x [rows, in], W [in, out]. */
function linear64(x: ArrayLike<number>, rows: number, l: Linear): Float64Array {
  const [cin, cout] = l.kernel.shape as [number, number];
  const w = l.kernel.dataSync();
  const b = l.bias.dataSync();
  const y = new Float64Array(rows * cout);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < cout; o++) {
      let s = b[o]!;
      for (let i = 0; i < cin; i++) s += x[r * cin + i]! * w[i * cout + o]!;
      y[r * cout + o] = s;
    }
  return y;
}

describe('LayerNorm and multi-head attention (§4)', () => {
  it('LayerNorm over the last axis matches a float64 computation (biased variance, ε 1e-5, γ and β)', () => {
    const b = builder();
    const ln = createLayerNorm(b, 'ln', 6);
    ln.gamma.assign(tf.tensor1d(randn(6, 1)));
    ln.beta.assign(tf.tensor1d(randn(6, 2)));
    const xs = randn(2 * 3 * 6, 3).map((v, i) => v * (1 + (i % 5)) + 2);
    const got = tf.tidy(() => layerNorm(ln, tf.tensor3d(xs, [2, 3, 6])).dataSync());
    const g = ln.gamma.dataSync();
    const be = ln.beta.dataSync();
    for (let r = 0; r < 6; r++) {
      const row = Array.from(xs.slice(r * 6, r * 6 + 6), Number);
      const mean = row.reduce((s, v) => s + v, 0) / 6;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / 6;
      row.forEach((v, i) => expect(got[r * 6 + i]).toBeCloseTo(((v - mean) / Math.sqrt(variance + 1e-5)) * g[i]! + be[i]!, 4));
    }
    disposeParams(b.store);
  });

  for (const heads of [1, 2]) {
    it(`${heads} head(s): softmax(QKᵀ/√d_head)·V matches float64; weights averaged over heads; xavier limits`, () => {
      const [d, lq, lk, batch] = [8, 3, 5, 2];
      const b = builder(4);
      const m = createAttention(b, 'att', d, heads, lq, lk);
      for (const [l, s] of [
        [m.q, 5],
        [m.k, 6],
        [m.v, 7],
        [m.out, 8],
      ] as const)
        l.bias.assign(tf.tensor1d(randn(d, s)));
      // in-projection limit √(6/(d + 3d)) = √(6/32), out projection √(6/2d) = √(6/16)
      expect(Math.max(...Array.from(m.q.kernel.dataSync(), Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 32));
      expect(Math.max(...Array.from(m.out.kernel.dataSync(), Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / 16));
      const [qx, kx, vx] = [randn(batch * lq * d, 9), randn(batch * lk * d, 10), randn(batch * lk * d, 11)];
      const got = tf.tidy(() => {
        const r = attention(m, tf.tensor3d(qx, [batch, lq, d]), tf.tensor3d(kx, [batch, lk, d]), tf.tensor3d(vx, [batch, lk, d]), true);
        return { out: r.out.dataSync(), weights: r.weights!.dataSync(), shape: r.weights!.shape };
      });
      expect(got.shape).toEqual([batch, lq, lk]);
      const dh = d / heads;
      for (let bi = 0; bi < batch; bi++) {
        const Q = linear64(qx.slice(bi * lq * d, (bi + 1) * lq * d), lq, m.q);
        const K = linear64(kx.slice(bi * lk * d, (bi + 1) * lk * d), lk, m.k);
        const V = linear64(vx.slice(bi * lk * d, (bi + 1) * lk * d), lk, m.v);
        const merged = new Float64Array(lq * d);
        const meanW = new Float64Array(lq * lk);
        for (let h = 0; h < heads; h++)
          for (let i = 0; i < lq; i++) {
            const s = Array.from({ length: lk }, (_, j) => {
              let dot = 0;
              for (let c = 0; c < dh; c++) dot += Q[i * d + h * dh + c]! * K[j * d + h * dh + c]!;
              return dot / Math.sqrt(dh);
            });
            const mx = Math.max(...s);
            const e = s.map((v) => Math.exp(v - mx));
            const z = e.reduce((a, v) => a + v, 0);
            const a = e.map((v) => v / z);
            a.forEach((v, j) => (meanW[i * lk + j] = meanW[i * lk + j]! + v / heads));
            for (let c = 0; c < dh; c++) merged[i * d + h * dh + c] = a.reduce((acc, v, j) => acc + v * V[j * d + h * dh + c]!, 0);
          }
        const want = linear64(merged, lq, m.out);
        want.forEach((v, i) => expect(got.out[bi * lq * d + i]).toBeCloseTo(v, 4));
        meanW.forEach((v, i) => expect(got.weights[bi * lq * lk + i]).toBeCloseTo(v, 5));
      }
      // params 4·(d² + d); MACs (lq + 2·lk + lq)·d² + 2·lq·lk·d
      expect(b.layers.reduce((s, l) => s + l.params, 0)).toBe(4 * (d * d + d));
      expect(b.layers.reduce((s, l) => s + l.macs, 0)).toBe((2 * lq + 2 * lk) * d * d + 2 * lq * lk * d);
      disposeParams(b.store);
    });
  }
});
