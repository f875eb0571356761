import { describe, expect, it } from 'vitest';
import { affinityRow, heatColour, heatPixels, heatPixelsSampled, pixelAt, range } from './affinityView';

describe('affinity views', () => {
  it('colours |A_S − A_T| without materialising it, and refuses matrices of different sizes', () => {
    const s = Float32Array.of(1, -2, 0.5, 0);
    const t = Float32Array.of(0.5, 1, 0.5, -1);
    // |s − t| = 0.5, 3, 0, 1 by hand.
    expect(Array.from(heatPixelsSampled(s, 2, 2, 0, 3, 2, 2, t))).toEqual(Array.from(heatPixels(Float32Array.of(0.5, 3, 0, 1), 2, 2, 0, 3)));
    expect(() => heatPixelsSampled(new Float32Array(4), 2, 2, 0, 1, 2, 2, new Float32Array(9))).toThrow(/differ in size/);
  });

  it('reads a pixel’s affinity row as a spatial map', () => {
    // A 2×2 map: N = 4, a 4×4 matrix whose entry (i, j) is 10·i + j.
    const m = Float32Array.from({ length: 16 }, (_, k) => 10 * Math.floor(k / 4) + (k % 4));
    expect(Array.from(affinityRow(m, 2, 3))).toEqual([30, 31, 32, 33]);
    expect(() => affinityRow(m, 2, 4)).toThrow(/outside/);
    expect(() => affinityRow(m, 3, 0)).toThrow(/affinities/);
  });

  it('maps a click on the upscaled view to its map pixel, clamped at the edges', () => {
    expect(pixelAt(0, 0, 128, 4)).toBe(0);
    expect(pixelAt(127, 0, 128, 4)).toBe(3);
    expect(pixelAt(40, 70, 128, 4)).toBe(2 * 4 + 1);
    expect(pixelAt(500, 500, 128, 4)).toBe(15);
  });

  it('colours the ends of the ramp and shares one scale', () => {
    expect(heatColour(0)).toEqual([68, 1, 84]);
    expect(heatColour(1)).toEqual([253, 231, 37]);
    expect(range(Float32Array.of(0.2, 0.9), Float32Array.of(-0.1))).toEqual([expect.closeTo(-0.1, 6), expect.closeTo(0.9, 6)]);
    // Non-finite values are left out; nothing finite gives [0, 1]; one value v gives [v, v + 1].
    expect(range(Float32Array.of(NaN, -Infinity, 0.5, Infinity))).toEqual([0.5, 1.5]);
    expect(range(Float32Array.of(NaN), new Float32Array(0))).toEqual([0, 1]);
    const px = heatPixels(Float32Array.of(0, 1), 2, 1, 0, 1);
    expect(Array.from(px)).toEqual([68, 1, 84, 255, 253, 231, 37, 255]);
  });

  it('colours every pixel as heatColour does, to within one level (table lookup), NaN and out-of-range values clamped', () => {
    const n = 1000;
    const m = Float32Array.from({ length: n }, (_, i) => -0.5 + (i * 2.1) / n);
    m[7] = NaN;
    const px = heatPixels(m, n, 1, -0.5, 1.5);
    for (let i = 0; i < n; i++) {
      const t = Number.isNaN(m[i]!) ? 0 : (m[i]! + 0.5) / 2;
      const want = heatColour(t);
      for (let c = 0; c < 3; c++) expect(Math.abs(px[4 * i + c]! - want[c]!)).toBeLessThanOrEqual(1);
      expect(px[4 * i + 3]).toBe(255);
    }
  });

  it('samples a grid larger than the view at each view pixel’s centre cell (nearest scaling, by hand)', () => {
    // A 6×9 grid of distinct values shown at 2×3: view pixel (y, x) takes cell (⌊(y + ½)·6/2⌋, ⌊(x + ½)·9/3⌋) = (1 + 3y, 1 + 3x).
    const w = 9;
    const h = 6;
    const m = Float32Array.from({ length: w * h }, (_, i) => i / (w * h - 1));
    const px = heatPixelsSampled(m, w, h, 0, 1, 3, 2);
    const full = heatPixels(m, w, h, 0, 1);
    for (let y = 0; y < 2; y++)
      for (let x = 0; x < 3; x++) {
        const cell = (1 + 3 * y) * w + (1 + 3 * x);
        expect(Array.from(px.subarray(4 * (y * 3 + x), 4 * (y * 3 + x) + 4))).toEqual(Array.from(full.subarray(4 * cell, 4 * cell + 4)));
      }
    // At the grid's own size every cell is coloured once.
    expect(heatPixelsSampled(m, w, h, 0, 1, w, h)).toEqual(full);
  });
});
