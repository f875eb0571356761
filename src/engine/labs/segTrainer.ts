/**
 * Segment-lab training session (TECHNIQUES.md §2): one model (teacher, tutor or student) trained on
 * labels — CE or OHEM CE + aux-weight · CE of the aux heads — plus, when a frozen source model is given
 * (the teacher, or the tutor of the teacher → tutor → student chain), α · T² · pixel-wise
 * KL(softmax(z_src/T) ‖ softmax(z/T)) (Hinton et al. 2015). Momentum SGD with the poly schedule
 * lr · (1 − step/total)^0.9 (as FasterSeg and HRNet train), validation mIoU from a confusion matrix.
 *
 * Optional affinity term (TECHNIQUES.md §3, where FA and FFA were born: segmentation distillation):
 * affinityWeight · FA|FFA(adapter(F_S^{1/8}), F_src^{1/8}) between the trained model's and the source's fused
 * 1/8-resolution features, through a learned 1×1 conv + ReLU adapter (dropped after training), with the Affinity
 * lab's engine functions; FFA's Z is fixed per (N, k) and seeded.
 *
 * Optional IoU surrogate: lovaszWeight · Lovász-softmax (Berman et al. 2018; techniques/lovasz.ts) of the main logits
 * against the labels, unweighted by class (it averages the classes' Jaccard losses already).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { SegClassBalance, SegLiveKey, UpscaleName } from '../../protocol/labs/segment';
import { medianFrequencyWeights } from '../data/classBalance';
import { SegBatcher, segImagesTensor } from '../data/segBatcher';
import { validateSegAugment, type SegAugment } from '../data/segAugment';
import type { SegDataset } from '../data/segDataset';
import { accumulateConfusion, emptyConfusion, segScores } from '../metrics/segMetrics';
import { countParams, createParamStore, disposeParams, type ParamStore } from '../models/params';
import { createSegModel, type SegModelKind } from '../models/seg/registry';
import type { SegModel } from '../models/seg/segModel';
import { minimize } from '../optim/minimize';
import { Sgd } from '../optim/sgd';
import { hashSeed } from '../random';
import { kdLoss, ohemCrossEntropy, pixelCrossEntropy, validMask } from '../techniques/distill';
import { lovaszSoftmax } from '../techniques/lovasz';
import { adaptFeature, affinityTerm, createFeatureAdapter, ProbeBank, type AffinityLossKind, type FeatureAdapter } from '../techniques/affinityTerm';
import type { EvalResult, StepResult } from './session';

export interface SegHyperparams extends Record<SegLiveKey, number> {
  lr: number;
  momentum: number;
  weightDecay: number;
}

/** The live settings of a segmentation config (the protocol's SEGMENT_LAB spec holds their defaults and ranges). */
export function segHyperparamsOf(c: Readonly<SegHyperparams>): SegHyperparams {
  const { lr, momentum, weightDecay, alpha, temperature, auxWeight, ohemThreshold, lovaszWeight, affinityWeight, affinityK } = c;
  return { lr, momentum, weightDecay, alpha, temperature, auxWeight, ohemThreshold, lovaszWeight, affinityWeight, affinityK };
}

/** A segmentation step: the loss terms (CE or OHEM CE, weighted aux CE, weighted KD, weighted affinity) and the lr it used. */
export interface SegStepResult extends StepResult {
  lr: number;
  parts: { ce: number; aux: number; kd: number; affinity: number; lovasz: number };
}

/** A segmentation evaluation (`accuracy` = pixel accuracy) with the scores of the confusion matrix over the whole split. */
export interface SegEvalResult extends EvalResult {
  seg: { mIoU: number; perClassIoU: (number | null)[]; classNames: string[] };
}

export interface SegSessionOptions {
  kind: SegModelKind;
  upscale: UpscaleName;
  /** Width multiplier of the model. */
  width: number;
  /** The teacher's 1/2-resolution refinement head's channels (models/seg/teacher.ts); 0 or absent for none; the tutor and students ignore it. */
  refine?: number;
  /** The teacher's full-resolution refinement stage's channels (needs refine); 0 or absent for none. */
  refineFull?: number;
  seed: number;
  batchSize: number;
  totalSteps: number;
  flip: boolean;
  hyperparams: SegHyperparams;
  /** A trained model to distil from (kept frozen, run in inference mode); the caller owns and disposes it. */
  source?: SegModel | null;
  /** Start from these weights instead of a fresh init (the caller keeps ownership of the given model). */
  init?: SegModel | null;
  /** The affinity term at the 1/8 features (needs a source); null or absent for none. */
  affinity?: { loss: AffinityLossKind; order: 1 | 2 } | null;
  /**
   * Class balancing of the label cross-entropies (main and aux; not the KD term): 'median-frequency' weights each class by
   * median frequency / its frequency over the training labels (data/classBalance.ts, capped at CLASS_WEIGHT_CAP), so thin,
   * rare classes (person, pole) count; 'sqrt-median-frequency' uses the square root of those (capped) weights, which moves
   * the trained softmax half as far towards the rare classes (a weighted CE's optimum is the prior times w, so √w is a
   * logit shift of ½ ln w: logit adjustment's τ = 0.5 built into training); 'none' (default) is the plain mean.
   */
  classBalance?: SegClassBalance;
  /** Zoom and colour augmentation of training batches (data/segAugment.ts); null or absent for none. */
  augment?: SegAugment | null;
}

