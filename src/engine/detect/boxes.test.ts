import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { area, cxcywhToXyxy, cxcywhToXyxyTensor, giou, giouTensor, iou, type Box } from './boxes';

/** Row-wise GIoU from the tensor version, read back (test only). */
function giouT(a: Box[], b: Box[]): number[] {
  return tf.tidy(() => Array.from(giouTensor(tf.tensor2d(a.map((x) => [...x])), tf.tensor2d(b.map((x) => [...x]))).dataSync()));
}

describe('boxes (float64)', () => {
  it('converts (cx, cy, w, h) to corners and measures area', () => {
    expect(cxcywhToXyxy([0.5, 0.4, 0.2, 0.6])).toEqual([0.4, 0.10000000000000003, 0.6, 0.7]);
    expect(area([0.1, 0.2, 0.5, 0.7])).toBeCloseTo(0.4 * 0.5, 15);
    expect(area([0.5, 0.2, 0.5, 0.7])).toBe(0);
  });

  // Hand values: [IoU, GIoU] with C the smallest enclosing box.
  const cases: [string, Box, Box, number, number][] = [
    // inter 0, union 2, C = [0,3]×[0,1] = 3 → GIoU = 0 − (3 − 2)/3
    ['disjoint', [0, 0, 1, 1], [2, 0, 3, 1], 0, -1 / 3],
    // inner 1×1 inside 2×2: IoU = 1/4, C = outer = union → GIoU = 1/4
    ['nested', [0, 0, 2, 2], [0.5, 0.5, 1.5, 1.5], 0.25, 0.25],
    ['identical', [0.1, 0.2, 0.4, 0.6], [0.1, 0.2, 0.4, 0.6], 1, 1],
    // sharing the edge x = 1: inter 0, union 2 = C → GIoU 0
    ['touching', [0, 0, 1, 1], [1, 0, 2, 1], 0, 0],
    // partial: inter 0.5·0.5 = 0.25, union 1 + 1 − 0.25 = 1.75, C = 1.5² = 2.25 → 1/7 − 0.5/2.25
    ['overlapping', [0, 0, 1, 1], [0.5, 0.5, 1.5, 1.5], 0.25 / 1.75, 0.25 / 1.75 - 0.5 / 2.25],
    // zero-width box inside a unit box: inter 0, union 1 = C → 0
    ['degenerate line inside', [0.5, 0, 0.5, 1], [0, 0, 1, 1], 0, 0],
    // two identical points: union and C empty → both guards give 0
    ['degenerate identical points', [0.3, 0.3, 0.3, 0.3], [0.3, 0.3, 0.3, 0.3], 0, 0],
    // two distinct points: union 0, C = 1·1 → 0 − (1 − 0)/1
    ['degenerate distinct points', [0, 0, 0, 0], [1, 1, 1, 1], 0, -1],
  ];
  for (const [name, a, b, wantIou, wantGiou] of cases) {
    it(`IoU and GIoU by hand: ${name}`, () => {
      expect(iou(a, b)).toBeCloseTo(wantIou, 12);
      expect(giou(a, b)).toBeCloseTo(wantGiou, 12);
      expect(giou(b, a)).toBeCloseTo(wantGiou, 12);
      // The tensor version (float32, ε = 1e-7 in its denominators) agrees, and stays finite on degenerate boxes.
      const [gt] = giouT([a], [b]);
      expect(Number.isFinite(gt)).toBe(true);
      expect(gt!).toBeCloseTo(wantGiou, 5);
    });
  }

  it('tensor GIoU equals the float64 one on random boxes, row i with row i', () => {
    const rng = mulberry32(7);
    const rand = (): Box => cxcywhToXyxy([rng(), rng(), 0.05 + 0.5 * rng(), 0.05 + 0.5 * rng()]);
    const a = Array.from({ length: 20 }, rand);
    const b = Array.from({ length: 20 }, rand);
    const got = giouT(a, b);
    got.forEach((g, i) => expect(g).toBeCloseTo(giou(a[i]!, b[i]!), 5));
  });

  it('tensor (cx, cy, w, h) → corners matches the float64 conversion', () => {
    const boxes: Box[] = [
      [0.5, 0.5, 0.2, 0.4],
      [0.1, 0.9, 0, 0.3],
    ];
    const got = tf.tidy(() => cxcywhToXyxyTensor(tf.tensor2d(boxes.map((b) => [...b]))).arraySync());
    got.forEach((row, i) => row.forEach((v, k) => expect(v).toBeCloseTo(cxcywhToXyxy(boxes[i]!)[k]!, 6)));
  });
});

