/** Thinning a step-indexed series to what a chart of a given pixel width can show, before it is drawn. */
import type { Series } from '../../store';

/**
 * Min/max decimation per pixel column: the step range [first, last] is cut into `columns` equal columns and each
 * column keeps its lowest and highest point (in step order), so every spike a column would draw survives. The
 * first and last points are always kept. A series of at most `2·columns` points is returned as it is.
 */
export function decimateMinMax(s: Series, columns: number): Series {
  const n = s.steps.length;
  const cols = Math.max(1, Math.floor(columns));
  if (n <= 2 * cols) return s;
  const first = s.steps[0]!;
  const span = s.steps[n - 1]! - first || 1;
  const steps: number[] = [first];
  const values: number[] = [s.values[0]!];
  let col = -1;
  let lo = -1;
  let hi = -1;
  const flush = () => {
    if (lo < 0) return;
    const [a, b] = lo <= hi ? [lo, hi] : [hi, lo];
    for (const i of a === b ? [a] : [a, b]) {
      steps.push(s.steps[i]!);
      values.push(s.values[i]!);
    }
  };
  for (let i = 1; i < n - 1; i++) {
    const c = Math.min(cols - 1, Math.floor(((s.steps[i]! - first) / span) * cols));
    const v = s.values[i]!;
    if (c !== col) {
      flush();
      col = c;
      lo = hi = i;
      continue;
    }
    if (v < s.values[lo]!) lo = i;
    if (v > s.values[hi]!) hi = i;
  }
  flush();
  steps.push(s.steps[n - 1]!);
  values.push(s.values[n - 1]!);
  return { steps, values };
}
