/**
 * PixelShuffle (sub-pixel convolution, Shi et al. 2016) on NHWC tensors, built from reshape and
 * transpose only: `tf.depthToSpace` computes the same values but has no gradient in tfjs-core.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * PixelShuffle ×r, NHWC `[B, h, w, r·r·C]` → `[B, h·r, w·r, C]` (Shi et al. 2016); equals
 * `tf.depthToSpace(x, r, 'NHWC')`: out[b, h·r+i, w·r+j, c] = x[b, h, w, (i·r + j)·C + c].
 *
 * TECHNIQUES.md §2 writes it as reshape [B,h,w,r,r,C] → transpose [0,1,3,2,4,5] → reshape
 * [B,h·r,w·r,C]. That permutation only swaps the w axis with the first r axis, so it is run here
 * with B·h and r·C merged: reshape [B·h, w, r, r·C] → transpose [0,2,1,3] → reshape. Same values,
 * same gradient, and a rank-4 transpose (the fast path on every backend).
 */
export function pixelShuffle(x: tf.Tensor4D, r: number): tf.Tensor4D {
  const [b, h, w, depth] = x.shape;
  if (!Number.isInteger(r) || r < 1) throw new Error(`pixelShuffle needs a positive integer factor, got ${r}.`);
  if (depth % (r * r) !== 0) throw new Error(`pixelShuffle ×${r} needs channels divisible by ${r * r}, got ${depth}.`);
  if (r === 1) return tf.clone(x);
  const c = depth / (r * r);
  return tf.tidy(() => {
    const split = tf.reshape(x, [b * h, w, r, r * c]);
    const moved = tf.transpose(split, [0, 2, 1, 3]); // [B·h, r(i), w, r(j)·C]
    return tf.reshape(moved, [b, h * r, w * r, c]) as tf.Tensor4D;
  });
}
