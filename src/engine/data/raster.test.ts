import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import {
  checker,
  colorWithLuma,
  createCanvas,
  dotGrid,
  drawShape,
  fillGradient,
  hsv,
  luma,
  pickLuma,
  sdBox,
  sdCapsule,
  sdPolygon,
  stripes,
  writeNoisyUint8,
  type Pattern,
  type Rgb,
} from './raster';

/** Mean of a pattern over a large square, sampled at pixel centres. */
function patternMean(p: Pattern, half = 40): number {
  let sum = 0;
  for (let y = -half; y < half; y++) for (let x = -half; x < half; x++) sum += p(x + 0.5, y + 0.5);
  return sum / (4 * half * half);
}

describe('colours', () => {
  it('hsv gives the primaries and greys', () => {
    expect(hsv(0, 1, 1)).toEqual([1, 0, 0]);
    expect(hsv(1 / 3, 1, 1).map((v) => +v.toFixed(6))).toEqual([0, 1, 0]);
    expect(hsv(0.7, 0, 0.5)).toEqual([0.5, 0.5, 0.5]);
  });

  it('colorWithLuma hits the requested luma with channels in [0, 1]', () => {
    const rng = mulberry32(1);
    for (let i = 0; i < 200; i++) {
      const target = rng();
      const c = colorWithLuma(rng, target);
      expect(luma(c)).toBeCloseTo(target, 9);
      for (const v of c) expect(v >= 0 && v <= 1 + 1e-12).toBe(true);
    }
  });

  it('pickLuma keeps its distance from the lumas to avoid', () => {
    const rng = mulberry32(2);
    for (let i = 0; i < 200; i++) {
      const l = pickLuma(rng, [0.3, 0.7], 0.2);
      expect(Math.min(Math.abs(l - 0.3), Math.abs(l - 0.7))).toBeGreaterThanOrEqual(0.2);
    }
  });
});

describe('signed distances', () => {
  it('sdBox and sdPolygon agree on a square, and have the right sign and size', () => {
    const square = new Float64Array([-1, -1, 1, -1, 1, 1, -1, 1]);
    for (const [u, v] of [
      [0, 0],
      [0.5, 0.2],
      [2, 0],
      [1.5, 1.5],
      [-0.9, 0.3],
      [0, -3],
    ] as const) {
      expect(sdPolygon(u, v, square)).toBeCloseTo(sdBox(u, v, 1, 1), 12);
    }
    expect(sdBox(0, 0, 1, 1)).toBe(-1);
    expect(sdBox(2, 0, 1, 1)).toBe(1);
    expect(sdBox(2, 2, 1, 1)).toBeCloseTo(Math.SQRT2, 12);
  });

  it('sdCapsule measures distance to a thick segment', () => {
    expect(sdCapsule(0, 2, -1, 0, 1, 0, 0.5)).toBeCloseTo(1.5, 12);
    expect(sdCapsule(3, 0, -1, 0, 1, 0, 0.5)).toBeCloseTo(1.5, 12);
    expect(sdCapsule(0, 0, -1, 0, 1, 0, 0.5)).toBeCloseTo(-0.5, 12);
  });
});

describe('drawing', () => {
  it('drawShape covers the area of a disc (anti-aliased) in the given colour', () => {
    const cv = createCanvas(32, 32);
    const red: Rgb = [1, 0, 0];
    drawShape(cv, { cx: 16, cy: 16, angle: 0.3, sx: 9, sy: 9 }, (u, v) => Math.hypot(u, v) - 1, { color: red });
    let area = 0;
    for (let i = 0; i < cv.data.length; i += 3) area += cv.data[i]!;
    expect(area).toBeCloseTo(Math.PI * 81, -1); // within ±5 px²
    expect(cv.data[(16 * 32 + 16) * 3]).toBe(1);
    expect(cv.data[0]).toBe(0);
    const partial = Array.from(cv.data.filter((_, i) => i % 3 === 0)).filter((v) => v > 0 && v < 1);
    expect(partial.length).toBeGreaterThan(20); // soft edge pixels
  });

  it('fillGradient runs from one colour to the other', () => {
    const cv = createCanvas(8, 8);
    fillGradient(cv, [0, 0, 0], [1, 1, 1], 0, -2, 2); // along +x
    expect(cv.data[0]).toBe(0);
    expect(cv.data[(8 - 1) * 3]).toBe(1);
  });

  it('patterns fill about half (stripes, checker) or a disc fraction (dots) of the plane', () => {
    expect(patternMean(stripes(5, 0.4, 0.1))).toBeCloseTo(0.5, 1);
    expect(patternMean(checker(4, 0.3, 0.2, 0.7))).toBeCloseTo(0.5, 1);
    expect(patternMean(dotGrid(5, 1.5, 0.2, 0.1, 0.3))).toBeCloseTo((Math.PI * 1.5 ** 2) / 25, 1);
  });

  it('writeNoisyUint8 adds zero-mean noise of the requested sigma and clamps to bytes', () => {
    const cv = createCanvas(32, 32);
    cv.data.fill(0.5);
    const out = new Uint8Array(cv.data.length + 2);
    writeNoisyUint8(cv, mulberry32(3), 0.05, out, 2);
    const px = Array.from(out.subarray(2));
    const mean = px.reduce((a, b) => a + b, 0) / px.length;
    const sd = Math.sqrt(px.reduce((a, b) => a + (b - mean) ** 2, 0) / px.length);
    expect(mean).toBeCloseTo(127.5, -1);
    expect(sd).toBeGreaterThan(0.05 * 255 * 0.9);
    expect(sd).toBeLessThan(0.05 * 255 * 1.1);
    cv.data.fill(1.2);
    writeNoisyUint8(cv, mulberry32(3), 0.01, out, 0);
    expect(out.subarray(0, cv.data.length).every((v) => v === 255)).toBe(true);
  });
});
