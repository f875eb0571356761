/**
 * Lovász-softmax loss (Berman, Rannen Triki & Blaschko, "The Lovász-Softmax loss: a tractable surrogate for the
 * optimization of the intersection-over-union measure in neural networks", CVPR 2018): the convex Lovász extension of
 * each class's Jaccard loss 1 − IoU, evaluated at the per-pixel errors e_i = |y_ic − p_ic| of the softmax
 * probabilities, averaged over the classes present in the labels. Unlike cross-entropy it weighs a class by its IoU,
 * not by its pixel count, so a thin class (pole, person) counts as much as road.
 *
 * Conventions, as the paper's reference code (`lovasz_softmax_flat`, `classes='present'`, `per_image=False`):
 * - one loss over all the batch's valid pixels together (not per image); labels equal to `ignore` are left out;
 * - classes absent from the batch's labels are skipped (their Jaccard loss would be 0/0);
 * - for class c the errors are sorted in decreasing order, and the loss is Σ_k e_(k) · g_k with
 *   g = Δ J(k) (k = 1…P), J(k) = 1 − (G − F_k)/(G + k − F_k), G = #pixels of class c, F_k = #pixels of class c among
 *   the k largest errors; J(0) = 0.
 * The sort is piecewise constant, so the gradient w.r.t. e_i is g at i's rank (the reference code gets this from
 * autograd through `torch.sort`); tfjs has no gradient for TopK, so the function carries that gradient itself
 * (tf.customGrad).
 */
import * as tf from '@tensorflow/tfjs-core';
import { IGNORE_LABEL } from './distill';

/**
 * Lovász-softmax of NHWC logits against [B,H,W] int labels (values in [0, K) or `ignore`): a scalar in [0, 1]
 * (0 when every valid pixel has probability 1 on its label; 0 when no pixel is valid).
 */
export function lovaszSoftmax(logits: tf.Tensor4D, labels: tf.Tensor3D, ignore = IGNORE_LABEL): tf.Scalar {
  const [b, h, w, k] = logits.shape;
  if (labels.shape[0] !== b || labels.shape[1] !== h || labels.shape[2] !== w) {
    throw new Error(`lovaszSoftmax: labels ${JSON.stringify(labels.shape)} do not match logits ${JSON.stringify(logits.shape)}`);
  }
  const n = b * h * w;
  // Constants of the labels: one-hot [K, N] (all zero at ignored pixels) and the valid mask [N].
  const [fg, valid] = tf.tidy(() => {
    const flat = tf.reshape(tf.cast(labels, 'int32'), [n]);
    const v = tf.cast(tf.notEqual(flat, ignore), 'float32');
    // oneHot gives an all-zero row for an out-of-range index such as 255.
    return [tf.transpose(tf.cast(tf.oneHot(flat, k), 'float32')), v] as [tf.Tensor2D, tf.Tensor1D];
  });
  try {
    const probs = tf.transpose(tf.reshape(tf.softmax(logits), [n, k])) as tf.Tensor2D; // [K, N]
    const errors = tf.mul(tf.abs(tf.sub(fg, probs)), valid) as tf.Tensor2D;
    return lovaszOfErrors(errors, fg, valid);
  } finally {
    tf.dispose([fg, valid]);
  }
}

/**
 * The Lovász extension of the Jaccard loss at errors [K, N] (one row per class), with the 0/1 class-membership rows fg
 * [K, N] and the valid mask [N] as constants: mean over the classes present of Σ_k e_(k) g_k (see the module comment).
 * Exported for tests.
 */
export function lovaszOfErrors(errors: tf.Tensor2D, fg: tf.Tensor2D, valid: tf.Tensor1D): tf.Scalar {
  const [k, n] = errors.shape;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const e = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const [value, grad] = tf.tidy(() => {
      // Invalid pixels sort last (key −1 below every error ≥ 0); they are not class members, so every g after the last
      // valid pixel is 0 and they add nothing.
      const key = tf.sub(tf.mul(e, valid), tf.sub(1, valid));
      const perm = tf.topk(key, n, true).indices; // [K, N], decreasing error
      const fgSorted = tf.gather(fg, perm, 1, 1);
      const eSorted = tf.gather(e, perm, 1, 1);
      const gts = tf.sum(fg, 1, true); // [K, 1]
      const intersection = tf.sub(gts, tf.cumsum(fgSorted, 1));
      const union = tf.add(gts, tf.cumsum(tf.sub(1, fgSorted), 1));
      const jaccard = tf.sub(1, tf.div(intersection, tf.maximum(union, 1)));
      const g = tf.sub(
        jaccard,
        tf.pad(tf.slice(jaccard, [0, 0], [k, n - 1]), [
          [0, 0],
          [1, 0],
        ]),
      );
      const present = tf.cast(tf.greater(tf.squeeze(gts, [1]), 0), 'float32'); // [K]
      const weight = tf.div(present, tf.maximum(tf.sum(present), 1)); // the mean over present classes
      const perClass = tf.sum(tf.mul(eSorted, g), 1);
      // Back to pixel order: grad[c, perm[c, j]] = weight_c · g[c, j].
      const rows = tf.tile(tf.reshape(tf.range(0, k, 1, 'int32'), [k, 1]), [1, n]);
      const idx = tf.reshape(tf.stack([rows, perm], 2), [k * n, 2]);
      const gPixel = tf.scatterND(idx, tf.reshape(tf.mul(g, tf.reshape(weight, [k, 1])), [k * n]), [k, n]);
      return [tf.sum(tf.mul(perClass, weight)), gPixel];
    });
    save([grad]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, saved[0]!),
    };
  });
  return f(errors) as tf.Scalar;
}
