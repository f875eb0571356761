import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { sinePositionalEncoding, sinePositionalEncodingTensor } from './positional';

describe('sinePositionalEncoding', () => {
  // h = 3, w = 4, d = 8 → numPosFeats 4, dim_t = 10000^(2·⌊i/2⌋/4) = [1, 1, 100, 100].
  // y = (r + 1)/(3 + 1e-6)·2π, x = (c + 1)/(4 + 1e-6)·2π.
  // Features: [sin(y/1), cos(y/1), sin(y/100), cos(y/100), sin(x/1), cos(x/1), sin(x/100), cos(x/100)].
  const h = 3;
  const w = 4;
  const d = 8;
  const byHand = (r: number, c: number): number[] => {
    const y = ((r + 1) / (h + 1e-6)) * 2 * Math.PI;
    const x = ((c + 1) / (w + 1e-6)) * 2 * Math.PI;
    return [Math.sin(y), Math.cos(y), Math.sin(y / 100), Math.cos(y / 100), Math.sin(x), Math.cos(x), Math.sin(x / 100), Math.cos(x / 100)];
  };

  it('has DETR’s values at a few positions (pos_y then pos_x, sin/cos interleaved)', () => {
    const pe = sinePositionalEncoding(h, w, d);
    expect(pe.length).toBe(h * w * d);
    for (const [r, c] of [
      [0, 0],
      [1, 2],
      [2, 3],
      [2, 0],
    ] as const) {
      const row = Array.from(pe.subarray((r * w + c) * d, (r * w + c + 1) * d));
      byHand(r, c).forEach((v, i) => expect(row[i]!).toBeCloseTo(v, 6));
    }
    // The last row/column sit at (almost) 2π: sin ≈ 0, cos ≈ 1 on the first pair.
    const last = (2 * w + 3) * d;
    expect(pe[last + 4]!).toBeCloseTo(0, 5);
    expect(pe[last + 5]!).toBeCloseTo(1, 5);
  });

  it('interleaves sin (even feature) and cos (odd) of the same frequency, as stack(…, dim=4).flatten(3)', () => {
    // d = 16 → numPosFeats 8, dim_t = [1, 1, 10, 10, 100, 100, 1000, 1000]: features 2k and 2k+1 share a frequency,
    // so sin² + cos² = 1 pairwise, and feature 2k is sin(v/10000^(2k/8)).
    const pe = sinePositionalEncoding(2, 5, 16);
    const y = (2 / (2 + 1e-6)) * 2 * Math.PI; // r = 1
    const x = (4 / (5 + 1e-6)) * 2 * Math.PI; // c = 3
    const base = (1 * 5 + 3) * 16;
    for (let k = 0; k < 4; k++) {
      const dim = Math.pow(10000, (2 * k) / 8);
      expect(pe[base + 2 * k]!).toBeCloseTo(Math.sin(y / dim), 6);
      expect(pe[base + 2 * k + 1]!).toBeCloseTo(Math.cos(y / dim), 6);
      expect(pe[base + 8 + 2 * k]!).toBeCloseTo(Math.sin(x / dim), 6);
      expect(pe[base + 8 + 2 * k + 1]!).toBeCloseTo(Math.cos(x / dim), 6);
      expect(pe[base + 2 * k]! ** 2 + pe[base + 2 * k + 1]! ** 2).toBeCloseTo(1, 5);
    }
  });

  it('as a tensor: shape [h·w, d], the same values, no leak beyond itself', async () => {
    const before = tf.memory().numTensors;
    const t = sinePositionalEncodingTensor(h, w, d);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(t.shape).toEqual([h * w, d]);
    expect(Array.from(await t.data())).toEqual(Array.from(sinePositionalEncoding(h, w, d)));
    t.dispose();
  });

  it('rejects d not a multiple of 4 and empty maps', () => {
    expect(() => sinePositionalEncoding(2, 2, 6)).toThrow(/multiple of 4/);
    expect(() => sinePositionalEncoding(0, 2, 8)).toThrow(/map size/);
  });
});
