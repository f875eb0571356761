import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, normal } from '../random';
import { BATCH_NORM_BROADCAST_MIN, registerWasmTrainingKernels } from './trainingKernels';
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
  stride: number | [number, number];
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
  { name: '1×1 s2 same, odd size (the spread dy is cropped by one row and column)', x: [2, 7, 7, 3], k: 1, out: 4, stride: 2, pad: 'same' },
  { name: '3×3 s2 valid, even size (the last row and column are never read)', x: [2, 8, 8, 3], k: 3, out: 4, stride: 2, pad: 'valid' },
  {
    name: '1×1 s2 with a pad after (the last output row and column read only padding)',
    x: [2, 8, 8, 3],
    k: 1,
    out: 2,
    stride: 2,
    pad: [
      [0, 0],
      [0, 1],
      [0, 1],
      [0, 0],
    ],
  },
  { name: '2×2 s2 valid (one tap per output phase)', x: [2, 8, 6, 3], k: 2, out: 4, stride: 2, pad: 'valid' },
  { name: '5×5 s2 same, even size', x: [1, 8, 8, 3], k: 5, out: 2, stride: 2, pad: 'same' },
  { name: '3×3 s3 valid', x: [1, 9, 9, 2], k: 3, out: 3, stride: 3, pad: 'valid' },
  { name: '3×3 strides (2, 1) same', x: [2, 8, 7, 3], k: 3, out: 2, stride: [2, 1], pad: 'same' },
  {
    name: '3×3 s2 explicit asymmetric pads, even size (2 top, 0 bottom, 0 left, 2 right)',
    x: [1, 8, 8, 2],
    k: 3,
    out: 3,
    stride: 2,
    pad: [
      [0, 0],
      [2, 0],
      [0, 2],
      [0, 0],
    ],
  },
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
  { name: 'k3 s2 valid, even size (the last row and column are never read)', x: [2, 8, 8, 4], k: 3, out: 1, stride: 2, pad: 'valid' },
  { name: 'k5 s2 same, even size', x: [2, 8, 8, 3], k: 5, out: 1, stride: 2, pad: 'same' },
];

interface PoolCase {
  name: string;
  x: [number, number, number, number];
  k: number;
  stride: number;
  pad: 'same' | 'valid';
  /** Values rounded to integers in [−2, 2] and clipped at 0 (ReLU-like): most windows tie. */
  ties?: boolean;
}

const POOL_CASES: PoolCase[] = [
  { name: 'VGG 2×2 s2 valid', x: [2, 8, 8, 5], k: 2, stride: 2, pad: 'valid' },
  { name: '2×2 s2 valid with ties', x: [2, 8, 8, 5], k: 2, stride: 2, pad: 'valid', ties: true },
  { name: '2×2 s2 valid, odd size (the last row and column are dropped)', x: [1, 7, 9, 3], k: 2, stride: 2, pad: 'valid' },
  { name: '2×2 s2 same, odd size', x: [2, 7, 7, 3], k: 2, stride: 2, pad: 'same', ties: true },
  { name: '3×3 s2 same (overlapping windows) with ties', x: [2, 9, 8, 4], k: 3, stride: 2, pad: 'same', ties: true },
  { name: '3×3 s1 same', x: [1, 6, 6, 2], k: 3, stride: 1, pad: 'same' },
];

function poolInput(c: PoolCase): Float32Array {
  const v = values(size(c.x), 4);
  return c.ties ? v.map((a) => Math.max(0, Math.round(a * 2))) : v;
}

/** The gradient of Σ (maxPool(x) · r) w.r.t. x on the current backend. */
async function poolGrad(c: PoolCase): Promise<Float32Array> {
  const x = tf.tensor4d(poolInput(c), c.x);
  const probe = tf.maxPool(x, c.k, c.stride, c.pad);
  const r = tf.tensor(values(probe.size, 5), probe.shape);
  probe.dispose();
  const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xx as tf.Tensor4D, c.k, c.stride, c.pad), r)))(x);
  const out = (await dx.data()) as Float32Array;
  tf.dispose([x, r, dx]);
  return out;
}

