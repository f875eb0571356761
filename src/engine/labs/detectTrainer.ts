/**
 * Detect-lab training session (TECHNIQUES.md §4): the compact DETR trained with Hungarian matching, DETR's set loss on every
 * decoder layer (auxiliary losses), gradient clipping by global norm and AdamW (backbone lr × 0.1); evaluation by COCO AP.
 *
 * Matching outside the tape, in two passes. The matching needs the outputs' values, and reading them (`await data()`) cannot
 * happen inside the synchronous `tf.variableGrads` function (and `dataSync` is banned outside tests). So each step runs
 * (1) a probe forward in *training* mode inside `tf.tidy`, reads every decoder layer's logits and boxes back and matches them
 * (float64, `hungarianMatchValues`), then (2) the gradient forward on the tape with those fixed matchings. Both passes see the
 * same batch and weights, BN in training mode normalises with the batch's own statistics and the model has no dropout, so
 * the two passes give the same outputs and the probe's matching *is* the matching of the gradient pass (a test checks it).
 * The probe's BN running-statistic updates are undone (saved before, restored after), so the running statistics move once per
 * step as in PyTorch. Cost: one extra forward (≈ 4/3 of a single-pass step); an inference-mode probe would be cheaper to
 * reason about but normalises with running statistics, so its outputs — and its matching — differ from the gradient pass's.
 *
 * Ignore boxes (crowds, difficult or too-small people) are never matched targets: the matching and the loss see only the
 * non-ignored boxes, and `numBoxes` counts only them. They matter for AP only, as ignore regions (`crowd`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { segImagesTensor } from '../data/segBatcher';
import { cxcywhToXyxy, type Box } from '../detect/boxes';
import type { DetectDataset, DetectSplit } from '../data/detectDataset';
import { DetectBatcher, boxTuple, checkDetectSplit, targetBoxes } from '../detect/detectBatch';
import { copyBackboneWeights } from '../detect/backbonePretrain';
import { detrAuxLoss, type DetrLossWeights } from '../detect/detrLoss';
import { hungarianMatchValues, type ImageMatch, type MatchCostWeights } from '../detect/matching';
import {
  averagePrecision,
  bestF1Threshold,
  detectionAP,
  isIgnoredGt,
  recallAt,
  type Detection,
  type GroundTruth,
  type F1Threshold,
} from '../metrics/detectionAP';
import { detectArchitecture, type DetectArchitectureOptions } from '../models/detect/detectArch';
import { buildDetector, type DetectModel } from '../models/detect/detector';
import { countParams, disposeParams } from '../models/params';
import { AdamW, type AdamWParamOptions } from '../optim/adamw';
import { clipByGlobalNorm } from '../optim/clip';
import { hashSeed } from '../random';

/** The live settings: change between two steps, apply at the next one. */
export interface DetectHyperparams {
  /** AdamW learning rate (the backbone gets lr × backboneLrMultiplier). */
  lr: number;
  /** Matching cost weights (DETR's set_cost_class / bbox / giou). */
  costClass: number;
  costBbox: number;
  costGiou: number;
  /** Loss weights (DETR: 1, bbox_loss_coef 5, giou_loss_coef 2). */
  wCE: number;
  wL1: number;
  wGIoU: number;
  /** Class weight of no-object in the CE (DETR's eos_coef). */
  eosCoef: number;
  /** p_person above which a query is shown (prediction, mean count above it); AP ignores it. */
  scoreThreshold: number;
  /** Max global gradient norm (DETR's clip_max_norm); 0 or less: no clipping. */
  clip: number;
}

/** TECHNIQUES.md §4's values: lr 1e-4, cost 1/5/2, loss 1/5/2, eos 0.1, clip 0.1; threshold 0.5 for the viewer. */
export const DEFAULT_DETECT_HYPERPARAMS: DetectHyperparams = {
  lr: 1e-4,
  costClass: 1,
  costBbox: 5,
  costGiou: 2,
  wCE: 1,
  wL1: 5,
  wGIoU: 2,
  eosCoef: 0.1,
  scoreThreshold: 0.5,
  clip: 0.1,
};

