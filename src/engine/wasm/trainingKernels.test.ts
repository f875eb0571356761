import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, normal } from '../random';
import { registerWasmTrainingKernels } from './trainingKernels';
import { relError } from './relError.fixture';

/** Seeded normal values (so both backends see identical inputs). */
function values(n: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => normal(rng));
}
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

interface ConvCase {
  name: string;
  x: [number, number, number, number];
  k: number;
  out: number; // conv: out channels; depthwise: channel multiplier
  stride: 1 | 2;
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
}

/** PyTorch-style padding p on every side, as explicit NHWC pads (ResNet-18's stride-2 3×3 convs use p = 1). */
const sym = (p: number): tf.backend_util.ExplicitPadding => [
  [0, 0],
  [p, p],
  [p, p],
  [0, 0],
];

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
  { name: 'ResNet-18 3×3 s2 explicit symmetric pad 1, even size', x: [2, 8, 8, 4], k: 3, out: 6, stride: 2, pad: sym(1) },
  { name: 'ResNet-18 3×3 s2 explicit symmetric pad 1, odd size', x: [2, 9, 9, 3], k: 3, out: 4, stride: 2, pad: sym(1) },
  {
    name: '3×3 s2 explicit asymmetric pads (1 top, 0 bottom, 2 left, 1 right)',
    x: [1, 8, 7, 2],
    k: 3,
    out: 3,
    stride: 2,
    pad: [
      [0, 0],
      [1, 0],
      [2, 1],
      [0, 0],
    ],
  },
  { name: '3×3 s2 numeric pad 1', x: [2, 8, 8, 3], k: 3, out: 2, stride: 2, pad: 1 },
  { name: '3×3 s1 explicit pad 3 > k − 1 (the transposed conv crops dy)', x: [1, 5, 5, 2], k: 3, out: 3, stride: 1, pad: sym(3) },
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
  { name: 'k3 s2 explicit symmetric pad 1, even size', x: [2, 8, 8, 3], k: 3, out: 1, stride: 2, pad: sym(1) },
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

  it('forward of a 3×3 stride-2 conv on wasm pads symmetrically by hand (4×4 input 1…16, kernel of ones)', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(
      Array.from({ length: 16 }, (_, i) => i + 1),
      [1, 4, 4, 1],
    );
    const w = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
    const [symmetric, same] = [tf.conv2d(x, w, 2, sym(1)), tf.conv2d(x, w, 2, 'same')];
    // symmetric: windows rows/cols {−1,0,1} and {1,2,3} → [[1+2+5+6, 2+3+4+6+7+8], [5+6+9+10+13+14, 6+7+8+10+11+12+14+15+16]]
    expect(Array.from(await symmetric.data())).toEqual([14, 30, 57, 99]);
    // tfjs 'same': windows {0,1,2} and {2,3,4}, the zero pad only bottom/right
    expect(Array.from(await same.data())).toEqual([54, 45, 72, 54]);
    tf.dispose([x, w, symmetric, same]);
  });
});
