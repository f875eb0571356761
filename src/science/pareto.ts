/**
 * Accuracy-vs-sparsity fronts of a pruning sweep (issue #13 item 6): per method, the seed-averaged point of every
 * strength, the Pareto front over them, and the channel sparsity each front reaches at a matched accuracy, by linear
 * interpolation between neighbouring front points. Plain numbers in, plain numbers out (no tfjs): the sweep script
 * and the plots call it, tests check it by hand.
 */

/** One run of a sweep: its method, strength and seed, and what it reached. */
export interface SweepRun {
  method: string;
  strength: number;
  seed: number;
  /** Test accuracy of the delivered model (0–1). */
  accuracy: number;
  /** Channel sparsity of the delivered model (0–1). */
  sparsity: number;
}

/** A method at one strength, over its seeds: mean and sample standard deviation (0 for one seed). */
export interface SweepPoint {
  method: string;
  strength: number;
  n: number;
  accuracy: number;
  accuracySd: number;
  sparsity: number;
  sparsitySd: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

/** Seed-averaged points, one per (method, strength), sorted by method then strength. */
export function sweepPoints(runs: readonly SweepRun[]): SweepPoint[] {
  const groups = new Map<string, SweepRun[]>();
  for (const r of runs) {
    const key = `${r.method}\u0000${r.strength}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()]
    .map((rs) => ({
      method: rs[0]!.method,
      strength: rs[0]!.strength,
      n: rs.length,
      accuracy: mean(rs.map((r) => r.accuracy)),
      accuracySd: sd(rs.map((r) => r.accuracy)),
      sparsity: mean(rs.map((r) => r.sparsity)),
      sparsitySd: sd(rs.map((r) => r.sparsity)),
    }))
    .sort((a, b) => (a.method === b.method ? a.strength - b.strength : a.method < b.method ? -1 : 1));
}

/**
 * The Pareto front of points (higher sparsity and higher accuracy are better): the points no other point beats on
 * both (ties on both kept once), sorted by sparsity ascending, so accuracy is strictly descending along it.
 */
export function paretoFront<T extends { sparsity: number; accuracy: number }>(points: readonly T[]): T[] {
  const sorted = [...points].sort((a, b) => b.sparsity - a.sparsity || b.accuracy - a.accuracy);
  const front: T[] = [];
  let best = -Infinity;
  for (const p of sorted) {
    if (p.accuracy > best) {
      front.push(p);
      best = p.accuracy;
    }
  }
  return front.reverse();
}

/** The sparsity a front reaches at accuracy `target`, and how it was found. */
export interface MatchedSparsity {
  /** Interpolated sparsity, or null when even the front's least sparse point is below the target. */
  sparsity: number | null;
  /** 'interpolated' between two front points; 'at-least' when every front point is at or above the target (the front's sparsest point; more may be reachable). */
  how: 'interpolated' | 'at-least' | 'unreached';
  /**
   * For 'interpolated': the sparsity distance between the two front points it lies between. A wide one (a method that
   * jumps from no sparsity to collapse between two strengths) means the number is a straight line across unmeasured ground.
   */
  gap?: number;
}

/**
 * Largest sparsity on the piecewise-linear front (points joined in sparsity order) whose accuracy is ≥ `target`: the
 * crossing between the last point at or above the target and the next one below it, by linear interpolation.
 */
export function sparsityAtAccuracy(front: readonly { sparsity: number; accuracy: number }[], target: number): MatchedSparsity {
  if (front.length === 0 || front[0]!.accuracy < target) return { sparsity: null, how: 'unreached' };
  for (let i = 0; i + 1 < front.length; i++) {
    const [a, b] = [front[i]!, front[i + 1]!];
    if (a.accuracy >= target && b.accuracy < target) {
      const t = (a.accuracy - target) / (a.accuracy - b.accuracy);
      return { sparsity: a.sparsity + t * (b.sparsity - a.sparsity), how: 'interpolated', gap: b.sparsity - a.sparsity };
    }
  }
  return { sparsity: front[front.length - 1]!.sparsity, how: 'at-least' };
}

/** One method's answer at a matched accuracy. */
export interface MatchedRow {
  method: string;
  front: SweepPoint[];
  matched: MatchedSparsity;
}

/**
 * Every method's front and its sparsity at accuracy `target`. `anchor` (the dense reference, strength 0) joins every
 * method's points: each method is plain SGD at strength 0, so its front starts there.
 */
export function matchedSparsity(points: readonly SweepPoint[], target: number, anchor?: SweepPoint): MatchedRow[] {
  const methods = [...new Set(points.map((p) => p.method))].filter((m) => !anchor || m !== anchor.method);
  return methods.map((method) => {
    const own = points.filter((p) => p.method === method);
    const front = paretoFront(anchor ? [anchor, ...own] : own);
    return { method, front, matched: sparsityAtAccuracy(front, target) };
  });
}
