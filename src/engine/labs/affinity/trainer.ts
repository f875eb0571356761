/**
 * Affinity-lab training (TECHNIQUES.md §3): an EfficientNet-like student distilled from a frozen teacher
 * with `KD · L_KD(logits) + FA_w · Σ_stages L_FA|FFA + CE_w · CE`, or a teacher trained on CE alone (weight 1).
 * FA: Wang et al. CVPR 2020; FFA: Li, Yang, Yin, Qi, Xin 2023. SGD with Nesterov momentum and weight
 * decay, cosine learning-rate schedule, gradient-norm clipping (torch's clip_grad_norm_). NHWC activations.
 *
 * The student's stage features pass through a learned 1×1 conv + ReLU adapter (to the teacher stage's
 * channel count) before the affinity loss, as §3 prescribes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Batcher, channelStats, gatherBatch, type ChannelStats } from '../../data/batcher';
import type { ImageDataset } from '../../data/dataset';
import { countCorrect, softmaxCrossEntropy } from '../../metrics/accuracy';
import { evaluateSplit } from '../../metrics/evaluate';
import { createAffinityNet, type AffinityNet, type AffinityRole } from '../../models/affinity/affinityNet';
import { createParamStore, countParams, disposeParams, type ParamStore } from '../../models/params';
import { clipByGlobalNorm } from '../../optim/clip';
import { minimize } from '../../optim/minimize';
import { Sgd } from '../../optim/sgd';
import { hashSeed } from '../../random';
import { affinityMatrix, faLoss, ffaLoss, gaussianZ, resizeTeacher, rowL21Estimate } from '../../techniques/affinity';
import { adaptFeature as adapt, affinityTerm, createFeatureAdapter, ProbeBank, type FeatureAdapter } from '../../techniques/affinityTerm';
import { logitKdLoss } from '../../techniques/logitKd';
import { scheduledLr } from '../pruneOptions';
import type { DrawSummary, EstimatorPoint, EstimatorStudy } from '../../../protocol/labs/affinity';

/** Every key is live: it may change between two steps. */
export interface AffinityHyperparams {
  lr: number;
  momentum: number;
  weightDecay: number;
  kdWeight: number;
  faWeight: number;
  ceWeight: number;
  temperature: number;
  k: number;
  clipNorm: number;
}

export interface AffinityTrainerOptions {
  role: AffinityRole;
  width: number;
  seed: number;
  batchSize: number;
  totalSteps: number;
  augment: boolean;
  lossType: 'none' | 'fa' | 'ffa';
  order: 1 | 2;
  kdMode: 'mse' | 'kl';
  zMode: 'fixed' | 'resample';
  /** Tapped stages by map size (32, 16, 8, 4). */
  taps: readonly number[];
  hyperparams: AffinityHyperparams;
  /** The frozen teacher a student distils from (the caller owns it); null for a teacher run or a CE-only student. */
  teacher?: AffinityNet | null;
}

/** One step's loss terms (each already weighted) and the affinity loss per tapped stage (unweighted, by map size). */
export interface AffinityStepResult {
  loss: number;
  accuracy: number;
  batchSize: number;
  lr: number;
  ce: number;
  kd: number;
  fa: number;
  stages: Record<number, number>;
  /** The shadow: exact FA per stage on the same features (an FFA step asked for it), else null. */
  exact: Record<number, number> | null;
}

function summary(v: ArrayLike<number>): DrawSummary {
  const a = Array.from(v).sort((x, y) => x - y);
  const mean = a.reduce((s, x) => s + x, 0) / a.length;
  const std = Math.sqrt(a.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, a.length - 1));
  const q = (f: number) => a[Math.min(a.length - 1, Math.floor(f * a.length))]!;
  return { mean, std, p10: q(0.1), p90: q(0.9) };
}

/** A network's stage output at map size `size` (its taps are in stage order). */
function tapAt(net: AffinityNet, taps: readonly tf.Tensor4D[], size: number): tf.Tensor4D {
  return taps[net.stages.findIndex((st) => st.size === size)]!;
}