export interface DetectTrainerOptions {
  /** The detector; its input size is the dataset's (inputHeight/inputWidth here are overridden). */
  architecture?: DetectArchitectureOptions;
  seed: number;
  batchSize: number;
  /** Random horizontal flip of image and boxes (default true). */
  flip?: boolean;
  /** Letterbox augmentation: the probability that a training image is shown squeezed between grey side bars, as the viewer
   * fits a photo narrower than 2:1 (DetectBatcher; default 0). */
  letterbox?: number;
  /** Zoom augmentation: the probability that a training image is shown zoomed in by 1–ZOOM_MAX_SCALE× (DetectBatcher; default 0). */
  zoom?: number;
  hyperparams?: Partial<DetectHyperparams>;
  /** lr multiplier of every `backbone.*` variable (DETR: 1e-5 / 1e-4 = 0.1). */
  backboneLrMultiplier?: number;
  /** AdamW decoupled weight decay on every variable (DETR: 1e-4). */
  weightDecay?: number;
  /** Start from these weights (same architecture; the caller keeps ownership). */
  init?: DetectModel | null;
  /** Start the backbone (every `backbone.*` weight and BN statistic) from this model's, e.g. a BackbonePretrainer's; the rest stays fresh. */
  initBackbone?: DetectModel | null;
  /** Test batch size of evaluate() (default 8). */
  evalBatchSize?: number;
}

/** One decoder layer's loss terms (unweighted; total = wCE·ce + wL1·l1 + wGIoU·giou). */
export interface DetectLayerLoss {
  total: number;
  ce: number;
  l1: number;
  giou: number;
}

export interface DetectStepResult {
  /** Σ over decoder layers of the weighted loss (what is minimised). */
  loss: number;
  /** Per decoder layer, first to last. */
  layers: DetectLayerLoss[];
  /** Matched (query, gt) pairs in the batch, last decoder layer (Σ over images of min(N, non-ignored gts)). */
  matched: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  lr: number;
  batchSize: number;
  /** Wall time of the step (batching, both passes, matching, update, read-back), ms. */
  ms: number;
  /** Only with `step({ check: true })`: the probe's matching and the gradient pass's outputs matched again. */
  check?: DetectMatchCheck;
}

/** The two-pass check: matchings per layer (per image) from the probe and from the gradient pass's outputs. */
export interface DetectMatchCheck {
  probe: ImageMatch[][];
  gradientPass: ImageMatch[][];
  /** Max |probe output − gradient-pass output| over every layer's logits and boxes. */
  maxOutputDiff: number;
  /** The gradient pass's logits per layer, [B·N·2] row-major (for hand checks of the loss). */
  logits: Float32Array[];
}

export interface DetectEvalResult {
  /** null when the test split has no non-ignored box. */
  ap50: number | null;
  ap: number | null;
  recall20: number | null;
  /** Mean per image of the queries with p_person above the score threshold. */
  meanAboveThreshold: number;
  /** The score threshold with the best F1 at IoU 0.5 on this split (bestF1Threshold), null without a true positive. */
  bestF1: F1Threshold | null;
  count: number;
  /** AP@0.5 and recall@20 per person height band (PERSON_HEIGHT_BANDS), COCO's per-area-range evaluation on height. */
  byHeight: HeightBandScores[];
}

/**
 * Person height bands as a fraction of the input's height (at 128×256: under 16 px, 16–43 px, 43 px and more): people a
 * stride-32 token barely sees, mid-sized ones, and the near ones a photo of people mostly shows. Bounds inclusive, as
 * COCO's area ranges. The protocol's PERSON_HEIGHT_BAND_LABELS name them for the charts.
 */
export const PERSON_HEIGHT_BANDS: readonly { label: string; lo: number; hi: number }[] = [
  { label: '< 1/8', lo: 0, hi: 1 / 8 },
  { label: '1/8–1/3', lo: 1 / 8, hi: 1 / 3 },
  { label: '≥ 1/3', lo: 1 / 3, hi: Infinity },
];

export interface HeightBandScores {
  label: string;
  /** Non-ignored people in the band. */
  people: number;
  /** null when the band holds no person. */
  ap50: number | null;
  recall20: number | null;
}

