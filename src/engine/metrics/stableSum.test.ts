import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { pixelCrossEntropy } from '../techniques/distill';
import { stableMean, stableSum } from './stableSum';

const rand = (n: number, seed: number) => {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => 2 * rng() - 1);
};
const f64Sum = (v: Float32Array) => v.reduce((a, x) => a + x, 0);
const read = async (t: tf.Tensor) => {
  const v = (await t.data())[0]!;
  t.dispose();
  return v;
};

describe('stableSum on the cpu backend', () => {
  it('equals the float64 sum at sizes around the chunk (1, 255, 256, 257, 70,001) and of any shape', async () => {
    for (const n of [1, 255, 256, 257, 70_001]) {
      const v = rand(n, n);
      const want = f64Sum(v);
      const x = tf.tensor1d(v);
      expect(Math.abs((await read(stableSum(x))) - want)).toBeLessThan(1e-6 * Math.max(1, Math.sqrt(n)));
      x.dispose();
    }
    const x = tf.tensor3d(rand(2 * 300 * 7, 3), [2, 300, 7]);
    expect(await read(stableMean(x))).toBeCloseTo(f64Sum(rand(4200, 3)) / 4200, 6);
    x.dispose();
  });

  it('has gradient one for every element and leaks nothing', async () => {
    const x = tf.tensor2d(rand(3 * 700, 9), [3, 700]);
    const before = tf.memory().numTensors;
    const g = tf.grad((t: tf.Tensor) => stableSum(t))(x);
    expect(Array.from(await g.data()).every((v) => v === 1)).toBe(true);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('stableSum on wasm (whose Sum adds float32 one element at a time)', () => {
  beforeAll(async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('sums 1 M constants to 1e-5 relative (tf.sum alone drifts by ~1e-3)', async () => {
    const n = 1_000_000;
    const x = tf.fill([n], 0.1);
    const exact = n * Math.fround(0.1);
    const stable = await read(stableSum(x));
    const plain = await read(tf.sum(x));
    x.dispose();
    expect(Math.abs(stable - exact) / exact).toBeLessThan(1e-5);
    console.info(
      `1 M × 0.1 on wasm: stableSum rel. error ${(Math.abs(stable - exact) / exact).toExponential(2)}, tf.sum ${(Math.abs(plain - exact) / exact).toExponential(2)}`,
    );
  });

  it('a Segment-lab-size loss (8×128×256 pixels, 8 classes) agrees with the cpu backend to 1e-5', async () => {
    const [b, h, w, k] = [8, 128, 256, 8];
    const z = rand(b * h * w * k, 5).map((v) => 3 * v);
    const labels = Int32Array.from({ length: b * h * w }, (_, i) => (i % 13 === 0 ? 255 : (i * 7) % k));
    const loss = async () => {
      const logits = tf.tensor4d(z, [b, h, w, k]);
      const y = tf.tensor3d(labels, [b, h, w], 'int32');
      const v = await read(pixelCrossEntropy(logits, y));
      tf.dispose([logits, y]);
      return v;
    };
    const onWasm = await loss();
    await tf.setBackend('cpu');
    const onCpu = await loss();
    await tf.setBackend('wasm');
    expect(Math.abs(onWasm - onCpu) / onCpu).toBeLessThan(1e-5);
  });
});
