/**
 * DETR's set criterion (Carion et al. 2020, models/detr.py SetCriterion) for one class: weighted cross-entropy over every query
 * plus L1 and GIoU box losses over the Hungarian-matched pairs, on every decoder layer (auxiliary losses). Synchronous and
 * differentiable, so it runs inside `minimize`; the matching (matching.ts) is computed beforehand from read-back values.
 */
import * as tf from '@tensorflow/tfjs-core';
import { cxcywhToXyxyTensor, giouTensor, type Box } from './boxes';
import type { ImageMatch } from './matching';

/** Weights of the loss (DETR: bbox_loss_coef 5, giou_loss_coef 2, eos_coef 0.1). */
export interface DetrLossWeights {
  ce: number;
  l1: number;
  giou: number;
  /** Class weight of no-object in the cross-entropy (person weighs 1). */
  eosCoef: number;
}

export const DEFAULT_DETR_LOSS: DetrLossWeights = { ce: 1, l1: 5, giou: 2, eosCoef: 0.1 };

/** The loss of one decoder layer: total = ce·CE + l1·L1 + giou·GIoU (all scalars; the caller disposes them). */
export interface DetrLossTerms {
  total: tf.Scalar;
  ce: tf.Scalar;
  l1: tf.Scalar;
  giou: tf.Scalar;
}

/** One decoder layer's outputs: logits `[B, N, 2]` (person, no-object), boxes `[B, N, 4]` (cx, cy, w, h) post-sigmoid. */
export interface DetrLayerOutput {
  logits: tf.Tensor3D;
  boxes: tf.Tensor3D;
}

/** DETR's num_boxes: the batch's gt box count, at least 1. */
export function numGtBoxes(gtBoxes: readonly (readonly Box[])[]): number {
  return Math.max(
    1,
    gtBoxes.reduce((s, g) => s + g.length, 0),
  );
}

/**
 * One layer's loss. logits `[B, N, 2]`, boxes `[B, N, 4]` (cx, cy, w, h post-sigmoid), gtBoxes per image ((cx, cy, w, h)),
 * matches per image (matching.ts). (a) CE over all B·N queries, target person for matched queries and no-object otherwise,
 * class weights [1, eosCoef], averaged as PyTorch's `F.cross_entropy(weight=…)` (DETR's loss_labels): Σ w_i·ce_i / Σ w_i;
 * (b) L1 = Σ over matched pairs of |Δ| summed over the 4 (cx, cy, w, h) coordinates / numBoxes; (c) GIoU = Σ (1 − GIoU) / numBoxes
 * on (x1, y1, x2, y2) boxes; numBoxes = max(1, gt boxes in the batch). Matched rows are selected from the flattened `[B·N, 4]`
 * boxes by a constant one-hot `[M, B·N]` matrix product (not tf.gather: its gradient needs UnsortedSegmentSum, which the wasm
 * backend lacks); with no gt in the batch L1 and GIoU are constant 0.
 */
