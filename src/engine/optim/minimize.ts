/** The one gradient step every trainer takes (after tfjs-examples' `optimizer.minimize(() => loss)`). */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Differentiate lossFn (run on the tape) w.r.t. every variable of trainable, hand the gradients, keyed by the map's parameter
 * names and shaped like their variables (HWIO conv kernels, per-channel vectors), to apply (e.g. `(g) => sgd.step(g)`), free them,
 * and return the loss (the caller disposes it). A variable the loss does not reach gets no entry.
 */
export function minimize(lossFn: () => tf.Scalar, trainable: ReadonlyMap<string, tf.Variable>, apply: (grads: Record<string, tf.Tensor>) => void): tf.Scalar {
  const { value, grads } = tf.variableGrads(lossFn, [...trainable.values()]);
  try {
    const named: Record<string, tf.Tensor> = {};
    for (const [name, v] of trainable) {
      const g = grads[v.name];
      if (g) named[name] = g;
    }
    apply(named);
  } catch (err) {
    value.dispose();
    throw err;
  } finally {
    tf.dispose(Object.values(grads));
  }
  return value;
}