/** AP@0.5 and recall@0.5 at 20 per image in each height band (boxes in pixels of an input `height` high). */
export function heightBandScores(dets: readonly Detection[], gts: readonly GroundTruth[], height: number): HeightBandScores[] {
  const measure = (b: Box) => (b[3] - b[1]) / height;
  return PERSON_HEIGHT_BANDS.map(({ label, lo, hi }) => {
    const range = { measure, lo, hi };
    const people = gts.filter((g) => !isIgnoredGt(g, range)).length;
    return { label, people, ap50: averagePrecision(dets, gts, [0.5], 100, range)[0]!, recall20: recallAt(dets, gts, 0.5, 20, range) };
  });
}

/** One predicted person: box normalised (cx, cy, w, h) and in pixels (x1, y1, x2, y2), its query and p_person. */
export interface DetectPrediction {
  query: number;
  score: number;
  box: Box;
  pixels: Box;
  /** The last decoder layer's cross-attention of this query over the h × w map (row-major), when asked. */
  attention?: Float32Array;
}

export interface DetectPredictResult {
  /** Per image, the queries above the threshold, best first. */
  images: DetectPrediction[][];
  /** The stride-32 map the attention covers. */
  map: { height: number; width: number };
}

/** p_person of a query from its two logits (person, no-object). */
function personProb(a: number, b: number): number {
  const m = Math.max(a, b);
  const ea = Math.exp(a - m);
  return ea / (ea + Math.exp(b - m));
}

/** Model outputs of every image as scored queries: readback of the last layer's logits/boxes. */
interface RawPredictions {
  /** [count][N] p_person. */
  scores: number[][];
  /** [count][N] (cx, cy, w, h). */
  boxes: Box[][];
  attention?: Float32Array;
  map: { height: number; width: number };
}

/** Inference-mode forward of `count` images (uint8 RGB), in chunks of `batch`; reads back the last decoder layer. */
async function rawPredictions(model: DetectModel, images: Uint8Array, count: number, batch: number, withAttention: boolean): Promise<RawPredictions> {
  const { inputHeight: h, inputWidth: w, decoder } = model.architecture;
  const n = decoder.queries;
  const px = h * w * 3;
  if (images.length !== count * px) throw new Error(`Expected ${count * px} bytes for ${count} RGB images of ${h}×${w}, got ${images.length}.`);
  const scores: number[][] = [];
  const boxes: Box[][] = [];
  const map = { height: Math.ceil(h / 32), width: Math.ceil(w / 32) };
  const tokens = map.height * map.width;
  const attention = withAttention ? new Float32Array(count * n * tokens) : undefined;
  for (let start = 0; start < count; start += batch) {
    const c = Math.min(batch, count - start);
    const x = segImagesTensor(images.subarray(start * px, (start + c) * px), c, h, w);
    const out = model.forward(x, { training: false }, { attention: withAttention });
    try {
      const last = out.logits.length - 1;
      const [lv, bv, av] = await Promise.all([out.logits[last]!.data(), out.boxes[last]!.data(), out.attention?.data()]);
      for (let i = 0; i < c; i++) {
        const s: number[] = [];
        const b: Box[] = [];
        for (let q = 0; q < n; q++) {
          const o = i * n + q;
          s.push(personProb(lv[2 * o]!, lv[2 * o + 1]!));
          b.push([bv[4 * o]!, bv[4 * o + 1]!, bv[4 * o + 2]!, bv[4 * o + 3]!]);
        }
        scores.push(s);
        boxes.push(b);
      }
      if (attention && av) attention.set(av, start * n * tokens);
    } finally {
      tf.dispose([x, ...out.logits, ...out.boxes, ...(out.attention ? [out.attention] : [])]);
    }
  }
  return { scores, boxes, map, ...(attention ? { attention } : {}) };
}

/** Normalised (cx, cy, w, h) → pixel (x1, y1, x2, y2) on an H × W image. */
export function toPixels(b: Box, height: number, width: number): Box {
  const [x1, y1, x2, y2] = cxcywhToXyxy(b);
  return [x1 * width, y1 * height, x2 * width, y2 * height];
}

