import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, normal } from '../random';
import { registerWasmTrainingKernels } from './trainingKernels';

/** Seeded normal values (so both backends see identical inputs). */
function values(n: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => normal(rng));
}
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** max |a − b| / max |b|: relative to the reference's scale. */
function relError(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / Math.max(den, 1e-12);
}

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  k: number;
  out: number; // conv: out channels; depthwise: channel multiplier
  stride: 1 | 2;
  pad: 'same' | 'valid';
}

/** Gradients of Σ (conv(x, w) · r) w.r.t. x and w, on the current backend (r a fixed random cotangent). */
async function convGrads(c: ConvCase, depthwise: boolean): Promise<{ dx: Float32Array; dw: Float32Array }> {
  const cin = c.x[3];
  const wShape = [c.k, c.k, cin, c.out];
  const x = tf.tensor4d(values(size(c.x), 1), c.x);
  const w = tf.tensor4d(values(size(wShape), 2), wShape as [number, number, number, number]);
  const f = (xx: tf.Tensor4D, ww: tf.Tensor4D) => (depthwise ? tf.depthwiseConv2d(xx, ww, c.stride, c.pad) : tf.conv2d(xx, ww, c.stride, c.pad));
  const probe = f(x, w);
  const yShape = probe.shape;
  probe.dispose();
  const r = tf.tensor(values(size(yShape), 3), yShape);
  const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(f(xx as tf.Tensor4D, ww as tf.Tensor4D), r)));
  const [dx, dw] = g([x, w]);
  const out = { dx: (await dx!.data()) as Float32Array, dw: (await dw!.data()) as Float32Array };
  tf.dispose([x, w, r, dx!, dw!]);
  return out;
}

const CONV_CASES: ConvCase[] = [
  { name: 'VGG 3×3 s1 same', x: [2, 8, 8, 3], k: 3, out: 5, stride: 1, pad: 'same' },
  { name: 'ResNet 3×3 s2 same, even size', x: [2, 8, 8, 4], k: 3, out: 6, stride: 2, pad: 'same' },
  { name: 'ResNet 1×1 s2 same (projection shortcut)', x: [3, 8, 8, 4], k: 1, out: 8, stride: 2, pad: 'same' },
  { name: '1×1 s1 (pointwise)', x: [2, 5, 5, 6], k: 1, out: 3, stride: 1, pad: 'same' },
  { name: '3×3 s1 valid', x: [2, 7, 6, 3], k: 3, out: 4, stride: 1, pad: 'valid' },
  { name: '3×3 s2 valid, odd size', x: [1, 9, 9, 2], k: 3, out: 3, stride: 2, pad: 'valid' },
  { name: '3×3 s2 same, odd size', x: [2, 7, 7, 3], k: 3, out: 2, stride: 2, pad: 'same' },
  { name: '5×5 s1 same', x: [1, 6, 6, 2], k: 5, out: 3, stride: 1, pad: 'same' },
];

const DEPTHWISE_CASES: ConvCase[] = [
  { name: 'MBConv k3 s1 same', x: [2, 8, 8, 6], k: 3, out: 1, stride: 1, pad: 'same' },
  { name: 'MBConv k3 s2 same', x: [2, 8, 8, 5], k: 3, out: 1, stride: 2, pad: 'same' },
  { name: 'MBConv k5 s1 same', x: [2, 7, 7, 4], k: 5, out: 1, stride: 1, pad: 'same' },
  { name: 'MobileNetV3 k5 s2 same, odd size', x: [2, 9, 9, 3], k: 5, out: 1, stride: 2, pad: 'same' },
  { name: 'PixelShuffle upscaler k3 s1 same', x: [1, 4, 8, 7], k: 3, out: 1, stride: 1, pad: 'same' },
  { name: 'k3 s1 valid', x: [2, 6, 7, 3], k: 3, out: 1, stride: 1, pad: 'valid' },
  { name: 'k3 s2 valid', x: [1, 9, 8, 2], k: 3, out: 1, stride: 2, pad: 'valid' },
  { name: 'channel multiplier 2, k3 s2 same', x: [2, 8, 8, 3], k: 3, out: 2, stride: 2, pad: 'same' },
];

describe('wasm training kernels match the cpu backend (relative error < 1e-4)', () => {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const [kind, cases] of [
    ['conv2d', CONV_CASES],
    ['depthwiseConv2d', DEPTHWISE_CASES],
  ] as const) {
    for (const c of cases) {
      it(`${kind}: ${c.name}`, async () => {
        await tf.setBackend('cpu');
        const ref = await convGrads(c, kind === 'depthwiseConv2d');
        await tf.setBackend('wasm');
        const before = tf.memory().numTensors;
        const got = await convGrads(c, kind === 'depthwiseConv2d');
        expect(tf.memory().numTensors).toBe(before);
        expect(relError(got.dw, ref.dw)).toBeLessThan(1e-4);
        expect(relError(got.dx, ref.dx)).toBeLessThan(1e-4);
      });
    }
  }
});
