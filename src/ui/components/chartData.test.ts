import { describe, expect, it } from 'vitest';
import { alignLines, formatAxisTick, formatReadout, STEP_INCREMENTS, xRange, yRange } from './chartData';

describe('alignLines (lines merged on one step axis for uPlot)', () => {
  it('merges on the union of steps with null where a line has no point (hand-computed)', () => {
    const train = { series: { steps: [1, 2, 3, 4], values: [4, 3, 2, 1] } };
    const val = { series: { steps: [2, 4, 6], values: [0.5, 0.6, 0.7] } };
    const a = alignLines([train, val, { series: undefined }], 400, 300);
    expect(a.xs).toEqual([1, 2, 3, 4, 6]);
    expect(a.ys).toEqual([
      [4, 3, 2, 1, null],
      [null, 0.5, null, 0.6, 0.7],
      [null, null, null, null, null],
    ]);
    expect(a.points).toEqual([4, 3, 0]);
  });

  it('is empty without data', () => {
    expect(alignLines([{ series: undefined }, { series: { steps: [], values: [] } }], 400, 300)).toEqual({ xs: [], ys: [[], []], points: [0, 0] });
  });

  it('drops values a chart cannot draw: non-finite ones, and those ≤ 0 on a log axis', () => {
    const s = { series: { steps: [1, 2, 3, 4], values: [1, Number.NaN, 0, Infinity] } };
    expect(alignLines([s], 400, 300).ys[0]).toEqual([1, null, 0, null]);
    const log = alignLines([s], 400, 300, true);
    expect(log.ys[0]).toEqual([1, null, null, null]);
    expect(log.points).toEqual([1]);
  });

  it('thins each line to max points and then to min/max pixel columns (bounded output, both ends kept)', () => {
    const n = 5000;
    const steps = Array.from({ length: n }, (_, i) => i + 1);
    const a = alignLines([{ series: { steps, values: steps.map((s) => Math.sin(s)) } }], 1000, 100);
    expect(a.points[0]).toBeLessThanOrEqual(2 * 100 + 2);
    expect(a.xs[0]).toBe(1);
    expect(a.xs.at(-1)).toBe(n);
    for (let i = 1; i < a.xs.length; i++) expect(a.xs[i]!).toBeGreaterThan(a.xs[i - 1]!);
  });
});

describe('yRange and xRange (axis ranges)', () => {
  it('keeps fixed ends and widens them for data beyond', () => {
    expect(yRange(0.2, 0.8, [0, 1], false)).toEqual([0, 1]);
    expect(yRange(-0.1, 1.2, [0, 1], false)).toEqual([-0.1, 1.2]);
    expect(yRange(null, null, [0, 1], false)).toEqual([0, 1]);
  });

  it('pads auto ends by 5 % of the span on a linear axis, and a flat line by one', () => {
    const [lo, hi] = yRange(10, 20, ['auto', 'auto'], false);
    expect(lo).toBeCloseTo(9.5);
    expect(hi).toBeCloseTo(20.5);
    expect(yRange(5, 5, ['auto', 'auto'], false)).toEqual([4.75, 5.25]);
    expect(yRange(0, 0, ['auto', 'auto'], false)).toEqual([-0.05, 0.05]);
  });

  it('rounds auto ends of a log axis out to 1-2-5 steps', () => {
    expect(yRange(0.33, 2.4, ['auto', 'auto'], true)).toEqual([0.2, 5]);
    expect(yRange(1, 10, ['auto', 'auto'], true)).toEqual([1, 10]);
    expect(yRange(null, null, ['auto', 'auto'], true)).toEqual([0.1, 10]);
  });

  it('spans the data and every marker step, one step either side of a single point', () => {
    expect(xRange(1, 50, [60])).toEqual([1, 60]);
    expect(xRange(5, 5, [])).toEqual([4, 6]);
    expect(xRange(null, null, [])).toEqual([0, 1]);
  });
});

describe('STEP_INCREMENTS and formatReadout', () => {
  it('puts x ticks on whole steps only', () => {
    expect(STEP_INCREMENTS.slice(0, 6)).toEqual([1, 2, 5, 10, 20, 50]);
    expect(STEP_INCREMENTS.every(Number.isInteger)).toBe(true);
  });
  it('shows four significant digits, or the chart’s own format', () => {
    expect(formatReadout(0.123456)).toBe('0.1235');
    expect(formatReadout(123456.7)).toBe('123,457');
    expect(formatReadout(0.5, (v) => `${v * 100}%`)).toBe('50%');
  });
});

describe('formatAxisTick (linear y ticks)', () => {
  it('writes as many decimals as the tick spacing needs', () => {
    expect([0, 0.25, 0.5, 0.75, 1, 1.25].map((v) => formatAxisTick(v, 0.25))).toEqual(['0.00', '0.25', '0.50', '0.75', '1.00', '1.25']);
    expect([1.02, 1.04].map((v) => formatAxisTick(v, 0.02))).toEqual(['1.02', '1.04']);
    expect([200, 400].map((v) => formatAxisTick(v, 200))).toEqual(['200', '400']);
    expect(formatAxisTick(0.5, 0.1)).toBe('0.5');
  });
  it('falls back to compact powers of ten for large and tiny values', () => {
    expect(formatAxisTick(120000, 20000)).toBe('1.2e5');
    expect(formatAxisTick(0.0002, 0.0001)).toBe('2e-4');
  });
});
