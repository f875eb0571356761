import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { countParams, createParamStore, disposeParams } from './params';
import { BN_EPSILON } from './layers';
import {
  createSubPixelClassifier,
  createUpscale,
  subPixelClassify,
  subPixelMacs,
  subPixelParams,
  upscale,
  upscaleMacs,
  upscaleParams,
  type PixelShuffleUpscale,
} from './upscale';
import { pixelShuffle } from '../techniques/pixelShuffle';

describe('upscale module (§2)', () => {
  for (const [cin, cout, r] of [
    [3, 3, 2],
    [4, 2, 2],
    [2, 5, 4],
    [3, 3, 8],
  ] as const) {
    it(`pixelshuffle maps [2,3,4,${cin}] to [2,${3 * r},${4 * r},${cout}] (r=${r}) in both modes`, () => {
      const store = createParamStore(1);
      const m = createUpscale(store, 'up', cin, cout, r, 'pixelshuffle');
      const x = tf.randomNormal([2, 3, 4, cin], 0, 1, 'float32', 3) as tf.Tensor4D;
      for (const training of [true, false]) {
        const y = upscale(m, x, { training });
        expect(y.shape).toEqual([2, 3 * r, 4 * r, cout]);
        y.dispose();
      }
      expect(countParams(store)).toBe(upscaleParams(cin, cout, r, 'pixelshuffle'));
      x.dispose();
      disposeParams(store);
    });
  }

  it('bilinear ×r keeps the channels, has no params, and requires cin = cout', async () => {
    const store = createParamStore(1);
    const m = createUpscale(store, 'up', 2, 2, 4, 'bilinear');
    expect(store.trainable.size).toBe(0);
    const x = tf.tensor4d([1, 10, 3, 30], [1, 2, 1, 2]);
    const y = upscale(m, x, { training: true });
    expect(y.shape).toEqual([1, 8, 4, 2]);
    const v = await y.data();
    // align-corners: the output's corner pixels keep the input's corner values.
    expect([v[0], v[1], v[(7 * 4 + 3) * 2], v[(7 * 4 + 3) * 2 + 1]]).toEqual([1, 10, 3, 30]);
    tf.dispose([x, y]);
    expect(() => createUpscale(store, 'bad', 3, 4, 2, 'bilinear')).toThrow(/keeps the channel count/);
    expect(upscaleParams(5, 5, 8, 'bilinear')).toBe(0);
    expect(upscaleMacs(5, 5, 8, 'bilinear', 4, 4)).toBe(0);
  });

  it('counts params and MACs by hand', () => {
    // cin 4, cout 3, r 2: dw 3·3·4 = 36, BN 2·4 = 8, 1×1 4·12 = 48 → 92; MACs per pixel 36 + 48 = 84.
    expect(upscaleParams(4, 3, 2, 'pixelshuffle')).toBe(92);
    expect(upscaleMacs(4, 3, 2, 'pixelshuffle', 5, 6)).toBe(84 * 30);
    // 19 classes ×8: dw 171, BN 38, 1×1 19·19·64 = 23,104 → 23,313.
    expect(upscaleParams(19, 19, 8, 'pixelshuffle')).toBe(23_313);
    expect(upscaleMacs(19, 19, 8, 'pixelshuffle', 8, 16)).toBe((171 + 23_104) * 128);
    const store = createParamStore(0);
    createUpscale(store, 'up8', 19, 19, 8, 'pixelshuffle');
    expect(countParams(store)).toBe(23_313);
    expect([...store.trainable.keys()]).toEqual(['up8.dw.kernel', 'up8.bn.gamma', 'up8.bn.beta', 'up8.pw.kernel']);
    expect([...store.state.keys()]).toEqual(['up8.bn.runningMean', 'up8.bn.runningVar']);
    disposeParams(store);
  });

  it('ICNR: the initial 1×1 + shuffle output is identical at the r² sub-pixels of every block; the kernel is not', async () => {
    for (const [cin, cout, r] of [
      [3, 2, 2],
      [4, 3, 4],
    ] as const) {
      const store = createParamStore(7);
      const m = createUpscale(store, 'up', cin, cout, r, 'pixelshuffle') as PixelShuffleUpscale;
      const [h, w] = [3, 5];
      const x = tf.randomNormal([2, h, w, cin], 0, 1, 'float32', 11) as tf.Tensor4D;
      const y = tf.tidy(() => pixelShuffle(tf.conv2d(x, m.pointwise as tf.Tensor4D, 1, 'same'), r));
      const v = await y.data();
      const [oh, ow] = [h * r, w * r];
      let distinctBlocks = 0;
      for (let b = 0; b < 2; b++)
        for (let bh = 0; bh < h; bh++)
          for (let bw = 0; bw < w; bw++)
            for (let c = 0; c < cout; c++) {
              const at = (i: number, j: number) => v[((b * oh + bh * r + i) * ow + bw * r + j) * cout + c]!;
              for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) expect(at(i, j)).toBe(at(0, 0));
              if (bw > 0 && at(0, 0) !== v[((b * oh + bh * r) * ow + (bw - 1) * r) * cout + c]) distinctBlocks++;
            }
      expect(distinctBlocks).toBeGreaterThan(0); // the input varies, so blocks differ: not a trivially constant output
      // The kernel itself: columns s·cout + c equal column c; the base columns differ from each other.
      const k = await m.pointwise.data();
      for (let i = 0; i < cin; i++)
        for (let s = 0; s < r * r; s++) for (let c = 0; c < cout; c++) expect(k[(i * r * r + s) * cout + c]).toBe(k[i * r * r * cout + c]);
      expect(new Set(Array.from(k)).size).toBe(cin * cout);
      tf.dispose([x, y]);
      disposeParams(store);
    }
  });

  it('whole module at init, spatially constant input: output constant over each r×r block (eval mode)', async () => {
    const store = createParamStore(3);
    const m = createUpscale(store, 'up', 2, 2, 2, 'pixelshuffle');
    const x = tf.tile(tf.tensor4d([0.5, -1.5], [1, 1, 1, 2]), [1, 4, 4, 1]) as tf.Tensor4D;
    const y = upscale(m, x, { training: false });
    const v = await y.data();
    for (let bh = 0; bh < 4; bh++)
      for (let bw = 0; bw < 4; bw++)
        for (let c = 0; c < 2; c++) {
          const at = (i: number, j: number) => v[((bh * 2 + i) * 8 + bw * 2 + j) * 2 + c]!;
          expect([at(0, 1), at(1, 0), at(1, 1)]).toEqual([at(0, 0), at(0, 0), at(0, 0)]);
        }
    tf.dispose([x, y]);
    disposeParams(store);
  });

  it('a gradient reaches every variable (training mode); no tensor leaks', () => {
    const store = createParamStore(5);
    const m = createUpscale(store, 'up', 3, 2, 2, 'pixelshuffle');
    const x = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const wts = tf.randomNormal([2, 8, 8, 2], 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(upscale(m, x, { training: true }), wts)) as tf.Scalar, [...store.trainable.values()]);
    for (const [name, v] of store.trainable) {
      const g = grads[v.name];
      expect(g, name).toBeDefined();
      expect(g!.shape, name).toEqual(v.shape);
      expect(
        tf.tidy(() => tf.max(tf.abs(g!)).dataSync()[0]),
        name,
      ).toBeGreaterThan(0);
    }
    tf.dispose([value, ...Object.values(grads)]);
    for (const training of [false, true]) upscale(m, x, { training }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    const bi = createUpscale(store, 'bi', 3, 3, 2, 'bilinear');
    upscale(bi, x, { training: true }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, wts]);
    disposeParams(store);
  });

  it('sub-pixel classifier: names, params and MACs by hand; logits = 1×1 conv + bias of ReLU(BN(depthwise)) shuffled, negative logits kept (float64 reference)', async () => {
    const [cin, k, r, h, w] = [3, 2, 2, 3, 4];
    // 11·3 + (3 + 1)·2·4 = 33 + 32 = 65; MACs (27 + 24)·12
    expect(subPixelParams(cin, k, r)).toBe(65);
    expect(subPixelMacs(cin, k, r, h, w)).toBe(51 * 12);
    const store = createParamStore(5);
    const m = createSubPixelClassifier(store, 'head.subpixel', cin, k, r);
    expect(countParams(store)).toBe(65);
    expect([...store.trainable.keys()]).toEqual([
      'head.subpixel.dw.kernel',
      'head.subpixel.bn.gamma',
      'head.subpixel.bn.beta',
      'head.subpixel.kernel',
      'head.subpixel.bias',
    ]);
    // a bias that makes every logit of class 1 strongly negative: nothing after the 1×1 conv may clip it
    const biasValues = Float32Array.from({ length: k * r * r }, (_, i) => (i % k === 1 ? -50 : 0.25 * i));
    m.bias.assign(tf.tensor1d(biasValues));
    const x = tf.randomNormal([1, h, w, cin], 0, 1, 'float32', 9) as tf.Tensor4D;
    const y = subPixelClassify(m, x, { training: false });
    expect(y.shape).toEqual([1, h * r, w * r, k]);
    const [xv, dw, pw] = [await x.data(), await m.depthwise.data(), await m.kernel.data()];
    // inference BN with the initial running stats (mean 0, var 1, γ 1, β 0): y / sqrt(1 + ε)
    const bnScale = 1 / Math.sqrt(1 + BN_EPSILON);
    const act = new Float64Array(h * w * cin);
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let c = 0; c < cin; c++) {
          let acc = 0;
          for (let di = -1; di <= 1; di++)
            for (let dj = -1; dj <= 1; dj++) {
              const [ii, jj] = [i + di, j + dj];
              if (ii < 0 || jj < 0 || ii >= h || jj >= w) continue;
              acc += xv[(ii * w + jj) * cin + c]! * dw[((di + 1) * 3 + dj + 1) * cin + c]!;
            }
          act[(i * w + j) * cin + c] = Math.max(0, acc * bnScale);
        }
    const got = await y.data();
    let maxErr = 0;
    let negatives = 0;
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let si = 0; si < r; si++)
          for (let sj = 0; sj < r; sj++)
            for (let c = 0; c < k; c++) {
              const ch = (si * r + sj) * k + c;
              let z = biasValues[ch]!;
              for (let q = 0; q < cin; q++) z += act[(i * w + j) * cin + q]! * pw[q * k * r * r + ch]!;
              const v = got[((i * r + si) * w * r + j * r + sj) * k + c]!;
              maxErr = Math.max(maxErr, Math.abs(v - z));
              if (v < 0) negatives++;
            }
    expect(maxErr).toBeLessThan(1e-4);
    expect(negatives).toBeGreaterThanOrEqual(h * w * r * r);
    tf.dispose([x, y]);
    disposeParams(store);
  });
});