export function detrLoss(
  logits: tf.Tensor3D,
  boxes: tf.Tensor3D,
  gtBoxes: readonly (readonly Box[])[],
  matches: readonly ImageMatch[],
  weights: DetrLossWeights = DEFAULT_DETR_LOSS,
): DetrLossTerms {
  const [batch, n, k] = logits.shape;
  if (k !== 2 || boxes.shape[0] !== batch || boxes.shape[1] !== n || boxes.shape[2] !== 4) {
    throw new Error(`detrLoss needs logits [B, N, 2] and boxes [B, N, 4], got ${logits.shape} and ${boxes.shape}.`);
  }
  if (gtBoxes.length !== batch || matches.length !== batch)
    throw new Error(`detrLoss needs ${batch} gt lists and matches, got ${gtBoxes.length} and ${matches.length}.`);

  // Constants from the matching: weighted one-hot targets, the flat indices of matched queries and their gt boxes.
  const targetW = new Float32Array(batch * n * 2);
  for (let q = 0; q < batch * n; q++) targetW[2 * q + 1] = weights.eosCoef;
  const flatIdx: number[] = [];
  const tgt: number[] = [];
  matches.forEach((m, b) => {
    if (m.queries.length !== m.gts.length) throw new Error(`Image ${b}: ${m.queries.length} queries vs ${m.gts.length} gts in the match.`);
    m.queries.forEach((q, i) => {
      const g = gtBoxes[b]![m.gts[i]!];
      if (q < 0 || q >= n || !g) throw new Error(`Image ${b}: match (${q}, ${m.gts[i]}) out of range.`);
      const f = b * n + q;
      targetW[2 * f] = 1;
      targetW[2 * f + 1] = 0;
      flatIdx.push(f);
      tgt.push(...g);
    });
  });
  let sumW = 0;
  for (const w of targetW) sumW += w;
  const numBoxes = numGtBoxes(gtBoxes);

  return tf.tidy(() => {
    const logp = tf.logSoftmax(tf.reshape(logits, [batch * n, 2]));
    const ce = tf.div(tf.neg(tf.sum(tf.mul(logp, tf.tensor2d(targetW, [batch * n, 2])))), sumW) as tf.Scalar;
    let l1: tf.Scalar;
    let giouLoss: tf.Scalar;
    if (flatIdx.length > 0) {
      const select = new Float32Array(flatIdx.length * batch * n);
      flatIdx.forEach((f, i) => (select[i * batch * n + f] = 1));
      const src = tf.matMul(tf.tensor2d(select, [flatIdx.length, batch * n]), tf.reshape(boxes, [batch * n, 4]) as tf.Tensor2D) as tf.Tensor2D;
      const target = tf.tensor2d(tgt, [flatIdx.length, 4]);
      // |Δ| as sign(Δ)·Δ: its gradient is sign(Δ), 0 at Δ = 0 as PyTorch's abs (tfjs's Abs gradient gives −1 there).
      const delta = tf.sub(src, target);
      l1 = tf.div(tf.sum(tf.mul(tf.sign(delta), delta)), numBoxes) as tf.Scalar;
      const g = giouTensor(cxcywhToXyxyTensor(src), cxcywhToXyxyTensor(target));
      giouLoss = tf.div(tf.sum(tf.sub(1, g)), numBoxes) as tf.Scalar;
    } else {
      l1 = tf.scalar(0);
      giouLoss = tf.scalar(0);
    }
    const total = tf.addN([tf.mul(ce, weights.ce), tf.mul(l1, weights.l1), tf.mul(giouLoss, weights.giou)]) as tf.Scalar;
    return { total, ce, l1, giou: giouLoss };
  });
}

/** The whole loss over decoder layers (DETR's aux_loss): per-layer terms for charts and their sum `total` (the caller disposes all). */
export interface DetrAuxLoss {
  total: tf.Scalar;
  layers: DetrLossTerms[];
}

/**
 * DETR's loss with auxiliary decoding losses: `detrLoss` on every decoder layer's outputs (`[B, N, 2]` logits, `[B, N, 4]` boxes),
 * each with its own Hungarian matching (`matchesPerLayer[l]`, as DETR re-matches per layer), summed with equal weights.
 */
export function detrAuxLoss(
  layers: readonly DetrLayerOutput[],
  gtBoxes: readonly (readonly Box[])[],
  matchesPerLayer: readonly (readonly ImageMatch[])[],
  weights: DetrLossWeights = DEFAULT_DETR_LOSS,
): DetrAuxLoss {
  if (layers.length === 0 || matchesPerLayer.length !== layers.length) {
    throw new Error(`detrAuxLoss needs one matching per layer, got ${layers.length} layers and ${matchesPerLayer.length} matchings.`);
  }
  const terms: DetrLossTerms[] = [];
  try {
    layers.forEach((l, i) => terms.push(detrLoss(l.logits, l.boxes, gtBoxes, matchesPerLayer[i]!, weights)));
  } catch (err) {
    for (const t of terms) tf.dispose([t.total, t.ce, t.l1, t.giou]);
    throw err;
  }
  const total = (terms.length === 1 ? tf.clone(terms[0]!.total) : tf.addN(terms.map((t) => t.total))) as tf.Scalar;
  return { total, layers: terms };
}
