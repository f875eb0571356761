/** The data side of the live line charts (MetricChart): thinning, alignment on one step axis, axis ranges. Pure, no DOM. */
import type { Series } from '../../store';
import { formatTick } from '../format';
import { decimateMinMax } from './decimate';

/** What a line needs for its data: the series (undefined while the run has none). */
export interface LineData {
  series: Series | undefined;
}

/** Keep at most `max` points of a series (evenly spaced, always the last one). */
export function thin(s: Series, max: number): Series {
  const n = s.steps.length;
  if (n <= max) return s;
  const stride = Math.ceil(n / max);
  const steps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < n; i += stride) {
    steps.push(s.steps[i]!);
    values.push(s.values[i]!);
  }
  if (steps.at(-1) !== s.steps[n - 1]) {
    steps.push(s.steps[n - 1]!);
    values.push(s.values[n - 1]!);
  }
  return { steps, values };
}

/** Several lines on one step axis, as uPlot draws them: `xs` ascending, `ys[i][j]` line i's value at `xs[j]` or null. */
export interface Aligned {
  xs: number[];
  ys: (number | null)[][];
  /** Points drawn per line (its non-null values). */
  points: number[];
}

/**
 * Thin each line to `max` points and then to `columns` min/max pixel columns (`decimateMinMax`), and merge them on
 * the union of their steps (a line has null where it has no point). Values a chart cannot draw become null:
 * non-finite ones, and with `log` those ≤ 0. Each series' steps are ascending (a repeated step keeps its last value).
 */
export function alignLines(lines: readonly LineData[], max: number, columns: number, log = false): Aligned {
  const thinned = lines.map((l) => (l.series && l.series.steps.length > 0 ? decimateMinMax(thin(l.series, max), columns) : null));
  const all: number[] = [];
  for (const s of thinned) if (s) for (const step of s.steps) all.push(step);
  all.sort((a, b) => a - b);
  const xs: number[] = [];
  for (const step of all) if (xs.length === 0 || xs[xs.length - 1] !== step) xs.push(step);
  const points: number[] = [];
  const ys = thinned.map((s) => {
    const row: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    let drawn = 0;
    if (s) {
      let j = 0;
      for (let i = 0; i < s.steps.length; i++) {
        const step = s.steps[i]!;
        while (xs[j]! < step) j++;
        const v = s.values[i]!;
        const ok = Number.isFinite(v) && (!log || v > 0);
        if (row[j] === null && ok) drawn++;
        else if (row[j] !== null && !ok) drawn--;
        row[j] = ok ? v : null;
      }
    }
    points.push(drawn);
    return row;
  });
  return { xs, ys, points };
}

export type Domain = readonly [number | 'auto', number | 'auto'];

/**
 * The y range of a chart: each end fixed by the domain, or 'auto' (padded around the data: 5 % of the span on a
 * linear axis, to the next 1-2-5 step of the decade on a log one). Data beyond a fixed end widens the range rather
 * than leaving the plot. Without data: [0, 1] (log: [0.1, 10]) unless fixed.
 */
export function yRange(dataMin: number | null, dataMax: number | null, domain: Domain, log: boolean): [number, number] {
  const has = dataMin !== null && dataMax !== null && Number.isFinite(dataMin) && Number.isFinite(dataMax);
  let lo: number;
  let hi: number;
  if (!has) {
    lo = typeof domain[0] === 'number' ? domain[0] : log ? 0.1 : 0;
    hi = typeof domain[1] === 'number' ? domain[1] : log ? 10 : 1;
  } else if (log) {
    lo = typeof domain[0] === 'number' && domain[0] > 0 ? Math.min(domain[0], dataMin) : niceLogDown(dataMin);
    hi = typeof domain[1] === 'number' ? Math.max(domain[1], dataMax) : niceLogUp(dataMax);
  } else {
    const span = dataMax - dataMin || Math.abs(dataMax) || 1;
    lo = typeof domain[0] === 'number' ? Math.min(domain[0], dataMin) : dataMin - span * 0.05;
    hi = typeof domain[1] === 'number' ? Math.max(domain[1], dataMax) : dataMax + span * 0.05;
  }
  if (!(hi > lo)) {
    if (log) [lo, hi] = [lo / 2, hi * 2];
    else [lo, hi] = [lo - 1, hi + 1];
  }
  return [lo, hi];
}

const NICE = [1, 2, 5, 10];
/** The largest 1·10^k, 2·10^k or 5·10^k at or below v (v > 0). */
function niceLogDown(v: number): number {
  const mag = 10 ** Math.floor(Math.log10(v));
  let best = mag;
  for (const m of NICE) if (m * mag <= v * (1 + 1e-12)) best = m * mag;
  return best;
}
/** The smallest 1·10^k, 2·10^k or 5·10^k at or above v (v > 0). */
function niceLogUp(v: number): number {
  const mag = 10 ** Math.floor(Math.log10(v));
  for (const m of NICE) if (m * mag >= v * (1 - 1e-12)) return m * mag;
  return 10 * mag;
}

/** The x (step) range: the data's steps and every marker's, widened by one step on each side of a single point. */
export function xRange(dataMin: number | null, dataMax: number | null, markerSteps: readonly number[]): [number, number] {
  let lo = dataMin ?? Infinity;
  let hi = dataMax ?? -Infinity;
  for (const s of markerSteps) {
    lo = Math.min(lo, s);
    hi = Math.max(hi, s);
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi === lo) return [lo - 1, hi + 1];
  return [lo, hi];
}

/** Steps between x ticks: whole numbers only (1, 2, 5, 10, 20, 50, …). */
export const STEP_INCREMENTS: number[] = [];
for (let mag = 1; mag <= 1e9; mag *= 10) STEP_INCREMENTS.push(mag, 2 * mag, 5 * mag);

/** A value in the hover readout: the chart's own format, else four significant digits (whole numbers from 10⁴ up). */
export function formatReadout(v: number, yFormat?: (v: number) => string): string {
  if (yFormat) return yFormat(v);
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1e4) return Math.round(v).toLocaleString('en-US');
  return String(Number(v.toPrecision(4)));
}

/** Decimal places that write `incr` exactly (0.25 → 2, 0.2 → 1, 5 → 0), at most 8. */
function decimalsOf(incr: number): number {
  for (let d = 0; d < 8; d++) {
    const scaled = incr * 10 ** d;
    if (Math.abs(Math.round(scaled) - scaled) < 1e-6 * Math.max(1, scaled)) return d;
  }
  return 8;
}

/**
 * A linear y-axis tick, as precise as the tick spacing `incr` needs (ticks 0.25 apart read 1.25, not "1.3"): fixed
 * decimals between 10⁻³ and 10⁴, else `formatTick`'s compact powers of ten.
 */
export function formatAxisTick(v: number, incr: number): string {
  const a = Math.abs(v);
  if (!Number.isFinite(v) || !(incr > 0) || incr < 1e-4 || a >= 1e4 || (a < 1e-3 && a > incr / 2)) return formatTick(v);
  return v.toFixed(decimalsOf(incr));
}
