import { describe, expect, it } from 'vitest';
import { decimateMinMax } from './decimate';

describe('decimateMinMax (min/max per pixel column)', () => {
  it('returns a series of at most 2 points per column as it is', () => {
    const s = { steps: [0, 1, 2, 3], values: [5, 1, 4, 2] };
    expect(decimateMinMax(s, 2)).toBe(s);
  });

  it('keeps the first and last points and each column’s min and max in step order (hand-computed)', () => {
    // Steps 0..10 over 2 columns of width 5: interior steps 1–4 fall in column 0 (step 5 is at 5/10·2 = 1 → column 1), 5–9 in column 1.
    const s = { steps: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], values: [0, 7, 3, -2, 4, 1, 9, 9, -5, 2, 6] };
    const d = decimateMinMax(s, 2);
    // Column 0 (steps 1–4): max 7 at step 1, min −2 at step 3. Column 1 (steps 5–9): max 9 first at step 6, min −5 at step 8.
    expect(d).toEqual({ steps: [0, 1, 3, 6, 8, 10], values: [0, 7, -2, 9, -5, 6] });
  });

  it('keeps one point for a column whose min and max are the same point, and skips empty columns', () => {
    const s = { steps: [0, 1, 2, 25, 30], values: [1, 2, 2, 8, 3] };
    expect(decimateMinMax(s, 3)).toBe(s); // 5 points ≤ 2·3: unchanged
    const e = decimateMinMax({ steps: [0, 1, 2, 25, 26, 30, 31], values: [1, 2, 2, 8, 8, 3, 0] }, 3);
    // Steps 0..31 in 3 columns of 31/3: column 0 holds steps 1, 2 (value 2 both: one point, the first), column 2 holds 25, 26, 30.
    expect(e).toEqual({ steps: [0, 1, 25, 30, 31], values: [1, 2, 8, 3, 0] });
  });

  it('bounds the output by 2 points per column plus the two ends and keeps every extreme of a long noisy series', () => {
    const n = 10_000;
    const steps = Array.from({ length: n }, (_, i) => i);
    const values = steps.map((i) => Math.sin(i / 37) + (i === 4321 ? 50 : 0) - (i === 8765 ? 50 : 0));
    const d = decimateMinMax({ steps, values }, 300);
    expect(d.steps.length).toBeLessThanOrEqual(2 * 300 + 2);
    expect(d.steps).toContain(4321);
    expect(d.steps).toContain(8765);
    expect(Math.max(...d.values)).toBe(Math.max(...values));
    expect(Math.min(...d.values)).toBe(Math.min(...values));
    for (let i = 1; i < d.steps.length; i++) expect(d.steps[i]!).toBeGreaterThan(d.steps[i - 1]!);
  });
});
