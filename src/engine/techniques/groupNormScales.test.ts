import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createParamStore, heNormal } from '../models/params';
import { layerNormScales, layerScalesFromNorms, median } from './groupNormScales';

describe('per-layer threshold scales (ours)', () => {
  it('median: the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('s_l = median of the layer / median of all groups pooled (by hand)', () => {
    // Layer A: [1, 2, 3] (median 2); layer B: [4, 6] (median 5); pooled [1,2,3,4,6] → median 3.
    expect(
      layerScalesFromNorms([
        [1, 2, 3],
        [4, 6],
      ]),
    ).toEqual([2 / 3, 5 / 3]);
    // Nothing positive to scale by: every scale is 1.
    expect(layerScalesFromNorms([[0, 0], [0]])).toEqual([1, 1]);
  });

  it('layerNormScales reads HWIO kernels by input groups and leaks nothing', () => {
    // k0 [1,1,2,2]: input groups rows [3,4] (norm 5) and [0,1] (norm 1) → median 3.
    // k1 [1,1,3,1]: input groups 2, 4, 6 → median 4. Pooled [1, 2, 4, 5, 6] → median 4.
    const k0 = tf.tensor4d([3, 4, 0, 1], [1, 1, 2, 2]);
    const k1 = tf.tensor4d([2, 4, 6], [1, 1, 3, 1]);
    const n = tf.memory().numTensors;
    const s = layerNormScales(
      new Map([
        ['k0', k0],
        ['k1', k1],
      ]),
      'input',
    );
    expect(tf.memory().numTensors).toBe(n);
    expect(s.get('k0')).toBeCloseTo(3 / 4, 6);
    expect(s.get('k1')).toBeCloseTo(1, 6);
    // Output groups: k0 columns [3,0] (3) and [4,1] (√17); k1 one column √56 → layer medians (3+√17)/2, √56.
    const o = layerNormScales(
      new Map([
        ['k0', k0],
        ['k1', k1],
      ]),
      'output',
    );
    const pooled = Math.sqrt(17);
    expect(o.get('k0')).toBeCloseTo((3 + Math.sqrt(17)) / 2 / pooled, 5);
    expect(o.get('k1')).toBeCloseTo(Math.sqrt(56) / pooled, 5);
    tf.dispose([k0, k1]);
  });

  it('He-initialised input groups scale like sqrt(C_out/C_in) between layers', () => {
    const store = createParamStore(5);
    const a = heNormal(store, 'a', [3, 3, 16, 32], 9 * 16); // norm ≈ sqrt(2·32/16) = 2
    const b = heNormal(store, 'b', [3, 3, 32, 32], 9 * 32); // ≈ sqrt(2) = 1.41
    const s = layerNormScales(
      new Map([
        ['a', a],
        ['b', b],
      ]),
      'input',
    );
    expect(s.get('a')! / s.get('b')!).toBeCloseTo(Math.sqrt(2), 1);
    tf.dispose([a, b]);
  });
});
