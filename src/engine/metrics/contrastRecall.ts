/**
 * Recall of one class binned by how visible each of its pixels is: a pixel's local horizontal contrast is the mean over
 * R, G, B of |v(x) − (v(x − d) + v(x + d)) / 2| (0–255), d pixels to each side along its row, the measure of how far a
 * thin vertical structure (a pole) stands out from what is beside it. Pixels within d of the left or right edge, whose
 * neighbours are outside the image, are not counted. Used by scripts/node/segPoleContrast.ts (README, "A full-resolution
 * stage for the teacher").
 */
export interface ContrastRecall {
  /** Bin lower edges, ascending; bin i is [edges[i], edges[i + 1]), the last open above. */
  edges: number[];
  hits: number[];
  misses: number[];
}

/**
 * `images`: count × height × width × 3 RGB bytes; `labels` and `preds`: count × height × width class ids, aligned; the
 * pixels labelled `cls` count as hits where `preds` says `cls` too.
 */
export function contrastRecall(
  images: Uint8Array,
  labels: Uint8Array,
  preds: Uint8Array,
  width: number,
  cls: number,
  edges: readonly number[] = [0, 4, 8, 16, 32, 64],
  d = 2,
): ContrastRecall {
  if (labels.length !== preds.length || images.length !== 3 * labels.length) throw new Error('contrastRecall: images, labels and predictions differ in size');
  const out: ContrastRecall = { edges: [...edges], hits: edges.map(() => 0), misses: edges.map(() => 0) };
  for (let p = 0; p < labels.length; p++) {
    if (labels[p] !== cls) continue;
    const x = p % width;
    if (x < d || x >= width - d) continue;
    let c = 0;
    for (let k = 0; k < 3; k++) c += Math.abs(images[3 * p + k]! - (images[3 * (p - d) + k]! + images[3 * (p + d) + k]!) / 2);
    c /= 3;
    let bin = 0;
    while (bin + 1 < edges.length && c >= edges[bin + 1]!) bin++;
    (preds[p] === cls ? out.hits : out.misses)[bin]!++;
  }
  return out;
}
