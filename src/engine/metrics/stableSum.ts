/**
 * Sums that stay exact to float32 rounding on every backend. tfjs-backend-wasm's Sum adds float32 one element
 * at a time, so the error grows with the count: a loss over 8×128×256×8 values is off by ~1e-4 relative, a sum
 * of 1 M constants by ~4e-3. Summing in stages of at most 256 elements (the rows of a [⌈n/256⌉, 256] view,
 * then those partial sums again, …) bounds each accumulation to 256 terms, so the result agrees with the cpu
 * backend (which accumulates in float64-like pairwise order) to ~1e-6. Differentiable: pad, reshape and sum.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Terms per accumulation. */
export const STABLE_SUM_CHUNK = 256;

/** Σ of every element of `x`, reduced in stages of at most STABLE_SUM_CHUNK terms. */
export function stableSum(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    let v = tf.reshape(x, [-1]);
    while (v.size > STABLE_SUM_CHUNK) {
      const n = v.size;
      const rows = Math.ceil(n / STABLE_SUM_CHUNK);
      const padded = rows * STABLE_SUM_CHUNK > n ? tf.pad(v, [[0, rows * STABLE_SUM_CHUNK - n]]) : v;
      v = tf.sum(tf.reshape(padded, [rows, STABLE_SUM_CHUNK]), 1);
    }
    return tf.sum(v) as tf.Scalar;
  });
}

/** Mean of every element of `x` through stableSum. */
export function stableMean(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.div(stableSum(x), x.size) as tf.Scalar);
}