describe('giouTensor gradient', () => {
  /** Loss Σ_i (1 − GIoU(a_i, b_i)) on (cx, cy, w, h) inputs, float64 reference for finite differences. */
  const loss64 = (a: number[][], b: number[][]) =>
    a.reduce((s, ai, i) => s + 1 - giou(cxcywhToXyxy(ai as unknown as Box), cxcywhToXyxy(b[i] as unknown as Box)), 0);

  it('matches central finite differences (float64) w.r.t. both boxes', () => {
    // Partial overlap, disjoint (enclosing term active), nested; no tied edges (min/max are not differentiable there).
    const a = [
      [0.4, 0.5, 0.3, 0.2],
      [0.2, 0.2, 0.1, 0.15],
      [0.5, 0.5, 0.6, 0.5],
    ];
    const b = [
      [0.5, 0.44, 0.25, 0.3],
      [0.7, 0.6, 0.2, 0.1],
      [0.52, 0.47, 0.2, 0.15],
    ];
    const f = (x: tf.Tensor2D, y: tf.Tensor2D) => tf.sum(tf.sub(1, giouTensor(cxcywhToXyxyTensor(x), cxcywhToXyxyTensor(y))));
    const [ga, gb] = tf.tidy(() =>
      tf
        .grads(f as (...args: tf.Tensor[]) => tf.Tensor)([tf.tensor2d(a), tf.tensor2d(b)])
        .map((g) => g.arraySync() as number[][]),
    );
    const h = 1e-6;
    for (const [which, grad] of [
      [0, ga],
      [1, gb],
    ] as const) {
      for (let i = 0; i < 3; i++) {
        for (let k = 0; k < 4; k++) {
          const plus = [a.map((r) => [...r]), b.map((r) => [...r])];
          const minus = [a.map((r) => [...r]), b.map((r) => [...r])];
          plus[which]![i]![k]! += h;
          minus[which]![i]![k]! -= h;
          const fd = (loss64(plus[0]!, plus[1]!) - loss64(minus[0]!, minus[1]!)) / (2 * h);
          const got = grad![i]![k]!;
          expect(Math.abs(got - fd)).toBeLessThanOrEqual(1e-3 * Math.max(Math.abs(fd), 1e-2));
        }
      }
    }
  });

  it('gives finite gradients on degenerate boxes', () => {
    const g = tf.tidy(
      () =>
        tf
          .grad((x: tf.Tensor) => tf.sum(giouTensor(cxcywhToXyxyTensor(x as tf.Tensor2D), tf.tensor2d([[0.3, 0.3, 0.3, 0.3]]))))(
            tf.tensor2d([[0.3, 0.3, 0, 0]]),
          )
          .arraySync() as number[][],
    );
    for (const v of g[0]!) expect(Number.isFinite(v)).toBe(true);
  });

  it('leaks no tensors', () => {
    const a = tf.tensor2d([[0.5, 0.5, 0.2, 0.2]]);
    const before = tf.memory().numTensors;
    const g = tf.tidy(() => giouTensor(cxcywhToXyxyTensor(a), cxcywhToXyxyTensor(a)));
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([g, a]);
  });
});
