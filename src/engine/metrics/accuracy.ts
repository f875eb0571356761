/** Classification metrics on logits [B, classes] and integer labels [B]. */
import * as tf from '@tensorflow/tfjs-core';

/** Mean softmax cross-entropy of logits [B, C] against int32 labels [B]. */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const oneHot = tf.cast(tf.oneHot(labels, logits.shape[1]), 'float32');
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}

/** Number of rows whose arg-max equals the label (a float32 scalar). */
export function countCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')) as tf.Scalar);
}
