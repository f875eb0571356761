/** Logit distillation of the Affinity lab (TECHNIQUES.md §3, the L_KD term): MSE on logits, or Hinton et al. 2015 KL with a temperature. */
import * as tf from '@tensorflow/tfjs-core';
import { kdLoss, withoutGradient } from './distill';

export type LogitKdMode = 'mse' | 'kl';

/**
 * KD loss on class logits `[B,K]` (teacher held constant, zero gradient): 'mse' is the mean over batch and classes of
 * (z_s − z_t)²; 'kl' is T² · mean over the batch of KL(softmax(z_t/T) ‖ softmax(z_s/T)) (Hinton et al. 2015). T is unused by 'mse'.
 */
export function logitKdLoss(student: tf.Tensor2D, teacher: tf.Tensor2D, mode: LogitKdMode, temperature: number): tf.Scalar {
  if (student.rank !== 2 || teacher.rank !== 2 || student.shape[0] !== teacher.shape[0] || student.shape[1] !== teacher.shape[1]) {
    throw new Error(`logitKdLoss: student [${student.shape}] and teacher [${teacher.shape}] logits must both be [B, K] of the same shape.`);
  }
  if (mode === 'kl') {
    const [b, k] = student.shape;
    // The pixel-wise KD of distill.ts on 1×1 "images" is exactly the per-example KD (T² scaling, teacher constant).
    return tf.tidy(() => kdLoss(tf.reshape(student, [b, 1, 1, k]), tf.reshape(teacher, [b, 1, 1, k]), temperature));
  }
  if (mode !== 'mse') throw new Error(`logitKdLoss: mode must be 'mse' or 'kl', got '${String(mode)}'.`);
  return tf.tidy(
    () =>
      tf.mean(
        tf.squaredDifference(
          student,
          withoutGradient(teacher, (t) => tf.clone(t)),
        ),
      ) as tf.Scalar,
  );
}
