import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mulberry32, type Rng } from '../random';
import { cxcywhToXyxy, giou, type Box } from './boxes';
import { assignMinCost, hungarianMatch, hungarianMatchLayers, matchCostMatrix } from './matching';

/** Minimum total cost over every one-to-one assignment of min(rows, cols) pairs, by brute force. */
function bruteForceMin(cost: number[][]): number {
  const rows = cost.length;
  const cols = cost[0]!.length;
  const k = Math.min(rows, cols);
  let best = Infinity;
  const usedCol = new Array<boolean>(cols).fill(false);
  // Choose, for rows ≤ cols, a distinct column per row; for rows > cols, a distinct row per column (transposed walk).
  const get = (a: number, b: number) => (rows <= cols ? cost[a]![b]! : cost[b]![a]!);
  const outer = rows <= cols ? rows : cols;
  const inner = rows <= cols ? cols : rows;
  const used = rows <= cols ? usedCol : new Array<boolean>(inner).fill(false);
  const walk = (i: number, sum: number) => {
    if (i === outer) {
      best = Math.min(best, sum);
      return;
    }
    for (let j = 0; j < inner; j++) {
      if (used[j]) continue;
      used[j] = true;
      walk(i + 1, sum + get(i, j));
      used[j] = false;
    }
  };
  walk(0, 0);
  expect(k).toBe(outer);
  return best;
}

const randomCost = (rng: Rng, rows: number, cols: number) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng() * 10 - 3));

describe('assignMinCost', () => {
  for (const [rows, cols] of [
    [1, 1],
    [3, 3],
    [5, 5],
    [6, 3],
    [7, 2],
    [2, 6],
    [4, 7],
  ] as const) {
    it(`equals brute force on random ${rows}×${cols} cost matrices`, () => {
      for (let seed = 1; seed <= 20; seed++) {
        const cost = randomCost(mulberry32(seed * 101 + rows * 7 + cols), rows, cols);
        const { queries, gts } = assignMinCost(cost);
        expect(queries.length).toBe(Math.min(rows, cols));
        expect(new Set(queries).size).toBe(queries.length);
        expect(new Set(gts).size).toBe(gts.length);
        expect([...queries].sort((a, b) => a - b)).toEqual(queries); // sorted by query
        const total = queries.reduce((s, q, i) => s + cost[q]![gts[i]!]!, 0);
        expect(total).toBeCloseTo(bruteForceMin(cost), 10);
      }
    });
  }

  it('handles ties and integer costs (brute force on 0/1 matrices)', () => {
    const rng = mulberry32(5);
    for (let t = 0; t < 20; t++) {
      const cost = Array.from({ length: 5 }, () => Array.from({ length: 4 }, () => (rng() < 0.5 ? 0 : 1)));
      const { queries, gts } = assignMinCost(cost);
      expect(queries.reduce((s, q, i) => s + cost[q]![gts[i]!]!, 0)).toBe(bruteForceMin(cost));
    }
  });

  it('returns no pairs for an empty side and rejects non-finite costs', () => {
    expect(assignMinCost([])).toEqual({ queries: [], gts: [] });
    expect(assignMinCost([[], []])).toEqual({ queries: [], gts: [] });
    expect(() => assignMinCost([[1, NaN]])).toThrow(/non-finite/);
  });
});

describe('matchCostMatrix', () => {
  it('is DETR’s 1·(−p_person) + 5·L1 + 2·(−GIoU), by hand', () => {
    // One query: logits (ln 3, 0) → p_person = 3/(3+1) = 0.75; box (0.5, 0.5, 0.2, 0.2).
    // gt (0.6, 0.5, 0.2, 0.2): L1 = 0.1; corners [0.4,0.4,0.6,0.6] vs [0.5,0.4,0.7,0.6]: inter 0.02, union 0.06, C = 0.06 → GIoU = 1/3.
    const cost = matchCostMatrix([Math.log(3), 0], [0.5, 0.5, 0.2, 0.2], [[0.6, 0.5, 0.2, 0.2]]);
    expect(cost[0]![0]!).toBeCloseTo(-0.75 + 5 * 0.1 - 2 / 3, 12);
    const weighted = matchCostMatrix([Math.log(3), 0], [0.5, 0.5, 0.2, 0.2], [[0.6, 0.5, 0.2, 0.2]], { costClass: 2, costBbox: 1, costGiou: 0 });
    expect(weighted[0]![0]!).toBeCloseTo(-1.5 + 0.1, 12);
  });
});

describe('hungarianMatch', () => {
  it('matches each image by the minimum total cost, pairs sorted by query; no gt → no pairs', async () => {
    const rng = mulberry32(42);
    const B = 3;
    const N = 5;
    const gtCounts = [2, 0, 4];
    const logits = Array.from({ length: B * N * 2 }, () => rng() * 4 - 2);
    const boxes = Array.from({ length: B * N * 4 }, () => 0.1 + 0.8 * rng());
    const gtBoxes: Box[][] = gtCounts.map((m) =>
      Array.from({ length: m }, () => [0.2 + 0.6 * rng(), 0.2 + 0.6 * rng(), 0.1 + 0.3 * rng(), 0.1 + 0.3 * rng()] as Box),
    );
    const lt = tf.tensor3d(logits, [B, N, 2]);
    const bt = tf.tensor3d(boxes, [B, N, 4]);
    const before = tf.memory().numTensors;
    const matches = await hungarianMatch(lt, bt, gtBoxes);
    expect(tf.memory().numTensors).toBe(before);
    const f32 = (xs: number[]) => Array.from(Float32Array.from(xs)); // the values the tensors hold
    const lv = f32(logits);
    const bv = f32(boxes);
    for (let b = 0; b < B; b++) {
      const m = matches[b]!;
      if (gtCounts[b] === 0) {
        expect(m).toEqual({ queries: [], gts: [] });
        continue;
      }
      // Independent cost: softmax, L1 over cxcywh, GIoU on corners, weights 1, 5, 2.
      const cost = Array.from({ length: N }, (_, q) => {
        const [l0, l1] = [lv[(b * N + q) * 2]!, lv[(b * N + q) * 2 + 1]!];
        const p = 1 / (1 + Math.exp(l1 - l0));
        const box = bv.slice((b * N + q) * 4, (b * N + q) * 4 + 4) as unknown as Box;
        return gtBoxes[b]!.map((g) => -p + 5 * box.reduce((s, v, k) => s + Math.abs(v - g[k]!), 0) - 2 * giou(cxcywhToXyxy(box), cxcywhToXyxy(g)));
      });
      expect(m.queries.length).toBe(gtCounts[b]);
      expect([...m.queries].sort((x, y) => x - y)).toEqual(m.queries);
      expect(m.queries.reduce((s, q, i) => s + cost[q]![m.gts[i]!]!, 0)).toBeCloseTo(bruteForceMin(cost), 10);
    }
    const perLayer = await hungarianMatchLayers(
      [
        { logits: lt, boxes: bt },
        { logits: lt, boxes: bt },
      ],
      gtBoxes,
    );
    expect(perLayer).toEqual([matches, matches]);
    tf.dispose([lt, bt]);
  });

  it('rejects mismatched shapes', async () => {
    const lt = tf.zeros([2, 3, 2]) as tf.Tensor3D;
    const bt = tf.zeros([2, 4, 4]) as tf.Tensor3D;
    await expect(hungarianMatch(lt, bt, [[], []])).rejects.toThrow(/logits \[B, N, 2\]/);
    tf.dispose([lt, bt]);
  });
});
