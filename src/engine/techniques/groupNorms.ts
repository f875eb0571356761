/**
 * Channel groups of an HWIO conv kernel [kh, kw, in, out] and their ℓ2 norms (TECHNIQUES.md §1,
 * RGSM of Yang, Lyu, Zhang, Qi, Xin 2019 and group Lasso of Wen et al. 2016).
 */
import * as tf from '@tensorflow/tfjs-core';

/** 'input': one group per input channel (norm over axes [0, 1, 3]); 'output': one per filter (axes [0, 1, 2]). */
export type Grouping = 'input' | 'output';

/** Smoothing inside the loss: sqrt(‖w_g‖² + SMOOTH_EPS) has a gradient at w_g = 0. */
export const SMOOTH_EPS = 1e-8;

/** The reduction axes of an HWIO kernel for a grouping. */
export function groupAxes(grouping: Grouping): [number, number, number] {
  return grouping === 'input' ? [0, 1, 3] : [0, 1, 2];
}

/** Number of groups of an HWIO kernel shape: `in` for input grouping, `out` for output grouping. */
export function groupCount(kernelShape: readonly number[], grouping: Grouping): number {
  const n = kernelShape[grouping === 'input' ? 2 : 3];
  if (kernelShape.length !== 4 || n === undefined) throw new Error(`expected an HWIO kernel shape, got [${kernelShape.join(', ')}]`);
  return n;
}

/** Σ w² per group of an HWIO kernel → [groups]. */
export function groupSquaredNorms(kernel: tf.Tensor, grouping: Grouping): tf.Tensor1D {
  groupCount(kernel.shape, grouping);
  return tf.tidy(() => tf.sum(tf.square(kernel), groupAxes(grouping)) as tf.Tensor1D);
}

/** Exact ℓ2 norm ‖w_g‖₂ per group of an HWIO kernel → [groups]. */
export function groupNorms(kernel: tf.Tensor, grouping: Grouping): tf.Tensor1D {
  return tf.tidy(() => tf.sqrt(groupSquaredNorms(kernel, grouping)));
}

/** Smoothed group penalty Σ_g sqrt(‖w_g‖² + 1e-8) of an HWIO kernel (differentiable; use inside a gradient tape). */
export function smoothedGroupNormSum(kernel: tf.Tensor, grouping: Grouping): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.sqrt(tf.add(groupSquaredNorms(kernel, grouping), SMOOTH_EPS))) as tf.Scalar);
}

/** Σ over HWIO kernels of the smoothed group penalty, times `lambda` (the λ2 term of RGSM, the λ_GL term of group Lasso). */
export function groupPenalty(kernels: Iterable<tf.Tensor>, grouping: Grouping, lambda: number): tf.Scalar {
  return tf.tidy(() => {
    let sum: tf.Tensor = tf.scalar(0);
    for (const k of kernels) sum = tf.add(sum, smoothedGroupNormSum(k, grouping));
    return tf.mul(sum, lambda) as tf.Scalar;
  });
}

/** Reshape a per-group vector [groups] to broadcast against an HWIO kernel: [1,1,G,1] (input) or [1,1,1,G] (output). */
export function groupBroadcastShape(scale: tf.Tensor1D, grouping: Grouping): tf.Tensor4D {
  const g = scale.shape[0];
  return tf.reshape(scale, grouping === 'input' ? [1, 1, g, 1] : [1, 1, 1, g]);
}

/** A per-group scale vector [groups] expanded to the full HWIO kernel shape [kh, kw, in, out]. */
export function broadcastGroups(scale: tf.Tensor1D, kernelShape: readonly number[], grouping: Grouping): tf.Tensor4D {
  if (groupCount(kernelShape, grouping) !== scale.shape[0]) {
    throw new Error(`scale has ${scale.shape[0]} entries; kernel [${kernelShape.join(', ')}] has ${groupCount(kernelShape, grouping)} ${grouping} groups`);
  }
  return tf.tidy(() => tf.broadcastTo(groupBroadcastShape(scale, grouping), [...kernelShape] as [number, number, number, number]));
}

/** Multiply every group of an HWIO kernel by its entry of `scale` [groups]. */
export function scaleGroups(kernel: tf.Tensor, scale: tf.Tensor1D, grouping: Grouping): tf.Tensor4D {
  if (groupCount(kernel.shape, grouping) !== scale.shape[0]) throw new Error('scale length does not match the group count');
  return tf.tidy(() => tf.mul(kernel, groupBroadcastShape(scale, grouping)) as tf.Tensor4D);
}
