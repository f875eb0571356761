import { describe, expect, it } from 'vitest';
import { binNorms } from './normHistogram';

const counts = (h: ReturnType<typeof binNorms>) => h.bins.map((b) => b.count);

describe('binNorms', () => {
  it('bins by log10 with hand-computed counts', () => {
    // log10: -3, -2.5, -2, -1.5, -1, -1, 0 → range [-3, 0], 3 bins of width 1: [-3,-2) [-2,-1) [-1,0]
    const norms = [1e-3, 10 ** -2.5, 1e-2, 10 ** -1.5, 0.1, 0.1, 1];
    const h = binNorms(norms, 1e-15, { bins: 3 });
    expect(h.zeros).toBe(0);
    expect(h.total).toBe(7);
    expect(h.lo).toBeCloseTo(-3, 12);
    expect(h.hi).toBeCloseTo(0, 12);
    expect(counts(h)).toEqual([2, 2, 3]);
    expect(h.bins.map((b) => [b.x0, b.x1])).toEqual([
      [h.lo, h.lo + 1],
      [h.lo + 1, h.lo + 2],
      [h.lo + 2, h.hi],
    ]);
  });

  it('counts norms below the zero threshold and exact zeros apart, and ranges over the rest', () => {
    const h = binNorms(new Float32Array([0, 0, 1e-20, 1e-4, 0.05, 1]), 1e-15, { bins: 2 });
    expect(h.zeros).toBe(3);
    expect(h.total).toBe(6);
    expect(h.lo).toBeCloseTo(-4, 6);
    expect(h.hi).toBeCloseTo(0, 6);
    // [-4,-2) holds 1e-4; [-2,0] holds 0.05 (log −1.3) and 1
    expect(counts(h)).toEqual([1, 2]);
  });

  it('treats 0 as zero even with a zero threshold of 0', () => {
    const h = binNorms([0, 1, 10], 0, { bins: 1 });
    expect(h.zeros).toBe(1);
    expect(counts(h)).toEqual([2]);
  });

  it('uses a raised threshold: norms under it are zeros', () => {
    const h = binNorms([1e-5, 1e-3, 1e-1], 1e-4, { bins: 2 });
    expect(h.zeros).toBe(1);
    expect(h.lo).toBeCloseTo(-3, 12);
    expect(counts(h)).toEqual([1, 1]);
  });

  it('centres all-equal norms in a one-decade range', () => {
    const h = binNorms([0.5, 0.5, 0.5, 0], 1e-15, { bins: 30 });
    expect(h.zeros).toBe(1);
    expect(h.hi - h.lo).toBeCloseTo(1, 12);
    expect((h.lo + h.hi) / 2).toBeCloseTo(Math.log10(0.5), 12);
    expect(h.bins).toHaveLength(30);
    expect(h.bins[15]!.count).toBe(3);
    expect(h.bins.reduce((s, b) => s + b.count, 0)).toBe(3);
  });

  it('returns no bins for empty input or all-zero norms', () => {
    const empty = binNorms([], 1e-15);
    expect(empty).toEqual({ zeros: 0, bins: [], lo: NaN, hi: NaN, total: 0 });
    const allZero = binNorms(new Float32Array(4), 1e-15);
    expect(allZero.zeros).toBe(4);
    expect(allZero.bins).toEqual([]);
  });

  it('extends the range to included values (the hard threshold) without counting them', () => {
    const h = binNorms([1, 10], 1e-15, { bins: 3, include: [0.1, 0, -1, Number.NaN] });
    expect(h.lo).toBeCloseTo(-1, 12);
    expect(h.hi).toBeCloseTo(1, 12);
    expect(h.total).toBe(2);
    // edges -1, -1/3, 1/3, 1: log 0 → bin 1, log 1 → last bin
    expect(counts(h)).toEqual([0, 1, 1]);
  });

  it('skips non-finite norms and defaults to 30 bins', () => {
    const h = binNorms([Number.NaN, Infinity, 1e-2, 1], 1e-15);
    expect(h.total).toBe(2);
    expect(h.bins).toHaveLength(30);
    expect(h.bins[0]!.count).toBe(1);
    expect(h.bins[29]!.count).toBe(1);
    expect(h.bins[29]!.x1).toBe(h.hi);
  });
});
