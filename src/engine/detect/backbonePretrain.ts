/**
 * The Detect lab's stand-in for ImageNet pretraining (TECHNIQUES.md §4). DETR's recipe — lr 1e-4, backbone 1e-5, 150–500
 * epochs — starts from an ImageNet backbone; trained from scratch on the built-in scenes the compact DETR settled on the
 * "mean box" (every query the same average box, GIoU loss ≈ 1) within 100 steps and stayed there for 1,500
 * (results/detect-pretrain-attempts.jsonl). There are no ImageNet weights here, and none may be fetched, so the shipped
 * detectors' MobileNetV3-Small backbone is first trained on a dense pretext task drawn from the same procedural scenes: per-pixel
 * street classes (sky, building, road, sidewalk, vegetation, car, person, pole) predicted from the backbone's stride-32 map by a
 * 1×1 classifier, upsampled bilinearly (align-corners, as every resize in the engine) to 1/4 of the input, with OHEM
 * cross-entropy (FasterSeg's rule, techniques/distill.ts) so thin and small classes — people — are not drowned by road and sky.
 * The stride-32 features then say *what is where*, which is what DETR's cross-attention needs to find a person. The pretext
 * head is thrown away; only `backbone.*` weights and BN statistics are copied into a detector (`copyBackboneWeights`).
 *
 * The pretext scenes are the detection scenes themselves (detectScenes.ts) with their class maps, from the same data seed and
 * split: no real photo is ever used.
 */
import * as tf from '@tensorflow/tfjs-core';
import { EpochSampler } from '../data/epochSampler';
import { DETECT_SIZE, renderDetectScene } from '../data/detectScenes';
import { gatherSegBatch, segImagesTensor } from '../data/segBatcher';
import type { SegSplit } from '../data/segDataset';
import { STREET_CLASSES, type StreetStyle } from '../data/streetScene';
import { confusionMatrix, emptyConfusion, segScores } from '../metrics/segMetrics';
import { detectArchitecture } from '../models/detect/detectArch';
import { buildDetector, type DetectModel } from '../models/detect/detector';
import { createParamStore, disposeParams, uniformInit, type ParamStore } from '../models/params';
import { AdamW } from '../optim/adamw';
import { hashSeed } from '../random';
import { ohemCrossEntropy } from '../techniques/distill';

/** The pretext labels are read at 1/PRETEXT_STRIDE of the input (the centre pixel of each 4×4 cell). */
export const PRETEXT_STRIDE = 4;

/** Detection scenes of one split (classic by default, or realistic) with their per-pixel class maps (street class ids, no ignore), at DETECT_SIZE. */
export async function generateDetectPretextSplit(opts: {
  seed: number;
  split: 0 | 1;
  count: number;
  style?: StreetStyle;
  onProgress?: (f: number) => void;
}): Promise<SegSplit> {
  const { height, width } = DETECT_SIZE;
  const px = height * width;
  const images = new Uint8Array(opts.count * px * 3);
  const labels = new Uint8Array(opts.count * px);
  for (let i = 0; i < opts.count; i++) {
    renderDetectScene(opts.seed, opts.split, i, images, i * px * 3, { label: labels.subarray(i * px, (i + 1) * px) }, opts.style ?? 'classic');
    if (i % 32 === 31) {
      opts.onProgress?.((i + 1) / opts.count);
      await new Promise<void>((res) => setTimeout(res, 0));
    }
  }
  opts.onProgress?.(1);
  return { images, labels, count: opts.count };
}

/** Labels [count, H, W] → the centre pixel of every stride×stride cell, [count, ⌈H/stride⌉, ⌈W/stride⌉]. */
export function subsampleLabels(labels: Uint8Array, count: number, height: number, width: number, stride = PRETEXT_STRIDE): Uint8Array {
  const [h, w] = [Math.ceil(height / stride), Math.ceil(width / stride)];
  const half = Math.floor(stride / 2);
  const out = new Uint8Array(count * h * w);
  for (let n = 0; n < count; n++)
    for (let y = 0; y < h; y++) {
      const sy = Math.min(height - 1, y * stride + half);
      for (let x = 0; x < w; x++) out[(n * h + y) * w + x] = labels[(n * height + sy) * width + Math.min(width - 1, x * stride + half)]!;
    }
  return out;
}

export interface BackbonePretrainOptions {
  /** MobileNetV3-Small width multiplier (the detector's). */
  widthMultiplier: number;
  seed: number;
  batchSize: number;
  /** AdamW peak lr (poly decay, power 0.9, over `steps`). */
  lr: number;
  steps: number;
  weightDecay?: number;
  /** Random horizontal flips (default true). */
  flip?: boolean;
}

export interface BackbonePretrainStep {
  loss: number;
  lr: number;
  ms: number;
}

export interface BackbonePretrainEval {
  pixelAccuracy: number;
  miou: number;
  /** Per street class, in STREET_CLASSES order (null when a class is absent from truth and prediction). */
  iou: (number | null)[];
}

/**
 * Trains a detector-shaped model's backbone (encoder none; only `backbone.*` and the pretext head are updated) on the pretext
 * split. `model` holds the result: pass it to copyBackboneWeights, or serialise it (it is a valid detector whose DETR parts
 * are untrained).
 */
export class BackbonePretrainer {
  readonly model: DetectModel;
  /** The pretext classifier, in its own store (never part of the saved detector). */
  private readonly headStore: ParamStore;
  private readonly head: { kernel: tf.Variable; bias: tf.Variable };
  private readonly vars: Map<string, tf.Variable>;
  private readonly optimizer: AdamW;
  private readonly sampler: EpochSampler;
  private readonly numClasses = STREET_CLASSES.length;
  private stepCount = 0;

