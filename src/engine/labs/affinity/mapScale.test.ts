import { describe, expect, it } from 'vitest';
import { mapScale } from './mapScale';

describe('mapScale', () => {
  it('takes min, max and max |S − T| over finite entries, by hand', () => {
    // |s − t| = 0.5, 3, 0, 1; values span −2 … 1.
    expect(mapScale(Float32Array.of(0.5, 1, 0.5, -1), Float32Array.of(1, -2, 0.5, 0))).toEqual({ lo: -2, hi: 1, diffMax: 3 });
  });

  it('leaves out NaN and ±Infinity, and widens an empty or flat scale', () => {
    expect(mapScale(Float32Array.of(NaN, 0.25, Infinity), Float32Array.of(0, 1, 0))).toEqual({ lo: 0, hi: 1, diffMax: 0.75 });
    expect(mapScale(Float32Array.of(NaN), Float32Array.of(-Infinity))).toEqual({ lo: 0, hi: 1, diffMax: 0 });
    expect(mapScale(Float32Array.of(0.5, 0.5), Float32Array.of(0.5, 0.5))).toEqual({ lo: 0.5, hi: 1.5, diffMax: 0 });
  });

  it('refuses matrices of different sizes', () => {
    expect(() => mapScale(new Float32Array(4), new Float32Array(9))).toThrow(/differ in size/);
  });
});