/**
 * Detection metrics of a model on a split (inference mode, running BN statistics): every query of every image is a detection
 * scored by p_person (COCO-style ranking; the threshold filters nothing here), boxes in pixels; ignore boxes are crowd regions.
 * AP@0.5, AP@[.5:.95] (≤ 100 per image), recall@0.5 with 20 per image, the mean count of queries above the threshold, and the
 * threshold with the best F1 at IoU 0.5 (the viewer's suggested threshold for this detector).
 */
export async function evaluateDetector(
  model: DetectModel,
  split: DetectSplit,
  scoreThreshold: number,
  batch = 8,
  onProgress?: (fraction: number) => void,
): Promise<DetectEvalResult> {
  const { inputHeight: h, inputWidth: w } = model.architecture;
  checkDetectSplit(split, h, w, 'test split');
  const count = split.count;
  const dets: Detection[] = [];
  const gts: GroundTruth[] = [];
  let above = 0;
  for (let start = 0; start < count; start += batch) {
    const c = Math.min(batch, count - start);
    const raw = await rawPredictions(model, split.images.subarray(start * h * w * 3, (start + c) * h * w * 3), c, batch, false);
    for (let i = 0; i < c; i++) {
      const id = start + i;
      raw.scores[i]!.forEach((score, q) => {
        dets.push({ imageId: id, box: toPixels(raw.boxes[i]![q]!, h, w), score });
        if (score > scoreThreshold) above++;
      });
      for (const b of split.boxes[id]!) gts.push({ imageId: id, box: toPixels(boxTuple(b), h, w), ...(b.ignore ? { crowd: true } : {}) });
    }
    onProgress?.(Math.min(1, (start + c) / count));
  }
  const s = detectionAP(dets, gts, 100);
  return {
    ap50: s.ap50,
    ap: s.ap,
    recall20: s.recall50at20,
    meanAboveThreshold: count > 0 ? above / count : 0,
    bestF1: bestF1Threshold(dets, gts),
    count,
    byHeight: heightBandScores(dets, gts, h),
  };
}

/** The viewer's prediction: per image the queries with p_person > threshold (best first), with cross-attention maps when asked. */
export async function predictDetections(
  model: DetectModel,
  images: Uint8Array,
  count: number,
  scoreThreshold: number,
  opts: { attention?: boolean; batch?: number } = {},
): Promise<DetectPredictResult> {
  const { inputHeight: h, inputWidth: w, decoder } = model.architecture;
  const n = decoder.queries;
  const raw = await rawPredictions(model, images, count, opts.batch ?? 8, opts.attention ?? false);
  const tokens = raw.map.height * raw.map.width;
  const out = raw.scores.map((scores, i) =>
    scores
      .map((score, query) => ({ score, query }))
      .filter((p) => p.score > scoreThreshold)
      .sort((a, b) => b.score - a.score || a.query - b.query)
      .map(({ score, query }): DetectPrediction => {
        const box = raw.boxes[i]![query]!;
        const p: DetectPrediction = { query, score, box, pixels: toPixels(box, h, w) };
        if (raw.attention) p.attention = raw.attention.slice((i * n + query) * tokens, (i * n + query + 1) * tokens);
        return p;
      }),
  );
  return { images: out, map: raw.map };
}

export class DetectTrainer {
  readonly model: DetectModel;
  readonly hyperparams: DetectHyperparams;
  private readonly batcher: DetectBatcher;
  private readonly optimizer: AdamW;
  private readonly batchSize: number;
  private stepsDone = 0;
  private released = false;

