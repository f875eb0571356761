import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { pixelShuffle } from './pixelShuffle';

/** Float64 reference: out[b, h·r+i, w·r+j, c] = x[b, h, w, (i·r + j)·C + c]. */
function shuffleRef(x: Float64Array, shape: readonly number[], r: number): Float64Array {
  const [b, h, w, d] = shape as [number, number, number, number];
  const c = d / (r * r);
  const out = new Float64Array(x.length);
  const [oh, ow] = [h * r, w * r];
  for (let n = 0; n < b; n++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++)
        for (let k = 0; k < c; k++) {
          const [hi, i, wi, j] = [Math.floor(y / r), y % r, Math.floor(xx / r), xx % r];
          out[((n * oh + y) * ow + xx) * c + k] = x[((n * h + hi) * w + wi) * d + (i * r + j) * c + k]!;
        }
  return out;
}

const randomArray = (n: number, seed: number) => {
  const rng = mulberry32(seed);
  return Float64Array.from({ length: n }, () => Math.fround(2 * rng() - 1));
};

const SHAPES: [number[], number][] = [
  [[1, 2, 3, 4], 2],
  [[2, 3, 2, 12], 2],
  [[2, 2, 2, 32], 4],
  [[1, 1, 2, 128], 8],
  [[3, 2, 1, 64], 8],
];

describe('pixelShuffle (Shi et al. 2016)', () => {
  for (const [shape, r] of SHAPES) {
    it(`equals tf.depthToSpace and the float64 reference for [${shape}] ×${r}`, async () => {
      const values = randomArray(
        shape.reduce((a, v) => a * v, 1),
        r + shape[3]!,
      );
      const x = tf.tensor4d(Float32Array.from(values), shape as [number, number, number, number]);
      const got = pixelShuffle(x, r);
      const d2s = tf.depthToSpace(x, r, 'NHWC');
      expect(got.shape).toEqual([shape[0], shape[1]! * r, shape[2]! * r, shape[3]! / (r * r)]);
      expect(Array.from(await got.data())).toEqual(Array.from(await d2s.data()));
      expect(Array.from(await got.data())).toEqual(Array.from(shuffleRef(values, shape, r)));
      tf.dispose([x, got, d2s]);
    });
  }

  it('equals the literal 6-D form of TECHNIQUES.md (reshape → transpose [0,1,3,2,4,5] → reshape)', async () => {
    const [b, h, w, r, c] = [2, 3, 2, 2, 3];
    const x = tf.tensor4d(Float32Array.from(randomArray(b * h * w * r * r * c, 9)), [b, h, w, r * r * c]);
    const six = tf.tidy(() => tf.reshape(tf.transpose(tf.reshape(x, [b, h, w, r, r, c]), [0, 1, 3, 2, 4, 5]), [b, h * r, w * r, c]));
    const got = pixelShuffle(x, r);
    expect(Array.from(await got.data())).toEqual(Array.from(await six.data()));
    tf.dispose([x, six, got]);
  });

  it('has the finite-difference gradient of sum(pixelShuffle(x)·W) (float64)', () => {
    const shape = [2, 2, 3, 8];
    const r = 2;
    const n = shape.reduce((a, v) => a * v, 1);
    const xv = randomArray(n, 1);
    const wv = randomArray(n, 2);
    const f = (v: Float64Array) => shuffleRef(v, shape, r).reduce((s, o, k) => s + o * wv[k]!, 0);
    const x = tf.tensor4d(Float32Array.from(xv), shape as [number, number, number, number]);
    const outShape = [2, 4, 6, 2] as const;
    const wt = tf.tensor4d(Float32Array.from(wv), [...outShape]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pixelShuffle(t as tf.Tensor4D, r), wt)))(x);
    const gv = g.dataSync();
    const eps = 1e-6;
    for (let k = 0; k < n; k++) {
      const p = Float64Array.from(xv),
        m = Float64Array.from(xv);
      p[k]! += eps;
      m[k]! -= eps;
      expect(Math.abs(gv[k]! - (f(p) - f(m)) / (2 * eps))).toBeLessThan(1e-6);
    }
    tf.dispose([x, wt, g]);
  });

  it('leaks no tensors and rejects bad factors', () => {
    const x = tf.ones([1, 2, 2, 8]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    pixelShuffle(x, 2).dispose();
    pixelShuffle(x, 1).dispose();
    const g = tf.grad((t: tf.Tensor) => tf.sum(pixelShuffle(t as tf.Tensor4D, 2)))(x);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => pixelShuffle(x, 3)).toThrow(/divisible by 9/);
    expect(() => pixelShuffle(x, 0)).toThrow(/positive integer/);
    x.dispose();
  });
});
