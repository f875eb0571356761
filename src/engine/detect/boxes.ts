/**
 * Boxes for the Detect lab (TECHNIQUES.md §4, DETR, Carion et al. 2020). Two layouts, 4 numbers each:
 * (cx, cy, w, h) in [0, 1], DETR's prediction and target format, and (x1, y1, x2, y2) corners.
 * Plain float64 functions serve matching and metrics; the tensor versions (`[n, 4]`, row i against row i)
 * serve the loss and have gradients in tfjs-core.
 */
import * as tf from '@tensorflow/tfjs-core';

/** One box as 4 numbers: (cx, cy, w, h) or (x1, y1, x2, y2), as the function says. */
export type Box = readonly [number, number, number, number];

/**
 * Added to the IoU and enclosing-box denominators of the tensor GIoU, as torchvision's `generalized_box_iou_loss`
 * (eps = 1e-7): DETR's own `generalized_box_iou` has no guard (it asserts x2 ≥ x1 and gives NaN on w or h = 0).
 */
export const GIOU_EPS = 1e-7;

/** (cx, cy, w, h) → (x1, y1, x2, y2), as DETR's box_cxcywh_to_xyxy. */
export function cxcywhToXyxy(b: Box): Box {
  const [cx, cy, w, h] = b;
  return [cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h];
}

/** Area of an (x1, y1, x2, y2) box; 0 for a degenerate or inverted box. */
export function area(b: Box): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

/** Intersection area of two (x1, y1, x2, y2) boxes (0 when they are disjoint or only touch). */
export function intersection(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

/** IoU of two (x1, y1, x2, y2) boxes in float64, exact (no epsilon); 0 when the union is empty (two degenerate boxes). */
export function iou(a: Box, b: Box): number {
  const inter = intersection(a, b);
  const union = area(a) + area(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** Area of the smallest box enclosing two (x1, y1, x2, y2) boxes. */
function enclosingArea(a: Box, b: Box): number {
  return (Math.max(a[2], b[2]) - Math.min(a[0], b[0])) * (Math.max(a[3], b[3]) - Math.min(a[1], b[1]));
}

/**
 * Generalized IoU (Rezatofighi et al. 2019) of two (x1, y1, x2, y2) boxes in float64: IoU − (|C| − |A∪B|)/|C|, C the smallest
 * enclosing box; in [−1, 1]. Exact, no epsilon: a division by an empty union or an empty C counts as 0 (the guard is a branch),
 * so degenerate boxes give no NaN (two identical points → 0, two distinct points → −1 or 0 when C is a line).
 */
export function giou(a: Box, b: Box): number {
  const inter = intersection(a, b);
  const union = area(a) + area(b) - inter;
  const c = enclosingArea(a, b);
  const i = union > 0 ? inter / union : 0;
  return c > 0 ? i - (c - union) / c : i;
}

/** `[n, 4]` (cx, cy, w, h) → `[n, 4]` (x1, y1, x2, y2) on tensors (differentiable: split, arithmetic, concat). */
export function cxcywhToXyxyTensor(boxes: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [cx, cy, w, h] = tf.split(boxes, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const hw = tf.mul(w, 0.5);
    const hh = tf.mul(h, 0.5);
    return tf.concat([tf.sub(cx, hw), tf.sub(cy, hh), tf.add(cx, hw), tf.add(cy, hh)], 1) as tf.Tensor2D;
  });
}

/**
 * Row-wise GIoU of two `[n, 4]` (x1, y1, x2, y2) tensors → `[n]` (row i with row i, the diagonal of DETR's
 * generalized_box_iou), differentiable. Denominators get `GIOU_EPS` added (torchvision's generalized_box_iou_loss):
 * iou = inter / (union + ε), giou = iou − (|C| − union) / (|C| + ε); degenerate boxes give finite values and gradients.
 */
export function giouTensor(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const [ax1, ay1, ax2, ay2] = tf.split(a, 4, 1);
    const [bx1, by1, bx2, by2] = tf.split(b, 4, 1);
    const areaA = tf.mul(tf.relu(tf.sub(ax2!, ax1!)), tf.relu(tf.sub(ay2!, ay1!)));
    const areaB = tf.mul(tf.relu(tf.sub(bx2!, bx1!)), tf.relu(tf.sub(by2!, by1!)));
    const iw = tf.relu(tf.sub(tf.minimum(ax2!, bx2!), tf.maximum(ax1!, bx1!)));
    const ih = tf.relu(tf.sub(tf.minimum(ay2!, by2!), tf.maximum(ay1!, by1!)));
    const inter = tf.mul(iw, ih);
    const union = tf.sub(tf.add(areaA, areaB), inter);
    const cw = tf.relu(tf.sub(tf.maximum(ax2!, bx2!), tf.minimum(ax1!, bx1!)));
    const ch = tf.relu(tf.sub(tf.maximum(ay2!, by2!), tf.minimum(ay1!, by1!)));
    const c = tf.mul(cw, ch);
    const iouT = tf.div(inter, tf.add(union, GIOU_EPS));
    const g = tf.sub(iouT, tf.div(tf.sub(c, union), tf.add(c, GIOU_EPS)));
    return tf.reshape(g, [-1]) as tf.Tensor1D;
  });
}
