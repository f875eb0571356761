/** Binning of a layer's group ℓ2 norms on a log10 axis, with zero groups kept apart (TECHNIQUES.md §1). */

export interface NormBin {
  /** Left and right edges, in log10 of the norm. */
  x0: number;
  x1: number;
  count: number;
}

export interface NormHistogramData {
  /** Groups whose norm is below the zero threshold (or ≤ 0): the ones channel sparsity counts. */
  zeros: number;
  /** Equal-width bins over [lo, hi]; empty when no group is above the threshold and nothing is included. */
  bins: NormBin[];
  /** Range of the bins in log10 (NaN when there are no bins). */
  lo: number;
  hi: number;
  /** Finite norms counted (zeros + the bins' counts). */
  total: number;
}

export interface BinOptions {
  /** Number of bins (default 30). */
  bins?: number;
  /** Positive values the range must reach (e.g. the RGSM hard threshold, so its marker is always in view). */
  include?: readonly number[];
}

/** Half-width (decades) of the range when all nonzero norms are equal. */
const FLAT_HALF_WIDTH = 0.5;

/**
 * Histogram of group norms: norms < zeroThreshold (and exact zeros) count as `zeros`; the others are
 * binned by log10 over [log10(min norm above the threshold), log10(max norm)], extended to `include`.
 * Non-finite norms are skipped.
 */
export function binNorms(norms: ArrayLike<number>, zeroThreshold: number, options: BinOptions = {}): NormHistogramData {
  const n = Math.max(1, Math.floor(options.bins ?? 30));
  let zeros = 0;
  const logs: number[] = [];
  for (let i = 0; i < norms.length; i++) {
    const v = norms[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < zeroThreshold || v <= 0) zeros++;
    else logs.push(Math.log10(v));
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of logs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  for (const v of options.include ?? []) {
    if (!(v > 0) || !Number.isFinite(v)) continue;
    const x = Math.log10(v);
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  const total = zeros + logs.length;
  if (lo > hi) return { zeros, bins: [], lo: NaN, hi: NaN, total };
  if (lo === hi) {
    lo -= FLAT_HALF_WIDTH;
    hi += FLAT_HALF_WIDTH;
  }
  const width = (hi - lo) / n;
  const bins: NormBin[] = Array.from({ length: n }, (_, i) => ({ x0: lo + i * width, x1: i === n - 1 ? hi : lo + (i + 1) * width, count: 0 }));
  for (const x of logs) {
    const i = Math.min(n - 1, Math.max(0, Math.floor((x - lo) / width)));
    bins[i]!.count++;
  }
  return { zeros, bins, lo, hi, total };
}
