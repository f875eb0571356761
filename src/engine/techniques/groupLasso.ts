/**
 * Group Lasso channel pruning (Wen, Wu, Wang, Chen, Li 2016, "Learning Structured Sparsity in Deep
 * Neural Networks"), TECHNIQUES.md §1 baselines, on HWIO conv kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { groupPenalty, type Grouping } from './groupNorms';
import { groupSoftThreshold } from './prox';

/** Group Lasso penalty λ_GL · Σ_kernels Σ_g sqrt(‖w_g‖² + 1e-8) over HWIO kernels; differentiable, use inside the tape. */
export function groupLassoPenalty(kernels: Iterable<tf.Tensor>, lambdaGL: number, grouping: Grouping): tf.Scalar {
  return groupPenalty(kernels, grouping, lambdaGL);
}

/** Proximal group Lasso step after SGD, in place on HWIO kernels: w_g ← w_g · max(0, 1 − lr·λ_GL/‖w_g‖₂). */
export function proxGroupLassoStep(kernels: Iterable<tf.Variable>, lr: number, lambdaGL: number, grouping: Grouping): void {
  const tau = lr * lambdaGL;
  if (tau === 0) return;
  for (const w of kernels) {
    tf.tidy(() => {
      w.assign(groupSoftThreshold(w, tau, grouping));
    });
  }
}