/** The largest class weight median-frequency balancing gives (a class of a few pixels would otherwise dominate its batches). */
export const CLASS_WEIGHT_CAP = 10;

/** The label CE's class weights for a balancing choice (null for 'none'), from the training labels. */
export function classWeightsOf(balance: SegClassBalance, labels: Uint8Array, pixelsPerImage: number, numClasses: number): number[] | null {
  if (balance === 'none') return null;
  const w = Array.from(medianFrequencyWeights(labels, pixelsPerImage, numClasses, { maxWeight: CLASS_WEIGHT_CAP }));
  return balance === 'sqrt-median-frequency' ? w.map(Math.sqrt) : w;
}

/** Poly learning-rate decay used by FasterSeg and HRNet: lr · (1 − step/total)^0.9 (step counted from 0). */
export function polyLr(lr: number, step: number, total: number): number {
  return lr * Math.pow(Math.max(0, 1 - step / Math.max(1, total)), 0.9);
}

export class SegTrainer {
  readonly model: SegModel;
  readonly hyperparams: SegHyperparams;
  private readonly batcher: SegBatcher;
  private readonly optimizer: Sgd;
  /** The model's trainable weights, plus the affinity adapter's when the term is on. */
  private readonly trainable: Map<string, tf.Variable>;
  /** The affinity term's adapter (student side) and probe matrices; null without the term. */
  private readonly affinity: { adapter: FeatureAdapter; store: ParamStore; probes: ProbeBank; pixels: number } | null = null;
  private readonly batchSize: number;
  /** Class weights of the label CE terms (null = unweighted). */
  private readonly classWeightTensor: tf.Tensor1D | null;
  /** The class weights of the label CE terms as numbers (null = unweighted), for display and tests. */
  readonly classWeights: number[] | null;
  private stepsDone = 0;
  private released = false;
  /** Validation mIoU of the latest evaluation (NaN before the first). */
  lastMIoU = NaN;

  constructor(
    readonly opts: SegSessionOptions,
    readonly data: SegDataset,
  ) {
    const numClasses = data.classNames.length;
    if (opts.source && opts.source.numClasses !== numClasses) {
      throw new Error(
        `The ${opts.source.name} to distil from predicts ${opts.source.numClasses} classes but ${data.name} has ${numClasses}: train a ${opts.source.name} on this dataset first.`,
      );
    }
    if (opts.augment) validateSegAugment(opts.augment);
    this.hyperparams = { ...opts.hyperparams };
    this.batchSize = Math.min(opts.batchSize, data.train.count);
    this.model = createSegModel(opts.kind, {
      numClasses,
      height: data.height,
      width: data.width,
      widthMultiplier: opts.width,
      upscale: opts.upscale,
      refine: opts.refine,
      refineFull: opts.refineFull,
      seed: hashSeed(opts.seed, 11),
    });
    if (opts.init) {
      try {
        copyWeights(opts.init, this.model);
      } catch (err) {
        disposeParams(this.model.store);
        throw err;
      }
    }
    this.batcher = new SegBatcher(data.train, data.height, data.width, hashSeed(opts.seed, 12), opts.flip, opts.augment ?? null);
    this.classWeights = classWeightsOf(opts.classBalance ?? 'none', data.train.labels, data.height * data.width, numClasses);
    this.classWeightTensor = this.classWeights ? tf.tensor1d(this.classWeights) : null;
    if (opts.affinity && opts.source) {
      const [fs, ft] = tf.tidy(() => {
        const probe = tf.zeros([1, data.height, data.width, 3]) as tf.Tensor4D;
        return [this.model.forward(probe, { training: false }).features.f8!.shape, opts.source!.forward(probe, { training: false }).features.f8!.shape];
      });
      const store = createParamStore(hashSeed(opts.seed, 13));
      this.affinity = {
        adapter: createFeatureAdapter(store, 'adapter8', fs![3], ft![3]),
        store,
        probes: new ProbeBank(hashSeed(opts.seed, 14), 'fixed'),
        pixels: fs![1] * fs![2],
      };
    }
    this.trainable = this.affinity ? new Map([...this.model.store.trainable, ...this.affinity.store.trainable]) : this.model.store.trainable;
    this.optimizer = new Sgd(this.trainable, {
      lr: opts.hyperparams.lr,
      momentum: opts.hyperparams.momentum,
      weightDecay: opts.hyperparams.weightDecay,
      nesterov: false,
    });
  }

