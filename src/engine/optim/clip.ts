/** Gradient clipping by global norm (torch.nn.utils.clip_grad_norm_), run between `tf.variableGrads` and the optimiser step. */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Scale every gradient (any layout: HWIO kernels, vectors) by min(1, maxNorm / (‖g‖ + 1e-6)), ‖g‖ the ℓ2 norm of all of them
 * together, as torch.nn.utils.clip_grad_norm_. Synchronous, no read-back: returns new gradient tensors and the pre-clip
 * norm as a scalar tensor; the caller disposes the old gradients, the new ones and the norm.
 */
export function clipByGlobalNorm(grads: Record<string, tf.Tensor>, maxNorm: number): { grads: Record<string, tf.Tensor>; norm: tf.Scalar } {
  if (!(maxNorm >= 0)) throw new Error(`clipByGlobalNorm needs maxNorm ≥ 0, got ${maxNorm}.`);
  return tf.tidy(() => {
    const entries = Object.entries(grads);
    const squares = entries.map(([, g]) => tf.sum(tf.square(g)));
    const norm = (squares.length > 0 ? tf.sqrt(tf.addN(squares)) : tf.scalar(0)) as tf.Scalar;
    const scale = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
    const clipped: Record<string, tf.Tensor> = {};
    for (const [name, g] of entries) clipped[name] = tf.mul(g, scale);
    return { grads: clipped, norm };
  });
}