export class AffinityTrainer {
  readonly model: AffinityNet;
  readonly stats: ChannelStats;
  readonly hyperparams: AffinityHyperparams;
  /** Adapter parameters (student side, trained with the student). */
  private readonly adapterStore: ParamStore;
  private readonly adapters = new Map<number, FeatureAdapter>();
  private readonly trainable: Map<string, tf.Variable>;
  private readonly batcher: Batcher;
  private readonly sgd: Sgd;
  private readonly batchSize: number;
  /** FFA probe matrices Z: fixed per (N, k) and seed by default, or fresh each step. */
  private readonly probeBank: ProbeBank;
  private stepsDone = 0;
  private released = false;

  constructor(
    readonly opts: AffinityTrainerOptions,
    readonly data: ImageDataset,
  ) {
    const numClasses = data.classNames.length;
    const teacher = opts.teacher ?? null;
    if (teacher && teacher.numClasses !== numClasses)
      throw new Error(`The teacher predicts ${teacher.numClasses} classes but ${data.name} has ${numClasses}: train a teacher on this dataset first.`);
    if (data.height !== 32 || data.width !== 32)
      throw new Error(`The Affinity lab's networks take 32×32 images; ${data.name} has ${data.height}×${data.width}.`);
    this.hyperparams = { ...opts.hyperparams };
    this.stats = channelStats(data.train.images);
    this.batchSize = Math.min(opts.batchSize, data.train.count);
    this.model = createAffinityNet(opts.role, { numClasses, width: opts.width, seed: hashSeed(opts.seed, 31) });
    this.adapterStore = createParamStore(hashSeed(opts.seed, 32));
    this.probeBank = new ProbeBank(opts.seed, opts.zMode);
    if (teacher && opts.lossType !== 'none') {
      for (const size of opts.taps) {
        const s = this.model.stages.find((st) => st.size === size);
        const t = teacher.stages.find((st) => st.size === size);
        if (!s || !t) throw new Error(`Neither network has a stage at ${size}×${size}.`);
        this.adapters.set(size, createFeatureAdapter(this.adapterStore, `adapter${size}`, s.channels, t.channels));
      }
    }
    this.trainable = new Map([...this.model.store.trainable, ...this.adapterStore.trainable]);
    const augment = opts.augment ? { height: data.height, width: data.width, padding: 4, flip: true } : undefined;
    this.batcher = new Batcher(data.train, data.height * data.width, this.stats, hashSeed(opts.seed, 33), augment);
    const hp = this.hyperparams;
    this.sgd = new Sgd(this.trainable, { lr: hp.lr, momentum: hp.momentum, weightDecay: hp.weightDecay, nesterov: true });
  }

  /** Trainable scalars of the network (adapters not counted: they are dropped after training). */
  get numParams(): number {
    return countParams(this.model.store);
  }

  get numLayers(): number {
    return this.model.stages.length;
  }

  get epoch(): number {
    return this.batcher.epochProgress;
  }

  get stepCount(): number {
    return this.stepsDone;
  }

  setHyperparams(partial: Partial<Record<string, number>>): void {
    for (const key of Object.keys(this.hyperparams) as (keyof AffinityHyperparams)[]) {
      const v = partial[key];
      if (v !== undefined) this.hyperparams[key] = key === 'k' ? Math.max(1, Math.round(v)) : v;
    }
  }