  constructor(
    private readonly opts: BackbonePretrainOptions,
    private readonly train: SegSplit,
  ) {
    const { height, width } = DETECT_SIZE;
    if (train.images.length !== train.count * height * width * 3 || train.labels.length !== train.count * height * width)
      throw new Error(`The pretext split must hold ${train.count} images and class maps of ${height}×${width}.`);
    this.model = buildDetector(
      detectArchitecture({ inputHeight: height, inputWidth: width, widthMultiplier: opts.widthMultiplier, d: 32, encoder: { kind: 'none', layers: 0 } }),
      opts.seed,
    );
    const c = this.model.store.trainable.get('backbone.last.conv.kernel')?.shape[3];
    if (!c) throw new Error('The detector has no backbone.last.conv.kernel.');
    const limit = 1 / Math.sqrt(c);
    this.headStore = createParamStore(hashSeed(opts.seed, 32));
    this.head = {
      kernel: uniformInit(this.headStore, 'pretext.kernel', [1, 1, c, this.numClasses], limit),
      bias: uniformInit(this.headStore, 'pretext.bias', [this.numClasses], limit),
    };
    this.vars = new Map([...[...this.model.store.trainable].filter(([name]) => name.startsWith('backbone.')), ...this.headStore.trainable]);
    this.optimizer = new AdamW(this.vars, { lr: opts.lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: opts.weightDecay ?? 1e-4 });
    this.sampler = new EpochSampler(train.count, hashSeed(opts.seed, 31), opts.flip ?? true);
  }

  /** Pretext logits at 1/PRETEXT_STRIDE of the input: stride-32 map → 1×1 classifier → bilinear (align-corners) upsampling. */
  private logits(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    const { height, width } = DETECT_SIZE;
    const f = this.model.backbone(x, { training });
    const z = tf.add(tf.conv2d(f, this.head.kernel as tf.Tensor4D, 1, 'valid'), this.head.bias) as tf.Tensor4D;
    return tf.image.resizeBilinear(z, [Math.ceil(height / PRETEXT_STRIDE), Math.ceil(width / PRETEXT_STRIDE)], true);
  }

  get steps(): number {
    return this.stepCount;
  }

  /** One AdamW step (poly lr) on the next batch; OHEM cross-entropy. */
  async step(): Promise<BackbonePretrainStep> {
    const t0 = performance.now();
    const { height, width } = DETECT_SIZE;
    const lr = this.opts.lr * Math.pow(Math.max(0, 1 - this.stepCount / this.opts.steps), 0.9);
    this.optimizer.settings = { ...this.optimizer.settings, lr };
    const { indices, flips } = this.sampler.next(this.opts.batchSize);
    const b = gatherSegBatch(this.train, indices, height, width, flips);
    const [h, w] = [Math.ceil(height / PRETEXT_STRIDE), Math.ceil(width / PRETEXT_STRIDE)];
    const loss = tf.tidy(() => {
      const x = segImagesTensor(b.images, b.count, height, width);
      const y = tf.tensor3d(subsampleLabels(b.labels, b.count, height, width), [b.count, h, w], 'int32');
      const { value, grads } = tf.variableGrads(() => ohemCrossEntropy(this.logits(x, true), y), [...this.vars.values()]);
      const named: Record<string, tf.Tensor> = {};
      for (const [name, v] of this.vars) if (grads[v.name]) named[name] = grads[v.name]!;
      this.optimizer.step(named);
      return value;
    });
    const v = (await loss.data())[0]!;
    loss.dispose();
    this.stepCount++;
    return { loss: v, lr, ms: performance.now() - t0 };
  }

  /** Pixel accuracy, mIoU and per-class IoU of the pretext head on a split, at 1/PRETEXT_STRIDE (BN in inference mode). */
  async evaluate(split: SegSplit, batch = 16): Promise<BackbonePretrainEval> {
    const { height, width } = DETECT_SIZE;
    const k = this.numClasses;
    const conf = emptyConfusion(k);
    for (let start = 0; start < split.count; start += batch) {
      const c = Math.min(batch, split.count - start);
      const idx = Array.from({ length: c }, (_, i) => start + i);
      const b = gatherSegBatch(split, idx, height, width);
      const pred = tf.tidy(() => tf.argMax(this.logits(segImagesTensor(b.images, c, height, width), false), 3));
      const p = await pred.data();
      pred.dispose();
      confusionMatrix(Uint8Array.from(p), subsampleLabels(b.labels, c, height, width), k, 255, conf);
    }
    const m = segScores(conf, k);
    return { pixelAccuracy: m.pixelAccuracy, miou: m.mIoU, iou: m.perClassIoU };
  }

  dispose(): void {
    this.optimizer.dispose();
    disposeParams(this.model.store);
    disposeParams(this.headStore);
  }
}

/** Copy `from`'s backbone (every `backbone.*` weight and BN statistic) into `to`; returns how many tensors were copied. */
export function copyBackboneWeights(from: DetectModel, to: DetectModel): number {
  const src = new Map([...from.store.trainable, ...from.store.state]);
  let copied = 0;
  for (const [name, v] of [...to.store.trainable, ...to.store.state]) {
    if (!name.startsWith('backbone.')) continue;
    const s = src.get(name);
    if (!s || s.shape.join() !== v.shape.join())
      throw new Error(`Cannot take the pretrained backbone: its weight '${name}' is missing or has another shape (is the width multiplier the same?).`);
    v.assign(s);
    copied++;
  }
  return copied;
}
