/**
 * Per-layer scales of conv group norms (HWIO kernels) for RGSM's "per-layer thresholds" option — ours, an
 * extension beyond the RGSM paper (Yang, Lyu, Zhang, Qi, Xin 2019; TECHNIQUES.md §1).
 *
 * He-initialised input-channel groups start at ‖w_g‖₂ ≈ sqrt(2·C_out/C_in), so one absolute threshold
 * sqrt(2λ1/β) sits at a different place in every layer's norm distribution (and cuts whole layers where
 * C_out = C_in). The scale of layer l is
 *
 *     s_l = median_g ‖w_g‖₂ over the groups of layer l  /  median_g ‖w_g‖₂ over all groups of all layers
 *
 * taken once, from w at initialisation (before the first prox); the pooled median counts every group once.
 * The prox then multiplies the layer's threshold by s_l (see `layerLambda1` in prox.ts).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { groupNorms, type Grouping } from './groupNorms';

/** Median of a list (the mean of the two middle values for an even count); NaN for an empty list. */
export function median(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * s_l = median of layer l's group norms / median of all groups' norms pooled (one entry per layer, in order).
 * Every scale is 1 when the pooled median is not positive (nothing to scale by).
 */
export function layerScalesFromNorms(norms: readonly ArrayLike<number>[]): number[] {
  const pooled: number[] = [];
  for (const n of norms) for (let i = 0; i < n.length; i++) pooled.push(n[i]!);
  const all = median(pooled);
  if (!(all > 0)) return norms.map(() => 1);
  return norms.map((n) => median(n) / all);
}

/** The per-layer scales s_l of conv kernels (HWIO, by name) from their current group norms (reads them back synchronously). */
export function layerNormScales(kernels: ReadonlyMap<string, tf.Tensor>, grouping: Grouping): Map<string, number> {
  const names = [...kernels.keys()];
  const norms = names.map((name) => {
    const t = groupNorms(kernels.get(name)!, grouping);
    const v = t.dataSync();
    t.dispose();
    return v;
  });
  const scales = layerScalesFromNorms(norms);
  return new Map(names.map((name, i) => [name, scales[i]!]));
}