  constructor(
    readonly opts: DetectTrainerOptions,
    readonly data: DetectDataset,
  ) {
    checkDetectSplit(data.test, data.height, data.width, 'test split');
    this.hyperparams = { ...DEFAULT_DETECT_HYPERPARAMS, ...opts.hyperparams };
    const arch = detectArchitecture({ ...opts.architecture, inputHeight: data.height, inputWidth: data.width });
    this.model = buildDetector(arch, hashSeed(opts.seed, 21));
    try {
      if (opts.init) copyDetectorWeights(opts.init, this.model);
      else if (opts.initBackbone) copyBackboneWeights(opts.initBackbone, this.model);
      this.batcher = new DetectBatcher(data.train, data.height, data.width, hashSeed(opts.seed, 22), opts.flip ?? true, opts.letterbox ?? 0, opts.zoom ?? 0);
    } catch (e) {
      disposeParams(this.model.store);
      throw e;
    }
    this.batchSize = Math.max(1, Math.min(opts.batchSize, data.train.count));
    const mult = opts.backboneLrMultiplier ?? 0.1;
    const groups = new Map<string, AdamWParamOptions>();
    for (const name of this.model.store.trainable.keys()) if (name.startsWith('backbone.')) groups.set(name, { lrMultiplier: mult });
    this.optimizer = new AdamW(
      this.model.store.trainable,
      { lr: this.hyperparams.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: opts.weightDecay ?? 1e-4 },
      groups,
    );
  }

  get numParams(): number {
    return countParams(this.model.store);
  }

  /** The detector's costed layers (convs, linears, attention blocks, norms, queries). */
  get numLayers(): number {
    return this.model.layers.length;
  }

  get epoch(): number {
    return this.batcher.epochProgress;
  }

  get steps(): number {
    return this.stepsDone;
  }

  /** Change live settings (unknown keys are ignored); they apply from the next step / evaluation / prediction. */
  setHyperparams(partial: Partial<Record<string, number>>): void {
    for (const key of Object.keys(this.hyperparams) as (keyof DetectHyperparams)[]) {
      const v = partial[key];
      if (v !== undefined && Number.isFinite(v)) this.hyperparams[key] = v;
    }
  }

  /** Live: random horizontal flip on or off from the next batch. */
  setFlip(flip: boolean): void {
    this.batcher.flip = flip;
  }

