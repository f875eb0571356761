/**
 * The pieces of an affinity distillation term (TECHNIQUES.md §3) that both the Affinity lab and the
 * Segment lab use: the student-side 1×1 conv + ReLU adapter to the source feature's channel count, the
 * FFA probe matrices Z (fixed per map size and k, seeded, by default; or resampled every step), and the
 * term itself, FA or FFA of order 1 or 2 between the adapted student feature and the frozen source feature.
 */
import * as tf from '@tensorflow/tfjs-core';
import { constant, heNormal, type ParamStore } from '../models/params';
import { hashSeed } from '../random';
import { faLoss, ffaLoss, gaussianZ } from './affinity';

/** A 1×1 conv (with bias) + ReLU from a student feature to the source feature's channel count. */
export interface FeatureAdapter {
  kernel: tf.Variable;
  bias: tf.Variable;
}

/** Create `${name}.kernel` (He-normal, fan-in cin) and `${name}.bias` (zeros) in the student-side store. */
export function createFeatureAdapter(store: ParamStore, name: string, cin: number, cout: number): FeatureAdapter {
  return { kernel: heNormal(store, `${name}.kernel`, [1, 1, cin, cout], cin), bias: constant(store, `${name}.bias`, [cout], 0) };
}

/** relu(conv1×1(x) + b), NHWC. */
export function adaptFeature(a: FeatureAdapter, x: tf.Tensor4D): tf.Tensor4D {
  return tf.relu(tf.add(tf.conv2d(x, a.kernel as tf.Tensor4D, 1, 'same'), a.bias)) as tf.Tensor4D;
}

export type AffinityLossKind = 'fa' | 'ffa';
export type ZMode = 'fixed' | 'resample';

/** FA or FFA (with probe matrix z) of the given order between an adapted student feature and a frozen source feature. */
export function affinityTerm(kind: AffinityLossKind, student: tf.Tensor4D, source: tf.Tensor4D, order: 1 | 2, z: tf.Tensor2D | null): tf.Scalar {
  if (kind === 'fa') return faLoss(student, source, order);
  if (!z) throw new Error('affinityTerm: FFA needs a probe matrix Z.');
  return ffaLoss(student, source, z, order);
}

/**
 * FFA probe matrices Z `[N, k]` for a run with the given seed. 'fixed' (the §3 default): one Z per (N, k), drawn
 * from hashSeed(seed, 35, N, k) and kept until dispose(). 'resample': a fresh Z per step from
 * hashSeed(seed, 34, N, step), owned by the caller (`owned` = true: dispose it after the step).
 */
export class ProbeBank {
  private readonly fixed = new Map<string, tf.Tensor2D>();

  constructor(
    private readonly seed: number,
    readonly mode: ZMode,
  ) {}

  probes(n: number, k: number, step: number): { z: tf.Tensor2D; owned: boolean } {
    if (this.mode === 'resample') return { z: gaussianZ(n, k, hashSeed(this.seed, 34, n, step)), owned: true };
    const key = `${n}:${k}`;
    let z = this.fixed.get(key);
    if (!z) {
      z = tf.keep(gaussianZ(n, k, hashSeed(this.seed, 35, n, k)));
      this.fixed.set(key, z);
    }
    return { z, owned: false };
  }

  dispose(): void {
    tf.dispose([...this.fixed.values()]);
    this.fixed.clear();
  }
}