  /**
   * One step on the next minibatch; reads back the loss terms (awaits the device). With `shadow`, an FFA
   * step also computes the exact FA of the same order on the same features (no gradient flows from it).
   */
  async step(shadow = false): Promise<AffinityStepResult> {
    const hp = this.hyperparams;
    const { opts, data } = this;
    const lr = scheduledLr(hp.lr, 'cosine', this.stepsDone, opts.totalSteps);
    this.sgd.settings = { lr, momentum: hp.momentum, weightDecay: hp.weightDecay, nesterov: true };
    const batch = this.batcher.next(this.batchSize);
    const x = tf.tensor4d(batch.x, [batch.size, data.height, data.width, 3]);
    const y = tf.tensor1d(batch.y, 'int32');
    const teacher = opts.teacher ?? null;
    const target = teacher ? tf.tidy(() => teacher.forward(x, { training: false })) : null;
    const taps = [...this.adapters.keys()];
    const drawn = opts.lossType === 'ffa' ? taps.map((size) => this.probeBank.probes(size * size, hp.k, this.stepsDone)) : [];
    const zs = drawn.map((d) => d.z);
    const resampled = drawn.filter((d) => d.owned).map((d) => d.z);
    const withShadow = shadow && opts.lossType === 'ffa' && taps.length > 0;
    let parts: tf.Tensor | null = null;
    try {
      const loss = minimize(
        () => {
          const out = this.model.forward(x, { training: true });
          const ce = tf.mul(softmaxCrossEntropy(out.logits, y), opts.role === 'teacher' ? 1 : hp.ceWeight) as tf.Scalar;
          const kd =
            target && hp.kdWeight > 0 ? (tf.mul(logitKdLoss(out.logits, target.logits, opts.kdMode, hp.temperature), hp.kdWeight) as tf.Scalar) : tf.scalar(0);
          const stageLosses = taps.map((size, i) => {
            const s = tapAt(this.model, out.taps, size);
            const t = tapAt(teacher!, target!.taps, size);
            return affinityTerm(opts.lossType as 'fa' | 'ffa', adapt(this.adapters.get(size)!, s), t, opts.order, zs[i] ?? null);
          });
          const fa = stageLosses.length > 0 ? (tf.mul(tf.addN(stageLosses), hp.faWeight) as tf.Scalar) : tf.scalar(0);
          // The shadow: exact FA on the very features the estimator saw (not part of the loss: no gradient).
          const exact = withShadow
            ? taps.map((size) => {
                const s = tapAt(this.model, out.taps, size);
                const t = tapAt(teacher!, target!.taps, size);
                return faLoss(adapt(this.adapters.get(size)!, s), t, opts.order);
              })
            : [];
          parts = tf.keep(tf.stack([ce, kd, fa, countCorrect(out.logits, y), ...stageLosses, ...exact]));
          return tf.addN([ce, kd, fa]) as tf.Scalar;
        },
        this.trainable,
        (grads) => {
          const clipped = clipByGlobalNorm(grads, hp.clipNorm);
          try {
            this.sgd.step(clipped.grads);
          } finally {
            tf.dispose([...Object.values(clipped.grads), clipped.norm]); // new tensors even when nothing was clipped
          }
        },
      );
      const [l, p] = await Promise.all([loss.data(), (parts as unknown as tf.Tensor).data()]);
      loss.dispose();
      this.stepsDone++;
      const [ce, kd, fa, correct, ...rest] = Array.from(p);
      const perStage = rest.slice(0, taps.length);
      const exact = rest.slice(taps.length);
      return {
        loss: l[0]!,
        accuracy: correct! / batch.size,
        batchSize: batch.size,
        lr,
        ce: ce!,
        kd: kd!,
        fa: fa!,
        stages: Object.fromEntries(taps.map((size, i) => [size, perStage[i]!])),
        exact: withShadow ? Object.fromEntries(taps.map((size, i) => [size, exact[i]!])) : null,
      };
    } finally {
      tf.dispose([x, y, ...(target ? [target.logits, ...target.taps] : []), ...resampled, ...(parts ? [parts] : [])]);
    }
  }

  /** Test loss and accuracy of the network over the whole test split (running BN statistics). */
  evaluate(onProgress?: (fraction: number) => void) {
    return evaluateSplit({ forward: (x, mode) => this.model.forward(x, mode).logits }, this.data.test, this.data.height, this.stats, 64, onProgress);
  }

  /** Test images `indices`, normalised as the training batches are (float32 NHWC). */
  private testImages(indices: number[]): Float32Array {
    return gatherBatch(this.data.test, indices, this.data.height * this.data.width, this.stats).x;
  }