  get numParams(): number {
    return countParams(this.model.store);
  }

  /** The affinity term's adapter (null without the term); for tests and feature views. */
  get affinityAdapter(): FeatureAdapter | null {
    return this.affinity?.adapter ?? null;
  }

  get numLayers(): number {
    return this.model.layers.filter((l) => l.kind === 'conv').length;
  }

  get epoch(): number {
    return this.batcher.epochProgress;
  }

  setHyperparams(partial: Partial<Record<string, number>>): void {
    for (const key of Object.keys(this.hyperparams) as (keyof SegHyperparams)[]) {
      const v = partial[key];
      if (v !== undefined) this.hyperparams[key] = v;
    }
  }

  async step(): Promise<SegStepResult> {
    const { data, model } = this;
    const hp = this.hyperparams;
    const lr = polyLr(hp.lr, this.stepsDone, this.opts.totalSteps);
    this.optimizer.settings = { ...this.optimizer.settings, lr, momentum: hp.momentum, weightDecay: hp.weightDecay };
    const b = this.batcher.next(this.batchSize);
    const x = segImagesTensor(b.images, b.count, data.height, data.width);
    const y = tf.tensor3d(b.labels, [b.count, data.height, data.width], 'int32');
    const source = this.opts.source;
    const aff = this.affinity;
    const target: { logits: tf.Tensor4D; f8: tf.Tensor4D | null } | null = source
      ? (() => {
          const [logits, f8] = tf.tidy(() => {
            const out = source.forward(x, { training: false });
            return aff ? [out.logits, out.features.f8!] : [out.logits];
          });
          return { logits: logits!, f8: f8 ?? null };
        })()
      : null;
    const opts = this.opts;
    const z = aff && opts.affinity!.loss === 'ffa' ? aff.probes.probes(aff.pixels, Math.max(1, Math.round(hp.affinityK)), this.stepsDone).z : null;
    let parts: tf.Tensor | null = null;
    try {
      const value = minimize(
        () => {
          const out = model.forward(x, { training: true });
          const valid = validMask(y); // labels only: a constant, computed once per step
          const cw = this.classWeightTensor;
          const ce =
            hp.ohemThreshold < 1
              ? ohemCrossEntropy(out.logits, y, { threshold: hp.ohemThreshold, classWeights: cw })
              : pixelCrossEntropy(out.logits, y, 255, cw);
          const aux =
            out.aux.length > 0 && hp.auxWeight > 0 ? tf.mul(tf.addN(out.aux.map((a) => pixelCrossEntropy(a, y, 255, cw))), hp.auxWeight) : tf.scalar(0);
          const kd = target && hp.alpha > 0 ? tf.mul(kdLoss(out.logits, target.logits, hp.temperature, valid), hp.alpha) : tf.scalar(0);
          const affinity =
            aff && target?.f8 && hp.affinityWeight > 0
              ? tf.mul(affinityTerm(opts.affinity!.loss, adaptFeature(aff.adapter, out.features.f8!), target.f8, opts.affinity!.order, z), hp.affinityWeight)
              : tf.scalar(0);
          const lovasz = hp.lovaszWeight > 0 ? tf.mul(lovaszSoftmax(out.logits, y), hp.lovaszWeight) : tf.scalar(0);
          const correct = tf.sum(tf.mul(tf.cast(tf.equal(tf.argMax(out.logits, 3), y), 'float32'), valid));
          parts = tf.keep(tf.stack([ce, aux, kd, affinity, lovasz, correct, tf.sum(valid)]));
          return tf.addN([ce, aux, kd, affinity, lovasz]) as tf.Scalar;
        },
        this.trainable,
        (grads) => this.optimizer.step(grads),
      );
      const [loss, p] = await Promise.all([value.data(), (parts as unknown as tf.Tensor).data()]);
      value.dispose();
      this.stepsDone++;
      const [ce, aux, kd, affinity, lovasz, correct, valid] = Array.from(p);
      return {
        loss: loss[0]!,
        accuracy: valid! > 0 ? correct! / valid! : 0,
        batchSize: b.count,
        lr,
        parts: { ce: ce!, aux: aux!, kd: kd!, affinity: affinity!, lovasz: lovasz! },
      };
    } finally {
      tf.dispose([x, y, ...(target ? [target.logits, ...(target.f8 ? [target.f8] : [])] : []), ...(parts ? [parts] : [])]);
    }
  }

