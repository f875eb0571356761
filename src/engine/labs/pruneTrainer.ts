/**
 * Prune-lab training session (TECHNIQUES.md §1): RGSM (Yang, Lyu, Zhang, Qi, Xin 2019) or the group
 * Lasso baselines (Wen et al. 2016) or plain SGD, on a CIFAR-style classifier (NHWC, HWIO kernels).
 *
 * Optimizer choice: every method uses the same SGD (the live momentum, Nesterov, weight decay), so
 * that runs differ only in the sparsity mechanism; set momentum 0 for the "plain SGD" of Wen et al.
 *
 * RGSM options beyond §1: BN recalibration for u (`bnRecalBatches`, prune/bnRecalibration.ts) and per-layer
 * thresholds (`thresholds: 'per-layer'`, ours; techniques/groupNormScales.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Batcher } from '../data/batcher';
import type { ImageDataset } from '../data/dataset';
import { countCorrect, softmaxCrossEntropy } from '../metrics/accuracy';
import { channelSparsity } from '../metrics/channelSparsity';
import { disposeParams } from '../models/params';
import { minimize } from '../optim/minimize';
import { Sgd } from '../optim/sgd';
import { hashSeed } from '../random';
import { groupLassoPenalty, proxGroupLassoStep } from '../techniques/groupLasso';
import { layerNormScales } from '../techniques/groupNormScales';
import { hardThreshold, makeProx, type ProxFn } from '../techniques/prox';
import { RgsmState, rgsmStep } from '../techniques/rgsm';
import { scheduledLr, type PruneHyperparams, type PruneSessionOptions, type SparsityReport } from './pruneOptions';
import { ImageSession } from './imageSession';
import { withRecalibratedBn } from './prune/bnRecalibration';
import type { EvalResult, StepResult } from './session';

export interface PruneStepResult extends StepResult {
  /** The lr this step used (after the schedule). */
  lr: number;
  /** CE plus the method's penalty term, at the weights before the step. */
  objective: number;
}

export interface PruneEvalResult extends EvalResult {
  /** Accuracy and loss on the dense weights w (equal to accuracy/loss except for RGSM, which evaluates on u). */
  accuracyW: number;
  lossW: number;
  /** RGSM with `bnRecalBatches` > 0: accuracy and loss on u with BN statistics recalibrated for u; null otherwise. */
  accuracyURecal: number | null;
  lossURecal: number | null;
}

/** Seed stream of the recalibration batches (the training batcher uses stream 2). */
const RECAL_SEED_STREAM = 3;

/** A Prune-lab session: one method (none, gl-penalty, gl-prox, rgsm) stepped one minibatch at a time. */
export class PruneTrainer extends ImageSession {
  /** Conv kernels (HWIO) by parameter name, in forward order. */
  readonly kernels: ReadonlyMap<string, tf.Variable>;
  /** RGSM's u; null for the other methods. */
  readonly rgsm: RgsmState | null;
  /** RGSM per-layer thresholds: s_l by kernel name, from w at initialisation (groupNormScales.ts); null in global mode. */
  readonly layerScales: ReadonlyMap<string, number> | null;
  private readonly sgd: Sgd;
  private hp: PruneHyperparams;
  private steps = 0;
  private uEpoch = 0;

  constructor(
    readonly opts: PruneSessionOptions,
    data: ImageDataset,
  ) {
    super(opts, data);
    this.hp = { ...opts.hyperparams };
    const { trainable } = this.model.store;
    this.kernels = new Map(this.model.convs.map((c) => [c.name, trainable.get(c.name)!]));
    this.sgd = new Sgd(trainable, { lr: this.hp.lr, momentum: this.hp.momentum, weightDecay: this.hp.weightDecay, nesterov: true });
    this.rgsm = opts.method === 'rgsm' ? new RgsmState(this.kernels) : null;
    this.layerScales = this.rgsm && opts.thresholds === 'per-layer' ? layerNormScales(this.kernels, opts.grouping) : null;
    this.rgsm?.reinit(this.prox());
  }

  get stepCount(): number {
    return this.steps;
  }

  get hyperparams(): PruneHyperparams {
    return { ...this.hp };
  }

  /** The lr the next step uses: the live base lr through the schedule. */
  get currentLr(): number {
    return scheduledLr(this.hp.lr, this.opts.schedule, this.steps, this.opts.totalSteps);
  }

  /** Change any live hyperparameter; takes effect from the next step (a new lr changes the schedule's base). */
  setHyperparams(partial: Partial<PruneHyperparams>): void {
    const next = { ...this.hp };
    for (const [k, v] of Object.entries(partial) as [keyof PruneHyperparams, number | undefined][]) {
      if (v !== undefined && k in next) next[k] = v;
    }
    this.hp = next;
    this.sgd.settings = { ...this.sgd.settings, momentum: next.momentum, weightDecay: next.weightDecay };
  }

  private prox(): ProxFn {
    return makeProx(this.opts.prox, this.hp.lambda1, this.hp.beta, this.opts.grouping, this.layerScales ?? undefined);
  }

  /** BN recalibration batches for u: RGSM's setting, 0 for the other methods. */
  get bnRecalBatches(): number {
    return this.rgsm ? Math.max(0, Math.round(this.opts.bnRecalBatches)) : 0;
  }

