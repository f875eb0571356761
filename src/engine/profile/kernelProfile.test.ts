import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32, normal } from '../random';
import { registerWasmTrainingKernels } from '../wasm/trainingKernels';
import { profileKernels, type KernelProfile } from './kernelProfile';

const values = (n: number, seed: number) => {
  const rng = mulberry32(seed);
  return Float32Array.from({ length: n }, () => normal(rng));
};

/** One SGD step of a tiny conv → relu → mean-pool → dense net on labels, like the trainers' (variableGrads, then the update). */
function tinyStep(w: tf.Variable, d: tf.Variable): tf.Scalar {
  const x = tf.tensor4d(values(2 * 6 * 6 * 3, 1), [2, 6, 6, 3]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3));
  const { value, grads } = tf.variableGrads(() => {
    const h = tf.mean(tf.relu(tf.conv2d(x, w as tf.Tensor4D, 1, 'same')), [1, 2]);
    return tf.losses.softmaxCrossEntropy(y, tf.matMul(h, d as tf.Tensor2D)) as tf.Scalar;
  }, [w, d]);
  tf.tidy(() => {
    w.assign(tf.sub(w, tf.mul(grads[w.name]!, 0.1)));
    d.assign(tf.sub(d, tf.mul(grads[d.name]!, 0.1)));
  });
  tf.dispose([x, y, ...Object.values(grads)]);
  return value;
}

/** Counts and times that must add up in any profile. */
function checkConsistent(p: KernelProfile): void {
  let calls = 0;
  for (const k of p.kernels) {
    const phaseCalls = Object.values(k.byPhase).reduce((a, b) => a + b.calls, 0);
    const phaseMs = Object.values(k.byPhase).reduce((a, b) => a + b.selfMs, 0);
    expect(phaseCalls).toBe(k.calls);
    expect(phaseMs).toBeCloseTo(k.selfMs, 6);
    expect(k.nestedCalls).toBeLessThanOrEqual(k.calls);
    expect(Object.values(k.byCaller).reduce((a, b) => a + b.calls, 0)).toBe(k.nestedCalls);
    expect(k.selfMs).toBeGreaterThanOrEqual(-1e-6);
    calls += k.calls;
  }
  expect(p.phases.reduce((a, b) => a + b.calls, 0)).toBe(calls);
  expect(p.phases.reduce((a, b) => a + b.kernelMs, 0)).toBeCloseTo(p.kernelMs, 6);
  // Self times add up to the time of the outermost calls.
  expect(p.kernels.reduce((a, k) => a + k.inclusiveMs, 0)).toBeCloseTo(p.kernelMs, 6);
  expect(p.kernelMs).toBeLessThanOrEqual(p.wallMs + 1e-6);
}

async function profiledStep(): Promise<KernelProfile> {
  const w = tf.variable(tf.tensor4d(values(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]));
  const d = tf.variable(tf.tensor2d(values(4 * 3, 3), [4, 3]));
  const before = tf.memory().numTensors;
  const { result, profile } = await profileKernels(() => tinyStep(w, d));
  result.dispose();
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([w, d]);
  return profile;
}

describe('profileKernels', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('counts every kernel call of a training step by phase (cpu), leaks nothing and puts the shipped kernels back', async () => {
    await tf.setBackend('cpu');
    const shipped = tf.getKernelsForBackend('cpu');
    const p = await profiledStep();
    checkConsistent(p);
    expect(p.backend).toBe('cpu');
    expect(p.phases.map((s) => s.phase)).toEqual(['beforeTape', 'forward', 'backward', 'afterTape']); // OneHot before the tape
    const conv = p.kernels.find((k) => k.name === 'Conv2D')!;
    expect(conv.calls).toBe(1);
    expect(conv.byPhase.forward?.calls).toBe(1);
    expect(p.kernels.find((k) => k.name === 'Conv2DBackpropFilter')!.byPhase.backward?.calls).toBe(1);
    // Two updates: Mul and Sub twice each, after the tape.
    expect(p.kernels.find((k) => k.name === 'Sub')!.byPhase.afterTape?.calls).toBe(2);
    // The wrappers are gone: the very same configs are registered again.
    const now = tf.getKernelsForBackend('cpu');
    expect(now.length).toBe(shipped.length);
    for (const k of shipped) expect(tf.getKernel(k.kernelName, 'cpu')).toBe(k);
  });

  it('separates self from inclusive time for kernels that run kernels (wasm conv gradients)', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
    const shipped = tf.getKernelsForBackend('wasm');
    const p = await profiledStep();
    checkConsistent(p);
    const filter = p.kernels.find((k) => k.name === 'Conv2DBackpropFilter')!;
    expect(filter.nestedCalls).toBe(0);
    expect(filter.inclusiveMs).toBeGreaterThanOrEqual(filter.selfMs);
    // Its transposes and the forward conv it runs are nested calls, in the backward phase.
    const transpose = p.kernels.find((k) => k.name === 'Transpose')!;
    expect(transpose.nestedCalls).toBeGreaterThanOrEqual(3);
    expect(transpose.byPhase.backward?.calls).toBeGreaterThanOrEqual(3);
    const conv = p.kernels.find((k) => k.name === 'Conv2D')!;
    expect(conv.nestedCalls).toBe(1);
    expect(conv.byCaller.Conv2DBackpropFilter?.calls).toBe(1);
    for (const k of shipped) expect(tf.getKernel(k.kernelName, 'wasm')).toBe(k);
  });

  it('puts the shipped kernels back when the profiled function throws', async () => {
    await tf.setBackend('cpu');
    const shipped = tf.getKernelsForBackend('cpu');
    await expect(
      profileKernels(() => {
        tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    for (const k of shipped) expect(tf.getKernel(k.kernelName, 'cpu')).toBe(k);
  });
});
