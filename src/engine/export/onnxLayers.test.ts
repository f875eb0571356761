import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mulberry32, normal } from '../random';
import { OnnxGraph } from './onnxGraph';
import { conv, depthwiseToOihw, hwioToOihw, resizeBilinear, samePads, type Value } from './onnxLayers';
import { nhwcToNchw, runOrt } from './ortCheck.fixture';

/** A one-layer graph `input → layer → logits`, run in ORT on an NHWC tensor; returns NCHW values. */
async function runLayer(
  x: tf.Tensor4D,
  weights: Map<string, { shape: number[]; values: Float32Array }>,
  layer: (ctx: { g: OnnxGraph; weights: typeof weights }, v: Value) => Value,
) {
  const [b, h, w, c] = x.shape;
  const g = new OnnxGraph();
  const v: Value = { name: g.addInput('input', ['N', c, h, w]), c, h, w };
  const y = layer({ g, weights }, v);
  g.addOutput(g.add('Identity', [y.name], {}, 'logits'), ['N', y.c, y.h, y.w]);
  const bytes = g.encode({ graphName: 't', producerName: 't', producerVersion: '0', docString: '', metadata: {} });
  return runOrt(bytes, nhwcToNchw((await x.data()) as Float32Array, x.shape), [b, c, h, w]);
}

const randn = (n: number, seed: number) => {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => normal(rng));
};

async function expectClose(got: Float32Array, want: tf.Tensor4D) {
  const ref = nhwcToNchw((await want.data()) as Float32Array, want.shape);
  expect(got.length).toBe(ref.length);
  let d = 0;
  ref.forEach((v, i) => (d = Math.max(d, Math.abs(v - got[i]!))));
  expect(d).toBeLessThan(1e-5);
}

describe('ONNX layer conventions (tfjs forward as the reference)', () => {
  it("tfjs 'same' pads: the odd pixel goes after (bottom/right)", () => {
    expect(samePads(32, 3, 2)).toEqual([0, 1]);
    expect(samePads(32, 5, 2)).toEqual([1, 2]);
    expect(samePads(9, 3, 2)).toEqual([1, 1]);
    expect(samePads(9, 1, 2)).toEqual([0, 0]);
    expect(samePads(16, 3, 1)).toEqual([1, 1]);
    expect(samePads(16, 5, 1)).toEqual([2, 2]);
  });

  it('HWIO → OIHW and depthwise [k,k,C,m] → [C·m,1,k,k] put every weight where ONNX reads it', () => {
    const hwio = { shape: [2, 3, 4, 5], values: Float32Array.from({ length: 120 }, (_, i) => i) };
    const o = hwioToOihw(hwio);
    expect(o.dims).toEqual([5, 4, 2, 3]);
    // w[y=1][x=2][i=3][o=4] = ((1·3 + 2)·4 + 3)·5 + 4 = 119 lands at OIHW [4][3][1][2]
    expect(o.values[((4 * 4 + 3) * 2 + 1) * 3 + 2]).toBe(119);
    const dw = depthwiseToOihw({ shape: [3, 3, 4, 2], values: Float32Array.from({ length: 72 }, (_, i) => i) });
    expect(dw.dims).toEqual([8, 1, 3, 3]);
    // w[y=2][x=1][c=3][j=1] = ((2·3 + 1)·4 + 3)·2 + 1 = 63 feeds output channel 3·2 + 1 = 7
    expect(dw.values[(7 * 3 + 2) * 3 + 1]).toBe(63);
  });

  for (const [k, stride, size] of [
    [3, 2, 10],
    [5, 2, 8],
    [3, 2, 9],
    [5, 1, 7],
  ] as const) {
    it(`conv and depthwise conv k${k} stride ${stride} on ${size}×${size} match tfjs 'same'`, async () => {
      const x = tf.tensor4d(randn(2 * size * size * 3, 1), [2, size, size, 3]);
      const kernel = { shape: [k, k, 3, 4], values: randn(k * k * 12, 2) };
      const dwKernel = { shape: [k, k, 3, 2], values: randn(k * k * 6, 3) };
      const weights = new Map([
        ['c.kernel', kernel],
        ['d.kernel', dwKernel],
      ]);
      const want = tf.conv2d(x, tf.tensor4d(kernel.values, [k, k, 3, 4]), stride, 'same');
      await expectClose((await runLayer(x, weights, (ctx, v) => conv(ctx, v, 'c.kernel', { stride }))).data, want);
      const wantDw = tf.depthwiseConv2d(x, tf.tensor4d(dwKernel.values, [k, k, 3, 2]), stride, 'same');
      await expectClose((await runLayer(x, weights, (ctx, v) => conv(ctx, v, 'd.kernel', { stride, depthwise: true }))).data, wantDw);
      tf.dispose([x, want, wantDw]);
    });
  }

  for (const [from, to] of [
    [
      [4, 6],
      [8, 12],
    ],
    [
      [8, 12],
      [4, 6],
    ],
    [
      [2, 4],
      [16, 32],
    ],
  ] as const) {
    it(`bilinear ${from.join('×')} → ${to.join('×')} = tf.image.resizeBilinear(alignCorners = true)`, async () => {
      const x = tf.tensor4d(randn(2 * from[0] * from[1] * 3, 4), [2, from[0], from[1], 3]);
      const want = tf.image.resizeBilinear(x, [to[0], to[1]], true);
      await expectClose((await runLayer(x, new Map(), (ctx, v) => resizeBilinear(ctx, v, to[0], to[1]))).data, want);
      tf.dispose([x, want]);
    });
  }
});
