import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { channelSparsity } from './channelSparsity';
import { DEFAULT_ZERO_THRESHOLD } from '../../protocol/labs/prune';

describe('channelSparsity', () => {
  it('counts zero groups per layer and in total over all groups, and exact-zero weights', async () => {
    // a: HWIO [1,1,2,2]: input groups [1,0] (norm 1) and [0,0] (zero) → 1/2.
    const a = tf.tensor4d([1, 0, 0, 0], [1, 1, 2, 2]);
    // b: HWIO [1,1,4,1]: input groups 0, 1e-20, 3, 0 → with threshold 1e-15: 3 of 4 zero.
    const b = tf.tensor4d([0, 1e-20, 3, 0], [1, 1, 4, 1]);
    const before = tf.memory().numTensors;
    const s = await channelSparsity(
      [
        { name: 'a', kernel: a },
        { name: 'b', kernel: b },
      ],
      'input',
      DEFAULT_ZERO_THRESHOLD,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(s.layers).toEqual(['a', 'b']);
    expect(s.groups).toEqual([2, 4]);
    expect(s.zeroGroups).toEqual([1, 3]);
    expect(s.layerSparsity).toEqual([0.5, 0.75]);
    expect(s.total).toBeCloseTo(4 / 6, 12); // not the mean of the ratios (0.625)
    expect(s.zeroWeights).toBe(5); // 1e-20 is not exactly zero
    expect(s.weights).toBe(8);
    expect(s.weightSparsity).toBe(5 / 8);
    expect(Array.from(s.norms[0]!)).toEqual([1, 0]);
    expect(s.norms[1]![2]).toBe(3);
    expect(s.threshold).toBe(1e-15);
    tf.dispose([a, b]);
  });

  it('uses the given threshold and the output grouping', async () => {
    // HWIO [1,1,2,3]: output groups (columns) [0.5,0], [0,0.1], [2,0] → norms 0.5, 0.1, 2.
    const k = tf.tensor4d([0.5, 0, 2, 0, 0.1, 0], [1, 1, 2, 3]);
    const strict = await channelSparsity([{ name: 'k', kernel: k }], 'output', DEFAULT_ZERO_THRESHOLD);
    expect(strict.total).toBe(0);
    const loose = await channelSparsity([{ name: 'k', kernel: k }], 'output', 0.6);
    expect(loose.zeroGroups).toEqual([2]);
    expect(loose.total).toBeCloseTo(2 / 3, 12);
    expect(loose.weightSparsity).toBe(3 / 6);
    k.dispose();
  });

  it('handles no layers', async () => {
    const s = await channelSparsity([], 'input', DEFAULT_ZERO_THRESHOLD);
    expect(s.total).toBe(0);
    expect(s.weightSparsity).toBe(0);
  });
});
