/**
 * DETR's HungarianMatcher (Carion et al. 2020, models/matcher.py) for one class (person): per image, the optimal one-to-one
 * assignment of queries to ground-truth boxes under cost = costClass·(−p_person) + costBbox·L1 + costGiou·(−GIoU).
 * Runs in float64 on values read back from the tensors (no tape, no tensors kept).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { linearSumAssignment } from 'linear-sum-assignment';
import { cxcywhToXyxy, giou, type Box } from './boxes';

/** Weights of the matching cost (DETR's set_cost_class, set_cost_bbox, set_cost_giou). */
export interface MatchCostWeights {
  costClass: number;
  costBbox: number;
  costGiou: number;
}

export const DEFAULT_MATCH_COST: MatchCostWeights = { costClass: 1, costBbox: 5, costGiou: 2 };

/** One image's matching: queries[k] is matched to gts[k]; sorted by query index (DETR returns them so). */
export interface ImageMatch {
  queries: number[];
  gts: number[];
}

/**
 * Minimum-cost assignment of a rows × cols cost matrix (rectangular allowed): the min(rows, cols) (row, col) pairs, sorted by row.
 * Throws on a non-finite cost (as scipy's linear_sum_assignment, which DETR calls).
 */
export function assignMinCost(cost: readonly (readonly number[])[]): ImageMatch {
  const rows = cost.length;
  const cols = cost[0]?.length ?? 0;
  if (rows === 0 || cols === 0) return { queries: [], gts: [] };
  for (const row of cost) {
    if (row.length !== cols) throw new Error(`Cost matrix rows differ in length (${row.length} vs ${cols}).`);
    for (const c of row) if (!Number.isFinite(c)) throw new Error(`Cost matrix contains a non-finite entry (${c}).`);
  }
  const { rowAssignments } = linearSumAssignment(
    cost.map((r) => [...r]),
    { maximaze: false },
  );
  const queries: number[] = [];
  const gts: number[] = [];
  for (let i = 0; i < rows; i++) {
    const j = rowAssignments[i] ?? -1;
    if (j >= 0) {
      queries.push(i);
      gts.push(j);
    }
  }
  if (queries.length !== Math.min(rows, cols)) throw new Error(`Assignment incomplete: ${queries.length} of ${Math.min(rows, cols)} pairs.`);
  return { queries, gts };
}

/**
 * DETR's matching cost for one image: logits `[N·2]` (person, no-object) row-major, boxes `[N·4]` (cx, cy, w, h) post-sigmoid,
 * gt (cx, cy, w, h) → N × M matrix. p = softmax of the 2 logits; L1 = Σ over the 4 (cx, cy, w, h) coordinates (torch.cdist p=1);
 * GIoU on the (x1, y1, x2, y2) boxes (float64, see boxes.ts `giou`).
 */
export function matchCostMatrix(
  logits: ArrayLike<number>,
  boxes: ArrayLike<number>,
  gt: readonly Box[],
  weights: MatchCostWeights = DEFAULT_MATCH_COST,
): number[][] {
  const n = logits.length / 2;
  if (!Number.isInteger(n) || boxes.length !== n * 4) throw new Error(`Need logits [N·2] and boxes [N·4], got ${logits.length} and ${boxes.length}.`);
  const gtXyxy = gt.map(cxcywhToXyxy);
  const cost: number[][] = [];
  for (let i = 0; i < n; i++) {
    const a = logits[2 * i]!;
    const b = logits[2 * i + 1]!;
    const m = Math.max(a, b);
    const pPerson = Math.exp(a - m) / (Math.exp(a - m) + Math.exp(b - m));
    const box: Box = [boxes[4 * i]!, boxes[4 * i + 1]!, boxes[4 * i + 2]!, boxes[4 * i + 3]!];
    const boxXyxy = cxcywhToXyxy(box);
    cost.push(
      gt.map((g, j) => {
        const l1 = Math.abs(box[0] - g[0]) + Math.abs(box[1] - g[1]) + Math.abs(box[2] - g[2]) + Math.abs(box[3] - g[3]);
        return -weights.costClass * pPerson + weights.costBbox * l1 - weights.costGiou * giou(boxXyxy, gtXyxy[j]!);
      }),
    );
  }
  return cost;
}

/**
 * Hungarian matching of a batch from read-back values: logits `[B, N, 2]` and boxes `[B, N, 4]` (cx, cy, w, h) row-major,
 * gtBoxes per image ((cx, cy, w, h) in [0, 1]). One ImageMatch per image, pairs sorted by query; an image without gt gets none.
 */
export function hungarianMatchValues(
  logits: ArrayLike<number>,
  boxes: ArrayLike<number>,
  gtBoxes: readonly (readonly Box[])[],
  weights: MatchCostWeights = DEFAULT_MATCH_COST,
): ImageMatch[] {
  const batch = gtBoxes.length;
  const n = logits.length / (2 * batch);
  if (!Number.isInteger(n) || boxes.length !== batch * n * 4) throw new Error(`Need logits [B, N, 2] and boxes [B, N, 4] for B = ${batch} images.`);
  const out: ImageMatch[] = [];
  for (let b = 0; b < batch; b++) {
    const gt = gtBoxes[b]!;
    if (gt.length === 0) {
      out.push({ queries: [], gts: [] });
      continue;
    }
    const lg = Array.prototype.slice.call(logits, b * n * 2, (b + 1) * n * 2) as number[];
    const bx = Array.prototype.slice.call(boxes, b * n * 4, (b + 1) * n * 4) as number[];
    out.push(assignMinCost(matchCostMatrix(lg, bx, gt, weights)));
  }
  return out;
}

/** Hungarian matching of a batch: logits `[B, N, 2]`, boxes `[B, N, 4]` (cx, cy, w, h) tensors read with `await data()` (not disposed). */
export async function hungarianMatch(
  logits: tf.Tensor3D,
  boxes: tf.Tensor3D,
  gtBoxes: readonly (readonly Box[])[],
  weights: MatchCostWeights = DEFAULT_MATCH_COST,
): Promise<ImageMatch[]> {
  const [batch, n] = logits.shape;
  if (batch !== gtBoxes.length || boxes.shape[0] !== batch || boxes.shape[1] !== n || logits.shape[2] !== 2 || boxes.shape[2] !== 4) {
    throw new Error(`hungarianMatch needs logits [B, N, 2], boxes [B, N, 4] and B gt lists; got ${logits.shape}, ${boxes.shape}, ${gtBoxes.length}.`);
  }
  const [lv, bv] = await Promise.all([logits.data(), boxes.data()]);
  return hungarianMatchValues(lv, bv, gtBoxes, weights);
}

/** Matching for every decoder layer's outputs (logits `[B, N, 2]`, boxes `[B, N, 4]`), each matched on its own as DETR's aux loss does. */
export async function hungarianMatchLayers(
  layers: readonly { logits: tf.Tensor3D; boxes: tf.Tensor3D }[],
  gtBoxes: readonly (readonly Box[])[],
  weights: MatchCostWeights = DEFAULT_MATCH_COST,
): Promise<ImageMatch[][]> {
  return Promise.all(layers.map((l) => hungarianMatch(l.logits, l.boxes, gtBoxes, weights)));
}