  /** Teacher and adapted-student affinity matrices of test image `index` at each tapped stage (the heatmaps). */
  async affinityMaps(index: number): Promise<{ size: number; teacher: Float32Array; student: Float32Array }[]> {
    const teacher = this.opts.teacher;
    if (!teacher || this.adapters.size === 0) return [];
    const { data } = this;
    const img = this.testImages([Math.min(index, data.test.count - 1)]);
    const mats = tf.tidy(() => {
      const x = tf.tensor4d(img, [1, data.height, data.width, 3]);
      const out = this.model.forward(x, { training: false });
      const target = teacher.forward(x, { training: false });
      return [...this.adapters].flatMap(([size, a]) => {
        const s = adapt(a, tapAt(this.model, out.taps, size));
        const t = resizeTeacher(tapAt(teacher, target.taps, size), size, size);
        return [affinityMatrix(t), affinityMatrix(s)];
      });
    });
    const read = await Promise.all(mats.map((m) => m.data() as Promise<Float32Array>));
    tf.dispose(mats);
    return [...this.adapters.keys()].map((size, j) => ({ size, teacher: read[2 * j]!, student: read[2 * j + 1]! }));
  }

  /**
   * The FFA estimator on the features of the first test images at stage `size` (eval mode): the exact FA of
   * both orders, √(2/π)·Σ‖row(A_S − A_T)‖₂/N² (what FFA order 1 estimates), and FFA of both orders for each k
   * over `draws` seeded draws of Z. Null when this run has no teacher or does not tap that stage.
   */
  async estimatorStudy(size: number, ks: readonly number[], draws: number, images = 8): Promise<EstimatorStudy | null> {
    const teacher = this.opts.teacher;
    const adapter = this.adapters.get(size);
    if (!teacher || !adapter) return null;
    const { data } = this;
    const count = Math.min(images, data.test.count);
    const img = this.testImages(Array.from({ length: count }, (_, i) => i));
    const [fs, ft] = tf.tidy(() => {
      const x = tf.tensor4d(img, [count, data.height, data.width, 3]);
      const s = adapt(adapter, tapAt(this.model, this.model.forward(x, { training: false }).taps, size));
      const t = tapAt(teacher, teacher.forward(x, { training: false }).taps, size);
      return [s, t];
    });
    try {
      const n = size * size;
      const scalar = async (t: tf.Scalar) => {
        const v = (await t.data())[0]!;
        t.dispose();
        return v;
      };
      const exact2 = await scalar(tf.tidy(() => faLoss(fs, ft, 2)));
      const exact1 = await scalar(tf.tidy(() => faLoss(fs, ft, 1)));
      const rowL21 = await scalar(tf.tidy(() => rowL21Estimate(fs, ft)));
      const points: EstimatorPoint[] = [];
      for (const k of ks) {
        const values = tf.tidy(() => {
          const order2: tf.Scalar[] = [];
          const order1: tf.Scalar[] = [];
          for (let d = 0; d < draws; d++) {
            const z = gaussianZ(n, k, hashSeed(this.opts.seed, 36, k, d));
            order2.push(ffaLoss(fs, ft, z, 2));
            order1.push(ffaLoss(fs, ft, z, 1));
          }
          return tf.stack([tf.stack(order2), tf.stack(order1)]);
        });
        const v = await values.data();
        values.dispose();
        points.push({ k, ffa2: summary(v.subarray(0, draws)), ffa1: summary(v.subarray(draws)) });
      }
      return { size, n, images: count, draws, exact2, exact1, rowL21, points };
    } finally {
      tf.dispose([fs, ft]);
    }
  }

  /** Free the optimiser and adapters and hand the network over (the caller disposes it); the trainer is unusable after. */
  releaseModel(): AffinityNet {
    this.disposeExtras();
    this.released = true;
    return this.model;
  }

  private disposeExtras(): void {
    this.sgd.dispose();
    disposeParams(this.adapterStore);
    this.probeBank.dispose();
  }

  dispose(): void {
    if (this.released) return;
    this.disposeExtras();
    disposeParams(this.model.store);
  }
}
