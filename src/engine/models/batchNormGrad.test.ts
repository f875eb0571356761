import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32, normal } from '../random';
import { registerWasmTrainingKernels } from '../wasm/trainingKernels';
import { BN_EPSILON, BN_MOMENTUM, batchNorm, type BatchNorm } from './layers';
import { relError } from '../wasm/relError.fixture';

/**
 * Training-mode batch norm differentiates as one custom op (layers.ts, issue #17). Its gradients through
 * conv → BN → relu → Σ r·y must match tfjs-core's own gradients of `tf.moments` + `tf.batchNorm` (the path it
 * replaces) and float64 central differences, and a step must not leak tensors.
 */

type Shape4 = [number, number, number, number];

interface Case {
  x: Shape4;
  k: number;
  cout: number;
  /** Added to channel c of the input as offset·(c + 1): BN must cope with a mean far from 0. */
  offset: number;
  seed: number;
}

/** Seeded normal values (identical on every backend). */
function values(n: number, seed: number, offset = 0, period = 1): Float64Array {
  const rng = mulberry32(seed);
  return Float64Array.from({ length: n }, (_, i) => normal(rng) + offset * ((i % period) + 1));
}
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

interface Inputs {
  x: Float64Array;
  kernel: Float64Array;
  gamma: Float64Array;
  beta: Float64Array;
  r: Float64Array;
}

function inputsOf(c: Case): Inputs {
  const cin = c.x[3];
  return {
    x: values(size(c.x), c.seed, c.offset, cin),
    kernel: values(c.k * c.k * cin * c.cout, c.seed + 1).map((v) => v / Math.sqrt(c.k * c.k * cin)),
    gamma: values(c.cout, c.seed + 2).map((v) => 1 + 0.3 * v),
    beta: values(c.cout, c.seed + 3).map((v) => 0.2 * v),
    r: values(c.x[0] * c.x[1] * c.x[2] * c.cout, c.seed + 4),
  };
}

const GRADS = ['x', 'kernel', 'gamma', 'beta'] as const;
type Grads = Record<(typeof GRADS)[number], Float32Array>;

/** What tfjs-core did before: moments + tf.batchNorm, differentiated by its registered gradients. */
function tfjsBatchNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, beta as tf.Tensor1D, gamma as tf.Tensor1D, BN_EPSILON);
}

/**
 * Gradients of Σ r·relu(BN(conv(x))) wrt x, the conv kernel, γ, β on the current backend, through layers.ts's
 * batchNorm ('custom') or the tfjs-core path ('tfjs'); also the running statistics after the step and the
 * change in tf.memory().numTensors once everything returned is disposed.
 */
async function gradients(c: Case, path: 'custom' | 'tfjs'): Promise<{ grads: Grads; runningMean: Float32Array; runningVar: Float32Array; leaked: number }> {
  const inp = inputsOf(c);
  const cin = c.x[3];
  const x = tf.variable(tf.tensor4d(Float32Array.from(inp.x), c.x));
  const kernel = tf.variable(tf.tensor4d(Float32Array.from(inp.kernel), [c.k, c.k, cin, c.cout]));
  const bn: BatchNorm = {
    gamma: tf.variable(tf.tensor1d(Float32Array.from(inp.gamma))),
    beta: tf.variable(tf.tensor1d(Float32Array.from(inp.beta))),
    runningMean: tf.variable(tf.zeros([c.cout]), false),
    runningVar: tf.variable(tf.ones([c.cout]), false),
  };
  const r = tf.tensor4d(Float32Array.from(inp.r), [c.x[0], c.x[1], c.x[2], c.cout]);
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(() => {
    const h = tf.conv2d(x, kernel as tf.Tensor4D, 1, 'same');
    const y = path === 'custom' ? batchNorm(bn, h, { training: true }) : tfjsBatchNorm(h, bn.gamma, bn.beta);
    return tf.sum(tf.mul(tf.relu(y), r)) as tf.Scalar;
  }, [x, kernel, bn.gamma, bn.beta]);
  const out = {} as Grads;
  for (const [name, v] of [
    ['x', x],
    ['kernel', kernel],
    ['gamma', bn.gamma],
    ['beta', bn.beta],
  ] as const) {
    out[name] = (await grads[v.name]!.data()) as Float32Array;
  }
  tf.dispose([value, ...Object.values(grads)]);
  const leaked = tf.memory().numTensors - before;
  const runningMean = (await bn.runningMean.data()) as Float32Array;
  const runningVar = (await bn.runningVar.data()) as Float32Array;
  tf.dispose([x, kernel, r, bn.gamma, bn.beta, bn.runningMean, bn.runningVar]);
  return { grads: out, runningMean, runningVar, leaked };
}

/** Float64 reference of the same net: the loss, and the batch moments (biased variance) per channel. */
function reference(c: Case, p: Inputs): { loss: number; mean: Float64Array; variance: Float64Array } {
  const [b, hh, ww, cin] = c.x;
  const { k, cout } = c;
  const half = (k - 1) >> 1; // 'same', stride 1, odd k
  const z = new Float64Array(b * hh * ww * cout);
  for (let n = 0; n < b; n++)
    for (let i = 0; i < hh; i++)
      for (let j = 0; j < ww; j++)
        for (let o = 0; o < cout; o++) {
          let s = 0;
          for (let di = 0; di < k; di++)
            for (let dj = 0; dj < k; dj++) {
              const si = i + di - half;
              const sj = j + dj - half;
              if (si < 0 || si >= hh || sj < 0 || sj >= ww) continue;
              for (let q = 0; q < cin; q++) s += p.x[((n * hh + si) * ww + sj) * cin + q]! * p.kernel[((di * k + dj) * cin + q) * cout + o]!;
            }
          z[((n * hh + i) * ww + j) * cout + o] = s;
        }
  const count = b * hh * ww;
  const mean = new Float64Array(cout);
  const variance = new Float64Array(cout);
  for (let e = 0; e < z.length; e++) mean[e % cout]! += z[e]! / count;
  for (let e = 0; e < z.length; e++) variance[e % cout]! += (z[e]! - mean[e % cout]!) ** 2 / count;
  let loss = 0;
  for (let e = 0; e < z.length; e++) {
    const o = e % cout;
    const y = (p.gamma[o]! * (z[e]! - mean[o]!)) / Math.sqrt(variance[o]! + BN_EPSILON) + p.beta[o]!;
    loss += Math.max(y, 0) * p.r[e]!;
  }
  return { loss, mean, variance };
}