  /** Pixel-wise CE, pixel accuracy, mIoU and per-class IoU over the whole validation split (running BN statistics). */
  async evaluate(onProgress?: (fraction: number) => void): Promise<SegEvalResult> {
    const ev = await evaluateSegModel(this.model, this.data, onProgress);
    this.lastMIoU = ev.seg.mIoU;
    return ev;
  }

  /** Free the optimizer and hand the model over to the caller (who disposes it); the session is unusable after. */
  releaseModel(): SegModel {
    this.optimizer.dispose();
    this.classWeightTensor?.dispose();
    this.disposeAffinity();
    this.released = true;
    return this.model;
  }

  private disposeAffinity(): void {
    if (!this.affinity) return;
    disposeParams(this.affinity.store);
    this.affinity.probes.dispose();
  }

  dispose(): void {
    if (this.released) return;
    this.optimizer.dispose();
    this.classWeightTensor?.dispose();
    this.disposeAffinity();
    disposeParams(this.model.store);
  }
}

/**
 * Copy every weight and BN statistic of `from` into `to` (same architecture). One difference is allowed: a teacher given a
 * refinement head (TeacherArchitecture.refine) may start from a plain teacher's weights, and one with the full-resolution
 * stage (refineFull) from a teacher without it, the added head's own weights staying as built (its classifier at zero, so
 * it starts as the model it is built on). A student may also start from a tutor's embedded student (tutor.ts: the tutor
 * holds every student weight under the student's name; in training its student head is an aux output, so every one of
 * them learns), the tutor's own `tutor.*` 1/4 path and head left out; the two must share width and upscaling variant.
 * Any other source with weights the target lacks (a refined teacher into a plain one) is refused: the copy would
 * silently drop them.
 */
export function copyWeights(from: SegModel, to: SegModel): void {
  const tutorIntoStudent = from.name === 'tutor' && to.name === 'student';
  const src = new Map([...from.store.trainable, ...from.store.state].filter(([name]) => !(tutorIntoStudent && name.startsWith('tutor.'))));
  const dst = new Map([...to.store.trainable, ...to.store.state]);
  const lacks = (prefix: string) => ![...src.keys()].some((n) => n.startsWith(prefix));
  const added = ['refine.full.', 'refine.'].filter(lacks);
  for (const [name, v] of dst) {
    const s = src.get(name);
    if (!s && added.some((p) => name.startsWith(p))) continue;
    if (!s || s.shape.join() !== v.shape.join())
      throw new Error(`Cannot start from the given ${from.name}: its weight '${name}' is missing or has another shape.`);
    v.assign(s);
  }
  const extra = [...src.keys()].find((n) => !dst.has(n));
  if (extra) throw new Error(`Cannot start from the given ${from.name}: it has a weight '${extra}' the new model lacks (another architecture).`);
}

/** Evaluate a segmentation model on the test split in batches of 8: mean pixel CE, pixel accuracy, mIoU, per-class IoU. */
export async function evaluateSegModel(model: SegModel, data: SegDataset, onProgress?: (fraction: number) => void): Promise<SegEvalResult> {
  const k = data.classNames.length;
  const cm = emptyConfusion(k);
  const { height: h, width: w } = data;
  const px = h * w;
  const n = data.test.count;
  let lossSum = 0;
  for (let start = 0; start < n; start += 8) {
    const count = Math.min(8, n - start);
    const x = segImagesTensor(data.test.images.subarray(start * px * 3, (start + count) * px * 3), count, h, w);
    const labels = data.test.labels.subarray(start * px, (start + count) * px);
    const y = tf.tensor3d(labels, [count, h, w], 'int32');
    const logits = tf.tidy(() => model.forward(x, { training: false }).logits);
    const ce = pixelCrossEntropy(logits, y);
    try {
      await accumulateConfusion(logits, labels, k, cm);
      lossSum += (await ce.data())[0]! * count;
    } finally {
      tf.dispose([x, y, logits, ce]);
    }
    onProgress?.(Math.min(1, (start + count) / n));
  }
  const s = segScores(cm, k);
  return {
    loss: n > 0 ? lossSum / n : NaN,
    accuracy: s.pixelAccuracy,
    count: n,
    seg: { mIoU: s.mIoU, perClassIoU: s.perClassIoU, classNames: [...data.classNames] },
  };
}
