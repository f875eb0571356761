/**
 * Prune-lab training session (TECHNIQUES.md §1): RGSM (Yang, Lyu, Zhang, Qi, Xin 2019) or the group
 * Lasso baselines (Wen et al. 2016) or plain SGD, on a CIFAR-style classifier (NHWC, HWIO kernels).
 *
 * Optimizer choice: every method uses the same SGD (the live momentum, Nesterov, weight decay), so
 * that runs differ only in the sparsity mechanism; set momentum 0 for the "plain SGD" of Wen et al.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ImageDataset } from '../data/dataset';
import { countCorrect, softmaxCrossEntropy } from '../metrics/accuracy';
import { channelSparsity } from '../metrics/channelSparsity';
import { disposeParams } from '../models/params';
import { minimize } from '../optim/minimize';
import { Sgd } from '../optim/sgd';
import { groupLassoPenalty, proxGroupLassoStep } from '../techniques/groupLasso';
import { hardThreshold, makeProx, type ProxFn } from '../techniques/prox';
import { RgsmState, rgsmStep } from '../techniques/rgsm';
import { scheduledLr, type PruneHyperparams, type PruneSessionOptions, type SparsityReport } from './pruneOptions';
import { ImageSession } from './imageSession';
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
}

/** A Prune-lab session: one method (none, gl-penalty, gl-prox, rgsm) stepped one minibatch at a time. */
export class PruneTrainer extends ImageSession {
  /** Conv kernels (HWIO) by parameter name, in forward order. */
  readonly kernels: ReadonlyMap<string, tf.Variable>;
  /** RGSM's u; null for the other methods. */
  readonly rgsm: RgsmState | null;
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
    return makeProx(this.opts.prox, this.hp.lambda1, this.hp.beta, this.opts.grouping);
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

  /** Loss and accuracy over the test split: on u for RGSM (w restored exactly afterwards), plus on w. */
  async evaluate(onProgress?: (fraction: number) => void): Promise<PruneEvalResult> {
    if (!this.rgsm) {
      const r = await this.evaluateCurrent(onProgress);
      return { ...r, accuracyW: r.accuracy, lossW: r.loss };
    }
    const onU = await this.rgsm.withU(() => this.evaluateCurrent((f) => onProgress?.(f / 2)));
    const onW = await this.evaluateCurrent((f) => onProgress?.(0.5 + f / 2));
    return { ...onU, accuracyW: onW.accuracy, lossW: onW.loss };
  }

  /** Channel and weight sparsity of the conv kernels: on u for RGSM, on w for the baselines. */
  async sparsity(): Promise<SparsityReport> {
    const source = this.rgsm ? this.rgsm.u : this.kernels;
    const kernels = [...source].map(([name, kernel]) => ({ name, kernel }));
    const s = await channelSparsity(kernels, this.opts.grouping, this.hp.zeroThreshold);
    return { ...s, measuredOn: this.rgsm ? 'u' : 'w', hardThreshold: hardThreshold(this.hp.lambda1, this.hp.beta) };
  }

  dispose(): void {
    this.sgd.dispose();
    this.rgsm?.dispose();
    disposeParams(this.model.store);
  }
}
