import { describe, expect, it } from 'vitest';
import { contrastRecall } from './contrastRecall';

describe('contrastRecall', () => {
  it('bins each labelled pixel by its contrast against the pixels d to each side, computed by hand', () => {
    // One row of 7 pixels; class 1 labelled at x = 2, 3, 4 (x = 0, 1, 5, 6 are within d = 2 of an edge or unlabelled).
    const rgb = [
      [10, 10, 10],
      [0, 0, 0],
      [40, 20, 10], // x = 2: neighbours x = 0 (10,10,10) and x = 4 → |40 − 30| + |20 − 15| + |10 − 15| = 20 / 3 ≈ 6.7
      [100, 100, 100], // x = 3: neighbours x = 1 (0) and x = 5 (20) → |100 − 10| × 3 / 3 = 90
      [50, 20, 20], // x = 4: neighbours x = 2 (40,20,10) and x = 6 (0,0,0) → (|50 − 20| + |20 − 10| + |20 − 5|) / 3 ≈ 18.3
      [20, 20, 20],
      [0, 0, 0],
    ];
    const images = new Uint8Array(rgb.flat());
    const labels = new Uint8Array([1, 1, 1, 1, 1, 0, 0]);
    const preds = new Uint8Array([1, 1, 0, 1, 1, 1, 0]);
    const r = contrastRecall(images, labels, preds, 7, 1, [0, 8, 32]);
    // x = 2 (6.7, missed) → bin 0; x = 4 (18.3, hit) → bin 1; x = 3 (90, hit) → bin 2; x = 0, 1 are at the edge.
    expect(r).toEqual({ edges: [0, 8, 32], hits: [0, 1, 1], misses: [1, 0, 0] });
    // A wider d leaves only x = 3 (its neighbours x = 0 and 6: |100 − 5| = 95 → bin 2).
    expect(contrastRecall(images, labels, preds, 7, 1, [0, 8, 32], 3)).toEqual({ edges: [0, 8, 32], hits: [0, 0, 1], misses: [0, 0, 0] });
  });

  it('works per row of a multi-image batch and refuses arrays that do not match', () => {
    // Two 1×5 images: the contrast never reaches across a row end (x < d or x ≥ width − d are skipped).
    const images = new Uint8Array(30).fill(0);
    images.set([200, 200, 200], 3 * 2); // image 0, x = 2: contrast 200
    images.set([6, 6, 6], 3 * 7); // image 1, x = 2: contrast 6
    const labels = new Uint8Array([0, 0, 1, 0, 0, 0, 0, 1, 0, 0]);
    const preds = new Uint8Array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(contrastRecall(images, labels, preds, 5, 1, [0, 8])).toEqual({ edges: [0, 8], hits: [0, 1], misses: [1, 0] });
    expect(() => contrastRecall(images, labels, preds.subarray(1), 5, 1)).toThrow(/differ in size/);
  });
});
