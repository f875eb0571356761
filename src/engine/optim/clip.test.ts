import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { clipByGlobalNorm } from './clip';

/** A few gradients of assorted shapes (an HWIO kernel, a vector, a scalar) and their values as float64 arrays. */
function grads(seed: number, scale: number) {
  const rng = mulberry32(seed);
  const shapes: Record<string, number[]> = { kernel: [3, 3, 2, 4], bias: [4], gain: [] };
  const values: Record<string, number[]> = {};
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    values[name] = Array.from({ length: shape.reduce((a, x) => a * x, 1) }, () => scale * (2 * rng() - 1));
    tensors[name] = tf.tensor(values[name], shape);
  }
  // Float64 norm of the float32 values actually stored.
  const norm = Math.sqrt(Object.values(tensors).reduce((a, t) => a + Array.from(t.dataSync()).reduce((s, x) => s + x * x, 0), 0));
  return { tensors, norm };
}

describe('clipByGlobalNorm (torch.nn.utils.clip_grad_norm_)', () => {
  it('scales every gradient by maxNorm / (‖g‖ + 1e-6) when over the limit, and returns the pre-clip norm', () => {
    const { tensors, norm } = grads(1, 5);
    expect(norm).toBeGreaterThan(20);
    const out = clipByGlobalNorm(tensors, 2);
    expect(out.norm.dataSync()[0]).toBeCloseTo(norm, 4);
    const scale = 2 / (norm + 1e-6);
    let clippedSq = 0;
    for (const [name, g] of Object.entries(tensors)) {
      const got = out.grads[name]!;
      expect(got.shape).toEqual(g.shape);
      const gv = g.dataSync();
      got.dataSync().forEach((v, i) => {
        expect(Math.abs(v - gv[i]! * scale)).toBeLessThan(1e-6);
        clippedSq += v * v;
      });
    }
    expect(Object.keys(out.grads).sort()).toEqual(Object.keys(tensors).sort());
    expect(Math.sqrt(clippedSq)).toBeCloseTo(2, 5);
    tf.dispose([...Object.values(tensors), ...Object.values(out.grads), out.norm]);
  });

  it('is a no-op under the limit: new tensors with identical values', () => {
    const { tensors, norm } = grads(2, 0.1);
    const out = clipByGlobalNorm(tensors, 20);
    expect(out.norm.dataSync()[0]).toBeCloseTo(norm, 6);
    for (const [name, g] of Object.entries(tensors)) {
      const got = out.grads[name]!;
      expect(got).not.toBe(g);
      expect(Array.from(got.dataSync())).toEqual(Array.from(g.dataSync()));
    }
    tf.dispose(Object.values(tensors));
    expect(Array.from(out.grads.bias!.dataSync()).every(Number.isFinite)).toBe(true); // survives disposing the originals
    tf.dispose([...Object.values(out.grads), out.norm]);
  });

  it('handles no gradients and zero gradients, zeroes them at maxNorm = 0, refuses a negative maxNorm', () => {
    const empty = clipByGlobalNorm({}, 1);
    expect(empty.grads).toEqual({});
    expect(empty.norm.dataSync()[0]).toBe(0);
    empty.norm.dispose();
    const z = { w: tf.zeros([3]) };
    const out = clipByGlobalNorm(z, 1);
    expect(Array.from(out.grads.w!.dataSync())).toEqual([0, 0, 0]);
    const ones = tf.ones([2]);
    const zeroed = clipByGlobalNorm({ w: ones }, 0);
    expect(Array.from(zeroed.grads.w!.dataSync())).toEqual([0, 0]);
    expect(() => clipByGlobalNorm(z, -1)).toThrow(/maxNorm/);
    expect(() => clipByGlobalNorm(z, NaN)).toThrow(/maxNorm/);
    tf.dispose([z.w, ones, out.grads.w!, out.norm, zeroed.grads.w!, zeroed.norm]);
  });

  it('leaks no tensors (only the returned gradients and norm are new)', () => {
    const { tensors } = grads(3, 5);
    const before = tf.memory().numTensors;
    const out = clipByGlobalNorm(tensors, 1);
    expect(tf.memory().numTensors).toBe(before + Object.keys(tensors).length + 1);
    tf.dispose([...Object.values(out.grads), out.norm]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(tensors));
  });
});
