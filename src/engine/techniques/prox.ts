/**
 * Group proximal operators on HWIO conv kernels (TECHNIQUES.md §1; RGSM, Yang, Lyu, Zhang, Qi, Xin 2019).
 * Comparison ops have no gradient in tfjs: call these outside any gradient tape.
 */
import * as tf from '@tensorflow/tfjs-core';
import { groupNorms, scaleGroups, type Grouping } from './groupNorms';

export type ProxKind = 'hard' | 'soft';

/**
 * Maps a weight tensor (HWIO) to its proximal point; returns a new tensor the caller owns. `layer` (the
 * kernel's parameter name) selects the layer's threshold when the prox has per-layer scales.
 */
export type ProxFn = (w: tf.Tensor, layer?: string) => tf.Tensor4D;

/** Hard-prox threshold of group ℓ0 (RGSM): sqrt(2·λ1/β). */
export function hardThreshold(lambda1: number, beta: number): number {
  if (!(beta > 0)) throw new Error(`β must be positive, got ${beta}`);
  return Math.sqrt((2 * lambda1) / beta);
}

/** Keep a group of an HWIO kernel iff ‖w_g‖₂ > threshold (strictly), else zero it. */
export function groupHardThreshold(w: tf.Tensor, threshold: number, grouping: Grouping): tf.Tensor4D {
  return tf.tidy(() => {
    const keep = tf.cast(tf.greater(groupNorms(w, grouping), threshold), 'float32') as tf.Tensor1D;
    return scaleGroups(w, keep, grouping);
  });
}

/** Shrink every group of an HWIO kernel: w_g · max(0, 1 − τ/‖w_g‖₂); a zero group stays 0 (no NaN). */
export function groupSoftThreshold(w: tf.Tensor, tau: number, grouping: Grouping): tf.Tensor4D {
  return tf.tidy(() => {
    const norms = groupNorms(w, grouping);
    const positive = tf.greater(norms, 0);
    const safe = tf.where(positive, norms, tf.onesLike(norms));
    const factor = tf.where(positive, tf.relu(tf.sub(1, tf.div(tau, safe))), tf.zerosLike(norms)) as tf.Tensor1D;
    return scaleGroups(w, factor, grouping);
  });
}

/** Group ℓ0 prox of RGSM: u_g = w_g if ‖w_g‖₂ > sqrt(2λ1/β), else 0 (HWIO). */
export function groupHardProx(w: tf.Tensor, lambda1: number, beta: number, grouping: Grouping): tf.Tensor4D {
  return groupHardThreshold(w, hardThreshold(lambda1, beta), grouping);
}

/** Group ℓ1 prox of RGSM: u_g = w_g · max(0, 1 − (λ1/β)/‖w_g‖₂) (HWIO). */
export function groupSoftProx(w: tf.Tensor, lambda1: number, beta: number, grouping: Grouping): tf.Tensor4D {
  if (!(beta > 0)) throw new Error(`β must be positive, got ${beta}`);
  return groupSoftThreshold(w, lambda1 / beta, grouping);
}

/**
 * Per-layer λ1 of the "per-layer thresholds" option (ours, beyond the RGSM paper): the λ1 that multiplies
 * the prox's threshold on ‖w_g‖₂ by the layer scale s_l. Hard prox (group ℓ0): λ1·s_l², so the threshold is
 * sqrt(2·λ1·s_l²/β) = s_l·sqrt(2λ1/β). Soft prox (group ℓ1): λ1·s_l, so the shrinkage is τ_l = s_l·λ1/β.
 * (The ℓ0 penalty scales like s² and the ℓ1 penalty like s when the layer's weights are scaled by s.)
 */
export function layerLambda1(kind: ProxKind, lambda1: number, scale: number): number {
  return kind === 'hard' ? lambda1 * scale * scale : lambda1 * scale;
}

/**
 * The RGSM prox for a kind and the current λ1, β, grouping, as a function of w (HWIO). With `scales`
 * (layer name → s_l, the per-layer thresholds option) a layer's prox uses λ1 = layerLambda1(kind, λ1, s_l);
 * a layer missing from `scales` is an error.
 */
export function makeProx(kind: ProxKind, lambda1: number, beta: number, grouping: Grouping, scales?: ReadonlyMap<string, number>): ProxFn {
  const lambdaOf = (layer: string | undefined): number => {
    if (!scales) return lambda1;
    const s = layer === undefined ? undefined : scales.get(layer);
    if (s === undefined) throw new Error(`no per-layer threshold scale for layer ${String(layer)}`);
    return layerLambda1(kind, lambda1, s);
  };
  return kind === 'hard' ? (w, layer) => groupHardProx(w, lambdaOf(layer), beta, grouping) : (w, layer) => groupSoftProx(w, lambdaOf(layer), beta, grouping);
}