/** Float64 central differences of the reference loss wrt every input element. */
function centralDifferences(c: Case): Record<(typeof GRADS)[number], Float64Array> {
  const p = inputsOf(c);
  const h = 1e-6;
  const out = {} as Record<(typeof GRADS)[number], Float64Array>;
  for (const name of GRADS) {
    const arr = p[name];
    out[name] = arr.map((v, i) => {
      arr[i] = v + h;
      const up = reference(c, p).loss;
      arr[i] = v - h;
      const down = reference(c, p).loss;
      arr[i] = v;
      return (up - down) / (2 * h);
    });
  }
  return out;
}

const TINY: Case = { x: [2, 5, 5, 2], k: 3, cout: 3, offset: 0.5, seed: 7 };
const CASES: Case[] = [TINY, { x: [4, 8, 8, 3], k: 3, cout: 8, offset: 3, seed: 21 }, { x: [8, 4, 4, 6], k: 1, cout: 5, offset: -2, seed: 5 }];

/** Runs every check on the backend that is current; `tfjsRef` gives the tfjs-core path's gradients to compare with. */
async function checkCase(c: Case, tfjsRef: () => Promise<Grads>, tol: number): Promise<void> {
  const got = await gradients(c, 'custom');
  expect(got.leaked).toBe(0);
  const ref = await tfjsRef();
  for (const name of GRADS) expect(relError(got.grads[name], ref[name]), name).toBeLessThan(tol);
}

describe('training-mode batch norm: one custom gradient (issue #17)', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const c of CASES) {
    it(`cpu: same gradients as tfjs-core's moments + batchNorm (x ${c.x}, k ${c.k}, ${c.cout} channels, ≤ 1e-5 relative)`, async () => {
      await tf.setBackend('cpu');
      await checkCase(c, async () => (await gradients(c, 'tfjs')).grads, 1e-5);
    });
  }

  it('cpu: gradients match float64 central differences, running stats follow the batch moments (tiny case)', async () => {
    await tf.setBackend('cpu');
    const got = await gradients(TINY, 'custom');
    const cd = centralDifferences(TINY);
    for (const name of GRADS) expect(relError(got.grads[name], cd[name]), name).toBeLessThan(1e-5);
    const { mean, variance } = reference(TINY, inputsOf(TINY));
    const n = TINY.x[0] * TINY.x[1] * TINY.x[2];
    expect(
      relError(
        got.runningMean,
        mean.map((m) => BN_MOMENTUM * m),
      ),
    ).toBeLessThan(1e-5);
    expect(
      relError(
        got.runningVar,
        variance.map((v) => 1 - BN_MOMENTUM + (BN_MOMENTUM * v * n) / (n - 1)),
      ),
    ).toBeLessThan(1e-5);
  });

  it('cpu: a forward outside any tape (BN recalibration) adds only its output; inference mode uses the running stats', async () => {
    await tf.setBackend('cpu');
    const bn: BatchNorm = {
      gamma: tf.variable(tf.tensor1d([1.5, 0.5])),
      beta: tf.variable(tf.tensor1d([0.1, -0.2])),
      runningMean: tf.variable(tf.tensor1d([0.3, -0.1]), false),
      runningVar: tf.variable(tf.tensor1d([2, 0.5]), false),
    };
    const x = tf.tensor4d(Float32Array.from(values(2 * 3 * 3 * 2, 3)), [2, 3, 3, 2]);
    const expected = tf.batchNorm4d(
      x,
      bn.runningMean as tf.Tensor1D,
      bn.runningVar as tf.Tensor1D,
      bn.beta as tf.Tensor1D,
      bn.gamma as tf.Tensor1D,
      BN_EPSILON,
    );
    const before = tf.memory().numTensors;
    const inference = batchNorm(bn, x, { training: false });
    expect(Array.from(await inference.data())).toEqual(Array.from(await expected.data()));
    const training = tf.tidy(() => batchNorm(bn, x, { training: true }));
    const viaTfjs = tf.tidy(() => tfjsBatchNorm(x, bn.gamma, bn.beta));
    expect(relError(await training.data(), await viaTfjs.data())).toBeLessThan(1e-6);
    expect(tf.memory().numTensors).toBe(before + 3);
    tf.dispose([x, expected, inference, training, viaTfjs, bn.gamma, bn.beta, bn.runningMean, bn.runningVar]);
  });

  it('wasm: same gradients as tfjs-core on cpu (≤ 1e-4, the wasm conv kernels differ) and on wasm (≤ 1e-5), no leaks', async () => {
    await tf.setBackend('cpu');
    const cpuRef = await Promise.all(CASES.map(async (c) => (await gradients(c, 'tfjs')).grads));
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
    for (const [i, c] of CASES.entries()) {
      await checkCase(c, async () => cpuRef[i]!, 1e-4);
      await checkCase(c, async () => (await gradients(c, 'tfjs')).grads, 1e-5);
    }
  });
});
