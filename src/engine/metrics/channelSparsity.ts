/** Channel (group) sparsity of HWIO conv kernels, TECHNIQUES.md §1 (RGSM, Yang, Lyu, Zhang, Qi, Xin 2019). */
import * as tf from '@tensorflow/tfjs-core';
import { groupNorms, type Grouping } from '../techniques/groupNorms';

export interface ChannelSparsity {
  /** Kernel parameter names, in the order given. */
  layers: string[];
  /** Groups per layer and those with ‖w_g‖₂ < threshold. */
  groups: number[];
  zeroGroups: number[];
  /** zeroGroups / groups per layer. */
  layerSparsity: number[];
  /** Σ zeroGroups / Σ groups over all layers (not a mean of the layer ratios). */
  total: number;
  /** Share of exactly-zero weights over all the kernels. */
  weightSparsity: number;
  zeroWeights: number;
  weights: number;
  /** ‖w_g‖₂ per group, per layer (for a histogram). */
  norms: Float32Array[];
  threshold: number;
}

/**
 * Measure channel and weight sparsity of named HWIO kernels: a group counts as removed when its ℓ2 norm is
 * below `threshold` (the Prune lab's zero threshold; its default lives in the lab's spec, PRUNE_LAB).
 * Reads back with `await data()`, leaves no tensors.
 */
export async function channelSparsity(
  kernels: readonly { name: string; kernel: tf.Tensor }[],
  grouping: Grouping,
  threshold: number,
): Promise<ChannelSparsity> {
  const pending = kernels.map(({ kernel }) => tf.tidy(() => [groupNorms(kernel, grouping), tf.sum(tf.cast(tf.equal(kernel, 0), 'float32'))] as const));
  try {
    const read = await Promise.all(pending.map(async ([n, z]) => [(await n.data()) as Float32Array, (await z.data())[0]!] as const));
    const out: ChannelSparsity = {
      layers: kernels.map((k) => k.name),
      groups: [],
      zeroGroups: [],
      layerSparsity: [],
      total: 0,
      weightSparsity: 0,
      zeroWeights: 0,
      weights: 0,
      norms: [],
      threshold,
    };
    let groups = 0;
    let zeroGroups = 0;
    read.forEach(([norms, zeros], i) => {
      let z = 0;
      for (const v of norms) if (v < threshold) z++;
      out.groups.push(norms.length);
      out.zeroGroups.push(z);
      out.layerSparsity.push(norms.length ? z / norms.length : 0);
      out.norms.push(Float32Array.from(norms));
      groups += norms.length;
      zeroGroups += z;
      out.zeroWeights += zeros;
      out.weights += kernels[i]!.kernel.size;
    });
    out.total = groups ? zeroGroups / groups : 0;
    out.weightSparsity = out.weights ? out.zeroWeights / out.weights : 0;
    return out;
  } finally {
    tf.dispose(pending.flat());
  }
}