  /**
   * One AdamW step on the next batch: probe forward (training mode) → read back → Hungarian matching per decoder layer → gradient
   * forward with the set loss on every layer → clip by global norm → AdamW. `check` keeps the gradient pass's outputs and
   * re-matches them (tests; costs a read-back).
   */
  async step(opts: { check?: boolean } = {}): Promise<DetectStepResult> {
    const t0 = performance.now();
    const { data, model } = this;
    const hp = { ...this.hyperparams };
    this.optimizer.settings = { ...this.optimizer.settings, lr: hp.lr };
    const cost: MatchCostWeights = { costClass: hp.costClass, costBbox: hp.costBbox, costGiou: hp.costGiou };
    const weights: DetrLossWeights = { ce: hp.wCE, l1: hp.wL1, giou: hp.wGIoU, eosCoef: hp.eosCoef };
    const b = this.batcher.next(this.batchSize);
    const gt = targetBoxes(b.boxes);
    const x = segImagesTensor(b.images, b.count, data.height, data.width);
    const kept: tf.Tensor[] = [];
    try {
      // (1) Probe pass in training mode; its BN running-statistic updates are undone afterwards.
      const saved = [...model.store.state.values()].map((v) => [v, tf.clone(v)] as const);
      let probeValues: { logits: Float32Array; boxes: Float32Array }[];
      try {
        const probe = model.forward(x, { training: true });
        try {
          probeValues = await Promise.all(
            probe.logits.map(async (l, i) => ({ logits: (await l.data()) as Float32Array, boxes: (await probe.boxes[i]!.data()) as Float32Array })),
          );
        } finally {
          tf.dispose([...probe.logits, ...probe.boxes]);
        }
      } finally {
        for (const [v, s] of saved) {
          v.assign(s);
          s.dispose();
        }
      }
      const matches = probeValues.map((p) => hungarianMatchValues(p.logits, p.boxes, gt, cost));

      // (2) Gradient pass with the fixed matchings.
      const held: { terms?: tf.Tensor; outputs: tf.Tensor[] } = { outputs: [] };
      const { value, grads } = tf.variableGrads(() => {
        const out = model.forward(x, { training: true });
        const aux = detrAuxLoss(
          out.logits.map((logits, i) => ({ logits, boxes: out.boxes[i]! })),
          gt,
          matches,
          weights,
        );
        held.terms = tf.keep(tf.stack(aux.layers.flatMap((t) => [t.total, t.ce, t.l1, t.giou])));
        if (opts.check) held.outputs = [...out.logits, ...out.boxes].map((t) => tf.keep(t));
        return aux.total;
      }, [...model.store.trainable.values()]);
      kept.push(value, ...(held.terms ? [held.terms] : []), ...held.outputs, ...Object.values(grads));
      const named: Record<string, tf.Tensor> = {};
      for (const [name, v] of model.store.trainable) {
        const g = grads[v.name];
        if (g) named[name] = g;
      }
      const clipped = clipByGlobalNorm(named, hp.clip > 0 ? hp.clip : Number.POSITIVE_INFINITY);
      kept.push(clipped.norm, ...Object.values(clipped.grads));
      this.optimizer.step(clipped.grads);
      const [lossV, termV, normV] = await Promise.all([value.data(), held.terms!.data(), clipped.norm.data()]);
      const layers: DetectLayerLoss[] = matches.map((_, l) => ({
        total: termV[4 * l]!,
        ce: termV[4 * l + 1]!,
        l1: termV[4 * l + 2]!,
        giou: termV[4 * l + 3]!,
      }));
      let check: DetectMatchCheck | undefined;
      if (opts.check) {
        const L = matches.length;
        const vals = await Promise.all(held.outputs.map((t) => t.data() as Promise<Float32Array>));
        let maxOutputDiff = 0;
        for (let l = 0; l < L; l++) {
          const pairs: [Float32Array, Float32Array][] = [
            [vals[l]!, probeValues[l]!.logits],
            [vals[L + l]!, probeValues[l]!.boxes],
          ];
          for (const [a, p] of pairs) for (let i = 0; i < a.length; i++) maxOutputDiff = Math.max(maxOutputDiff, Math.abs(a[i]! - p[i]!));
        }
        const gradientPass = Array.from({ length: L }, (_, l) => hungarianMatchValues(vals[l]!, vals[L + l]!, gt, cost));
        check = { probe: matches, gradientPass, maxOutputDiff, logits: vals.slice(0, L) };
      }
      this.stepsDone++;
      const last = matches[matches.length - 1]!;
      return {
        loss: lossV[0]!,
        layers,
        matched: last.reduce((s, m) => s + m.queries.length, 0),
        gradNorm: normV[0]!,
        lr: hp.lr,
        batchSize: b.count,
        ms: performance.now() - t0,
        ...(check ? { check } : {}),
      };
    } finally {
      tf.dispose([x, ...kept]);
    }
  }

  /** AP@0.5, AP@[.5:.95], recall@20 and the mean count above the live score threshold on the test split. */
  evaluate(onProgress?: (fraction: number) => void): Promise<DetectEvalResult> {
    return evaluateDetector(this.model, this.data.test, this.hyperparams.scoreThreshold, this.opts.evalBatchSize ?? 8, onProgress);
  }

  /** Boxes above the live score threshold for `count` images of the dataset's size, with attention maps when asked. */
  predict(images: Uint8Array, count: number, opts: { attention?: boolean } = {}): Promise<DetectPredictResult> {
    return predictDetections(this.model, images, count, this.hyperparams.scoreThreshold, { ...opts, batch: this.opts.evalBatchSize ?? 8 });
  }

  /** Free the optimizer and hand the model over to the caller (who disposes it); the session is unusable after. */
  releaseModel(): DetectModel {
    this.optimizer.dispose();
    this.released = true;
    return this.model;
  }

  dispose(): void {
    if (this.released) return;
    this.released = true;
    this.optimizer.dispose();
    disposeParams(this.model.store);
  }
}

/** Copy every weight and BN statistic of `from` into `to` (same architecture). */
export function copyDetectorWeights(from: DetectModel, to: DetectModel): void {
  const src = new Map([...from.store.trainable, ...from.store.state]);
  for (const [name, v] of [...to.store.trainable, ...to.store.state]) {
    const s = src.get(name);
    if (!s || s.shape.join() !== v.shape.join()) throw new Error(`Cannot start from the given detector: its weight '${name}' is missing or has another shape.`);
    v.assign(s);
  }
}