/** [batch…, m, k] × [batch…, k, n] with the given transposes, and its gradients, on the current backend. */
async function matMulGrads(aShape: number[], bShape: number[], ta: boolean, tb: boolean): Promise<Float32Array[]> {
  const a = tf.tensor(values(size(aShape), 6), aShape);
  const b = tf.tensor(values(size(bShape), 7), bShape);
  const y = tf.matMul(a, b, ta, tb);
  const r = tf.tensor(values(y.size, 8), y.shape);
  const [da, db] = tf.grads((aa: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(tf.matMul(aa, bb, ta, tb), r)))([a, b]);
  const out = await Promise.all([y, da!, db!].map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([a, b, y, r, da!, db!]);
  return out;
}

const MATMUL_CASES: { name: string; a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
  { name: 'Aᵀ B (dense weight gradient)', a: [24, 7], b: [24, 5], ta: true, tb: false },
  { name: 'A Bᵀ (dense input gradient)', a: [9, 6], b: [4, 6], ta: false, tb: true },
  { name: 'Aᵀ Bᵀ', a: [6, 9], b: [4, 6], ta: true, tb: true },
  { name: 'batch 1, rank 3', a: [1, 6, 9], b: [1, 4, 6], ta: true, tb: true },
  { name: 'rank 4 with unit batch dims', a: [1, 1, 8, 3], b: [1, 1, 5, 3], ta: false, tb: true },
  { name: 'batched (attention scores: shipped kernel)', a: [2, 3, 5, 4], b: [2, 3, 6, 4], ta: false, tb: true },
  { name: 'plain', a: [5, 7], b: [7, 3], ta: false, tb: false },
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

  for (const c of POOL_CASES) {
    it(`maxPool gradient: ${c.name}`, async () => {
      await tf.setBackend('cpu');
      const ref = await poolGrad(c);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const got = await poolGrad(c);
      expect(tf.memory().numTensors).toBe(before);
      expect(relError(got, ref)).toBeLessThan(1e-4);
    });
  }

  it('maxPool gradient: a tie goes to the first maximum in row-major window order, as on cpu', async () => {
    await tf.setBackend('wasm');
    // windows of a 4×4 input, 2×2 stride 2: all equal / equal pair in the bottom row / equal pair in the right column
    const x = tf.tensor4d([1, 1, 0, 3, 1, 1, 0, 3, 5, 2, 4, 4, 2, 5, 4, 4], [1, 4, 4, 1]);
    const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xx as tf.Tensor4D, 2, 2, 'valid'), tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]))))(x);
    expect(Array.from(await dx.data())).toEqual([1, 0, 0, 2, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0]);
    tf.dispose([x, dx]);
  });

  it('maxPool gradient on wasm matches central differences (distinct values)', async () => {
    await tf.setBackend('wasm');
    const shape: [number, number, number, number] = [1, 6, 6, 2];
    // a permutation of 0…71 spaced by 1: a step of ±0.1 never changes which value is a window's maximum
    const base = Float32Array.from({ length: 72 }, (_, i) => (i * 37) % 72);
    const r = tf.tensor4d(values(18, 9), [1, 3, 3, 2]);
    const f = (x: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(x as tf.Tensor4D, 3, 2, 'same'), r));
    const x = tf.tensor4d(base, shape);
    const g = tf.grad(f)(x);
    const analytic = await g.data();
    tf.dispose([x, g]);
    for (let i = 0; i < base.length; i++) {
      const at = async (h: number) => {
        const v = base.slice();
        v[i] = v[i]! + h;
        const t = tf.tensor4d(v, shape);
        const y = f(t);
        const out = (await y.data())[0]!;
        tf.dispose([t, y]);
        return out;
      };
      const numeric = ((await at(0.1)) - (await at(-0.1))) / 0.2;
      expect(Math.abs(numeric - analytic[i]!), `element ${i}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(analytic[i]!)));
    }
    r.dispose();
  });

  for (const c of MATMUL_CASES) {
    it(`matMul and its gradients: ${c.name}`, async () => {
      await tf.setBackend('cpu');
      const ref = await matMulGrads(c.a, c.b, c.ta, c.tb);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const got = await matMulGrads(c.a, c.b, c.ta, c.tb);
      expect(tf.memory().numTensors).toBe(before);
      got.forEach((g, i) => expect(relError(g, ref[i]!), ['y', 'da', 'db'][i]).toBeLessThan(1e-5));
    });
  }

  const BN_CASES: { name: string; x: number[]; param: number[]; affine: boolean }[] = [
    { name: 'NHWC with per-channel γ, β', x: [2, 5, 4, 6], param: [6], affine: true },
    { name: 'without γ, β (x̂ in the batch-norm gradient)', x: [2, 3, 3, 4], param: [4], affine: false },
    { name: 'one value for every channel', x: [3, 7], param: [1], affine: true },
    { name: 'per-position parameters', x: [2, 3, 4], param: [3, 4], affine: true },
    // At and above BATCH_NORM_BROADCAST_MIN elements the broadcast kernel runs; the small cases above take the shipped one.
    { name: 'broadcast path, NHWC with γ, β', x: [2, 32, 64, 16], param: [16], affine: true },
    { name: 'broadcast path, without γ, β', x: [3, 32, 32, 24], param: [24], affine: false },
    { name: 'broadcast path, per-position parameters', x: [64, 32, 32], param: [32, 32], affine: true },
  ];
  it('the batch-norm cases cover both sides of the broadcast threshold', () => {
    expect(BN_CASES.filter((c) => size(c.x) >= BATCH_NORM_BROADCAST_MIN).length).toBe(3);
    expect(BN_CASES.filter((c) => size(c.x) < BATCH_NORM_BROADCAST_MIN).length).toBe(4);
  });
  for (const c of BN_CASES) {
    it(`batchNorm forward: ${c.name}`, async () => {
      const run = async () => {
        // a mean far from 0 relative to the spread, where (x − μ)·k and x·k − μ·k differ
        const x = tf.tensor(
          values(size(c.x), 10).map((v) => 30 + 0.5 * v),
          c.x,
        );
        const mean = tf.tensor(
          values(size(c.param), 11).map((v) => 30 + 0.1 * v),
          c.param,
        );
        const variance = tf.tensor(
          values(size(c.param), 12).map((v) => 0.2 + v * v),
          c.param,
        );
        const affine = c.affine ? [tf.tensor(values(size(c.param), 13), c.param), tf.tensor(values(size(c.param), 14), c.param)] : [];
        const y = tf.batchNorm(x, mean, variance, affine[1], affine[0], 1e-3);
        const out = (await y.data()) as Float32Array;
        tf.dispose([x, mean, variance, y, ...affine]);
        return out;
      };
      await tf.setBackend('cpu');
      const ref = await run();
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const got = await run();
      expect(tf.memory().numTensors).toBe(before);
      expect(relError(got, ref)).toBeLessThan(1e-5);
    });
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