  /**
   * Run `fn` with BN running statistics re-estimated for the current conv weights over `bnRecalBatches` training
   * batches, then restore the previous statistics exactly. The batches are the training split *without*
   * augmentation (test inputs are not augmented, so these are the statistics evaluation sees), drawn by a
   * batcher of their own with a fixed seed: the same images at every call, and the training stream is untouched.
   */
  private withRecalibratedBn<T>(fn: () => Promise<T>): Promise<T> {
    const batcher = new Batcher(this.data.train, this.data.height * this.data.width, this.stats, hashSeed(this.opts.seed, RECAL_SEED_STREAM));
    const next = () => {
      const b = batcher.next(this.batchSize);
      return tf.tensor4d(b.x, [b.size, this.data.height, this.data.width, 3]);
    };
    return withRecalibratedBn(this.model, this.bnRecalBatches, next, fn);
  }

  /**
   * Run `fn` with the delivered model in place: for RGSM, u in the conv kernels and (when `bnRecalBatches` > 0)
   * BN statistics recalibrated for u; w and its BN statistics are restored exactly afterwards. The baselines
   * deliver w as it is. Keeping, compacting and exporting a run go through this.
   */
  withDelivered<T>(fn: () => Promise<T>): Promise<T> {
    const rgsm = this.rgsm;
    if (!rgsm) return fn();
    return rgsm.withU(() => (this.bnRecalBatches > 0 ? this.withRecalibratedBn(fn) : fn()));
  }

  /** One step of the chosen method on the next minibatch; reads back the loss (awaits the device). */
  async step(): Promise<PruneStepResult> {
    const batch = this.batcher.next(this.batchSize);
    if (this.rgsm && this.batcher.epoch !== this.uEpoch) {
      this.uEpoch = this.batcher.epoch;
      this.rgsm.reinit(this.prox()); // §1: u ← prox(w) at the start of every epoch
    }
    const lr = this.currentLr;
    const { method, grouping } = this.opts;
    const x = tf.tensor4d(batch.x, [batch.size, this.data.height, this.data.width, 3]);
    const y = tf.tensor1d(batch.y, 'int32');
    const kept: { ce?: tf.Scalar; correct?: tf.Scalar } = {};
    const ce = (): tf.Scalar => {
      const logits = this.model.forward(x, { training: true });
      kept.correct = tf.keep(countCorrect(logits, y));
      const loss = softmaxCrossEntropy(logits, y);
      kept.ce = tf.keep(tf.clone(loss));
      return loss;
    };
    const trainable = this.model.store.trainable;
    let objective: tf.Scalar;
    if (this.rgsm) {
      const { lambda2, beta } = this.hp;
      objective = rgsmStep({ state: this.rgsm, sgd: this.sgd, trainable, loss: ce, lr, lambda2, beta, grouping, prox: this.prox() });
    } else {
      const lambdaGL = this.hp.lambdaGL;
      objective = minimize(
        () => {
          const loss = ce();
          return method === 'gl-penalty' && lambdaGL !== 0 ? tf.add(loss, groupLassoPenalty(this.kernels.values(), lambdaGL, grouping)) : loss;
        },
        trainable,
        (grads) => {
          this.sgd.settings = { ...this.sgd.settings, lr };
          this.sgd.step(grads);
        },
      );
      if (method === 'gl-prox') proxGroupLassoStep(this.kernels.values(), lr, lambdaGL, grouping);
    }
    tf.dispose([x, y]);
    this.steps++;
    const { ce: loss, correct } = kept as Required<typeof kept>;
    const [l, o, c] = await Promise.all([loss.data(), objective.data(), correct.data()]);
    tf.dispose([loss, objective, correct]);
    return { loss: l[0]!, objective: o[0]!, accuracy: c[0]! / batch.size, batchSize: batch.size, lr };
  }

  /**
   * Loss and accuracy over the test split: on u for RGSM with w's BN statistics, on u with BN statistics
   * recalibrated for u (when `bnRecalBatches` > 0), and on w; w and its BN statistics are restored exactly.
   */
  async evaluate(onProgress?: (fraction: number) => void): Promise<PruneEvalResult> {
    if (!this.rgsm) {
      const r = await this.evaluateCurrent(onProgress);
      return { ...r, accuracyW: r.accuracy, lossW: r.loss, accuracyURecal: null, lossURecal: null };
    }
    const parts = this.bnRecalBatches > 0 ? 3 : 2;
    const part = (i: number) => (f: number) => onProgress?.((i + f) / parts);
    const { onU, recal } = await this.rgsm.withU(async () => {
      const onU = await this.evaluateCurrent(part(0));
      const recal = parts === 3 ? await this.withRecalibratedBn(() => this.evaluateCurrent(part(1))) : null;
      return { onU, recal };
    });
    const onW = await this.evaluateCurrent(part(parts - 1));
    return { ...onU, accuracyW: onW.accuracy, lossW: onW.loss, accuracyURecal: recal?.accuracy ?? null, lossURecal: recal?.loss ?? null };
  }

  /** Channel and weight sparsity of the conv kernels: on u for RGSM, on w for the baselines. */
  async sparsity(): Promise<SparsityReport> {
    const source = this.rgsm ? this.rgsm.u : this.kernels;
    const kernels = [...source].map(([name, kernel]) => ({ name, kernel }));
    const s = await channelSparsity(kernels, this.opts.grouping, this.hp.zeroThreshold);
    const scales = this.layerScales;
    return {
      ...s,
      measuredOn: this.rgsm ? 'u' : 'w',
      hardThreshold: hardThreshold(this.hp.lambda1, this.hp.beta),
      layerScales: scales ? s.layers.map((name) => scales.get(name) ?? 1) : null,
    };
  }

  dispose(): void {
    this.sgd.dispose();
    this.rgsm?.dispose();
    disposeParams(this.model.store);
  }
}
