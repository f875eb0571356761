import { describe, expect, it } from 'vitest';
import { matchedSparsity, paretoFront, sparsityAtAccuracy, sweepPoints, type SweepRun } from './pareto';

const run = (method: string, strength: number, seed: number, accuracy: number, sparsity: number): SweepRun => ({ method, strength, seed, accuracy, sparsity });

describe('sweep fronts (issue #13 item 6)', () => {
  it('averages seeds per (method, strength) with the sample standard deviation', () => {
    const pts = sweepPoints([run('rgsm', 1, 1, 0.5, 0.1), run('rgsm', 1, 2, 0.7, 0.3), run('rgsm', 2, 1, 0.4, 0.6), run('gl', 1, 1, 0.6, 0)]);
    expect(pts.map((p) => [p.method, p.strength, p.n])).toEqual([
      ['gl', 1, 1],
      ['rgsm', 1, 2],
      ['rgsm', 2, 1],
    ]);
    const r1 = pts[1]!;
    expect(r1.accuracy).toBeCloseTo(0.6, 12);
    // sd of {0.5, 0.7} = sqrt(((−0.1)² + 0.1²) / 1) = 0.141421…
    expect(r1.accuracySd).toBeCloseTo(Math.SQRT2 / 10, 12);
    expect(r1.sparsity).toBeCloseTo(0.2, 12);
    expect(pts[2]!.accuracySd).toBe(0);
  });

  it('keeps only undominated points, in sparsity order', () => {
    const f = paretoFront([
      { sparsity: 0, accuracy: 0.9 },
      { sparsity: 0.1, accuracy: 0.92 }, // beats the first on both
      { sparsity: 0.3, accuracy: 0.85 },
      { sparsity: 0.2, accuracy: 0.8 }, // dominated by (0.3, 0.85)
      { sparsity: 0.6, accuracy: 0.5 },
    ]);
    expect(f).toEqual([
      { sparsity: 0.1, accuracy: 0.92 },
      { sparsity: 0.3, accuracy: 0.85 },
      { sparsity: 0.6, accuracy: 0.5 },
    ]);
  });

  it('interpolates the sparsity at a matched accuracy by hand', () => {
    const front = [
      { sparsity: 0, accuracy: 0.9 },
      { sparsity: 0.4, accuracy: 0.8 },
      { sparsity: 0.8, accuracy: 0.4 },
    ];
    // 0.85 lies halfway from (0, 0.9) to (0.4, 0.8) → 0.2; 0.7 a quarter from (0.4, 0.8) to (0.8, 0.4) → 0.5
    expect(sparsityAtAccuracy(front, 0.85).sparsity).toBeCloseTo(0.2, 12);
    // …with the sparsity distance between the two front points it lies between
    expect(sparsityAtAccuracy(front, 0.7)).toEqual({
      sparsity: expect.closeTo(0.5, 12) as number,
      how: 'interpolated',
      gap: expect.closeTo(0.4, 12) as number,
    });
    expect(sparsityAtAccuracy(front, 0.8)).toEqual({
      sparsity: expect.closeTo(0.4, 12) as number,
      how: 'interpolated',
      gap: expect.closeTo(0.4, 12) as number,
    });
    expect(sparsityAtAccuracy(front, 0.85).gap).toBeCloseTo(0.4, 12);
    expect(sparsityAtAccuracy(front, 0.3)).toEqual({ sparsity: 0.8, how: 'at-least' });
    expect(sparsityAtAccuracy(front, 0.95)).toEqual({ sparsity: null, how: 'unreached' });
  });

  it('starts every method at the dense anchor and answers per method', () => {
    const anchor = { method: 'none', strength: 0, n: 3, accuracy: 0.8, accuracySd: 0, sparsity: 0, sparsitySd: 0 };
    const pts = sweepPoints([run('prox', 1, 1, 0.7, 0.1), run('rgsm', 1, 1, 0.7, 0.3), run('rgsm', 2, 1, 0.5, 0.9)]);
    const rows = matchedSparsity(pts, 0.75, anchor);
    expect(rows.map((r) => r.method)).toEqual(['prox', 'rgsm']);
    // prox: (0, 0.8) → (0.1, 0.7): 0.75 at 0.05; rgsm: (0, 0.8) → (0.3, 0.7): 0.75 at 0.15 — three times prox's
    expect(rows[0]!.matched.sparsity).toBeCloseTo(0.05, 12);
    expect(rows[1]!.matched.sparsity).toBeCloseTo(0.15, 12);
    expect(rows[1]!.front.map((p) => p.sparsity)).toEqual([0, 0.3, 0.9]);
  });
});
