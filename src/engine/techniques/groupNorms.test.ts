import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { broadcastGroups, groupCount, groupNorms, groupPenalty, scaleGroups, smoothedGroupNormSum } from './groupNorms';

/** HWIO [2, 1, 3, 2] with w[h,0,i,o] = 1 + h + 10·i + 100·o, and its values in a plain array. */
function kernel(): { t: tf.Tensor4D; at: (h: number, i: number, o: number) => number } {
  const at = (h: number, i: number, o: number) => 1 + h + 10 * i + 100 * o;
  const vals: number[] = [];
  for (let h = 0; h < 2; h++) for (let i = 0; i < 3; i++) for (let o = 0; o < 2; o++) vals.push(at(h, i, o));
  return { t: tf.tensor4d(vals, [2, 1, 3, 2]), at };
}

describe('groupNorms', () => {
  it('computes per-input and per-output channel ℓ2 norms of an HWIO kernel', () => {
    const { t, at } = kernel();
    const inNorms = groupNorms(t, 'input').arraySync();
    const outNorms = groupNorms(t, 'output').arraySync();
    expect(inNorms).toHaveLength(3);
    expect(outNorms).toHaveLength(2);
    for (let i = 0; i < 3; i++) {
      let s = 0;
      for (let h = 0; h < 2; h++) for (let o = 0; o < 2; o++) s += at(h, i, o) ** 2;
      expect(inNorms[i]).toBeCloseTo(Math.sqrt(s), 3);
    }
    for (let o = 0; o < 2; o++) {
      let s = 0;
      for (let h = 0; h < 2; h++) for (let i = 0; i < 3; i++) s += at(h, i, o) ** 2;
      expect(outNorms[o]).toBeCloseTo(Math.sqrt(s), 3);
    }
    expect(groupCount([3, 3, 5, 7], 'input')).toBe(5);
    expect(groupCount([3, 3, 5, 7], 'output')).toBe(7);
    t.dispose();
  });

  it('smoothed penalty is Σ sqrt(‖w_g‖² + 1e-8) and has a finite gradient at zero', () => {
    const w = tf.tensor4d([3, 4, 0, 0], [1, 1, 2, 2]); // input groups: [3, 4] and [0, 0]
    expect(smoothedGroupNormSum(w, 'input').arraySync()).toBeCloseTo(5 + 1e-4, 5);
    expect(groupPenalty([w, w], 'input', 0.5).arraySync()).toBeCloseTo(5 + 1e-4, 5);
    const g = tf.grad((k: tf.Tensor) => smoothedGroupNormSum(k, 'input'))(w);
    const gv = Array.from(g.dataSync());
    expect(gv[0]).toBeCloseTo(3 / 5, 5);
    expect(gv[1]).toBeCloseTo(4 / 5, 5);
    expect(gv[2]).toBe(0);
    expect(gv[3]).toBe(0);
    tf.dispose([w, g]);
  });

  it('broadcasts a per-group vector back to the kernel shape', () => {
    const s = tf.tensor1d([1, 2, 3]);
    const bIn = broadcastGroups(s, [2, 1, 3, 2], 'input');
    expect(bIn.shape).toEqual([2, 1, 3, 2]);
    expect(Array.from(bIn.dataSync())).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
    const s2 = tf.tensor1d([5, 7]);
    const bOut = broadcastGroups(s2, [2, 1, 3, 2], 'output');
    expect(Array.from(bOut.dataSync())).toEqual([5, 7, 5, 7, 5, 7, 5, 7, 5, 7, 5, 7]);
    const { t } = kernel();
    const scaled = scaleGroups(t, s, 'input');
    expect(Array.from(scaled.dataSync())).toEqual(Array.from(tf.mul(t, bIn).dataSync()));
    expect(() => broadcastGroups(s2, [2, 1, 3, 2], 'input')).toThrow();
    tf.dispose([s, s2, bIn, bOut, t, scaled]);
  });

  it('leaks no tensors', () => {
    const { t } = kernel();
    const before = tf.memory().numTensors;
    tf.dispose([groupNorms(t, 'input'), smoothedGroupNormSum(t, 'output'), groupPenalty([t], 'input', 1e-3)]);
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
  });
});
