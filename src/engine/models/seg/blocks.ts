/** Shared pieces of the segmentation models: a cost-logging builder, conv-BN-ReLU units, FasterSeg cells, classifiers, bilinear resizes. NHWC activations, HWIO kernels. */
import * as tf from '@tensorflow/tfjs-core';
import {
  createSubPixelClassifier,
  createUpscale,
  subPixelClassify,
  subPixelMacs,
  subPixelParams,
  upscale,
  upscaleMacs,
  upscaleParams,
  type SubPixelClassifier,
  type UpscaleKind,
  type UpscaleModule,
} from '../upscale';
import type { UpscaleName } from '../../../protocol/labs/segment';
import { batchNorm, conv, createBatchNorm, createConv, type BatchNorm, type Conv2d, type ForwardMode } from '../layers';
import { constant, heNormal, type ParamStore } from '../params';
import type { CellSpec, SegArchitecture, SegLayerCost, SegModel, SegOutput } from './segModel';

/** Creates parameters in a store and records each layer's params and MACs. */
export interface SegBuilder {
  store: ParamStore;
  layers: SegLayerCost[];
  /** Layers created while true are marked training-only (aux heads). */
  aux: boolean;
}

/** Spatial size after a stride-2 'same' conv. */
export const half = (n: number): number => Math.ceil(n / 2);

/** Bilinear resize of NHWC `x` to h×w (align-corners: the form whose gradient every tfjs backend implements). */
export function resize(x: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
  if (x.shape[1] === h && x.shape[2] === w) return x;
  return tf.image.resizeBilinear(x, [h, w], true);
}

/** Throw unless the input size is positive and divisible by `by` (every stride-2 level then halves exactly). */
export function checkInput(what: string, height: number, width: number, numClasses: number, by = 32): void {
  for (const [n, v] of [
    ['height', height],
    ['width', width],
  ] as const) {
    if (!Number.isInteger(v) || v < by || v % by !== 0) throw new Error(`${what} needs an input ${n} that is a positive multiple of ${by}, got ${v}.`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`${what} needs a positive integer class count, got ${numClasses}.`);
}

/** A k×k conv (stride s) → BN → optional ReLU. */
export interface ConvUnit {
  conv: Conv2d;
  bn: BatchNorm;
  relu: boolean;
}

/** Create `${name}.conv` (HWIO [k,k,cin,cout]) + `${name}.bn`, logging k·k·cin·cout·outH·outW MACs. */
export function createConvUnit(
  b: SegBuilder,
  name: string,
  k: number,
  cin: number,
  cout: number,
  stride: number,
  outH: number,
  outW: number,
  relu = true,
): ConvUnit {
  const unit = { conv: createConv(b.store, `${name}.conv`, k, cin, cout, stride), bn: createBatchNorm(b.store, `${name}.bn`, cout), relu };
  const kernel = k * k * cin * cout;
  b.layers.push({ name: `${name}.conv`, kind: 'conv', params: kernel, macs: kernel * outH * outW, aux: b.aux });
  b.layers.push({ name: `${name}.bn`, kind: 'bn', params: 2 * cout, macs: 0, aux: b.aux });
  return unit;
}

/** conv → BN → (ReLU), NHWC in/out. */
export function convUnit(u: ConvUnit, x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  const y = batchNorm(u.bn, conv(u.conv, x), mode);
  return u.relu ? tf.relu(y) : y;
}

/** A 1×1 conv with bias to class logits. */
export interface Classifier1x1 {
  kernel: tf.Variable; // HWIO [1, 1, cin, classes]
  bias: tf.Variable;
}

/** Create `${name}.kernel` (He init) and `${name}.bias` (zeros), logging cin·classes·h·w MACs. */
export function createClassifier(b: SegBuilder, name: string, cin: number, classes: number, h: number, w: number): Classifier1x1 {
  const cls = { kernel: heNormal(b.store, `${name}.kernel`, [1, 1, cin, classes], cin), bias: constant(b.store, `${name}.bias`, [classes], 0) };
  b.layers.push({ name: `${name}.kernel`, kind: 'conv', params: cin * classes, macs: cin * classes * h * w, aux: b.aux });
  b.layers.push({ name: `${name}.bias`, kind: 'bias', params: classes, macs: 0, aux: b.aux });
  return cls;
}

/** Logits NHWC `[B, h, w, classes]`. */
export function classify(c: Classifier1x1, x: tf.Tensor4D): tf.Tensor4D {
  return tf.add(tf.conv2d(x, c.kernel as tf.Tensor4D, 1, 'same'), c.bias);
}

/** A ×r upscaling module (TECHNIQUES.md §2). */
export type Upscale = UpscaleModule;

/** An upscaling module ×r (bilinear, or depthwise-separable conv + PixelShuffle) over an h×w input, costed by `upscaleParams`/`upscaleMacs`. */
export function createUp(b: SegBuilder, name: string, cin: number, cout: number, r: number, kind: UpscaleKind, h: number, w: number): Upscale {
  const m = createUpscale(b.store, name, cin, cout, r, kind);
  b.layers.push({ name, kind: 'upscale', params: upscaleParams(cin, cout, r, kind), macs: upscaleMacs(cin, cout, r, kind, h, w), aux: b.aux });
  return m;
}

/** A FasterSeg cell: its spec and conv units. */
export interface Cell {
  spec: CellSpec;
  units: ConvUnit[];
}

/** Create a cell reading cin channels at h×w; units `${name}.0`, `${name}.1`. */
export function createCell(b: SegBuilder, name: string, spec: CellSpec, cin: number, cout: number, h: number, w: number): Cell {
  if (spec.op === 'zoomed') {
    if (spec.down) throw new Error(`Cell ${name}: a zoomed conv cell cannot downsample; use conv or conv2.`);
    return { spec, units: [createConvUnit(b, `${name}.0`, 3, cin, cout, 1, half(h), half(w))] };
  }
  const stride = spec.down ? 2 : 1;
  const [oh, ow] = spec.down ? [half(h), half(w)] : [h, w];
  const units = [createConvUnit(b, `${name}.0`, 3, cin, cout, stride, oh, ow)];
  if (spec.op === 'conv2') units.push(createConvUnit(b, `${name}.1`, 3, cout, cout, 1, oh, ow));
  return { spec, units };
}

/** Cell forward, NHWC. Zoomed: bilinear to ⌈h/2⌉×⌈w/2⌉ → conv-BN-ReLU → bilinear back to h×w. */
export function cell(c: Cell, x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  if (c.spec.op === 'zoomed') {
    const [h, w] = [x.shape[1], x.shape[2]];
    return resize(convUnit(c.units[0]!, resize(x, half(h), half(w)), mode), h, w);
  }
  return c.units.reduce((y, u) => convUnit(u, y, mode), x);
}

/** One aggregation step (FasterSeg): 1×1 conv-BN-ReLU to the higher level's width → upscale ×2 → concat with the higher feature → 3×3 conv-BN-ReLU refine. */
export interface AggStep {
  reduce: ConvUnit;
  up: Upscale;
  refine: ConvUnit;
}

/** Create `${name}.reduce|up|refine`: low feature (cLow at h×w) into the higher one (cHigh at 2h×2w). */
export function createAggStep(b: SegBuilder, name: string, cLow: number, cHigh: number, kind: UpscaleKind, h: number, w: number): AggStep {
  return {
    reduce: createConvUnit(b, `${name}.reduce`, 1, cLow, cHigh, 1, h, w),
    up: createUp(b, `${name}.up`, cHigh, cHigh, 2, kind, h, w),
    refine: createConvUnit(b, `${name}.refine`, 3, 2 * cHigh, cHigh, 1, 2 * h, 2 * w),
  };
}

/** Aggregation step forward: `low` [B,h,w,cLow], `high` [B,2h,2w,cHigh] → [B,2h,2w,cHigh]. */
export function aggStep(s: AggStep, low: tf.Tensor4D, high: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  const up = upscale(s.up, convUnit(s.reduce, low, mode), mode);
  return convUnit(s.refine, tf.concat([up, high], 3), mode);
}

/** An auxiliary/segmentation head: 3×3 conv-BN-ReLU + 1×1 conv (bias) to classes. */
export interface SegHead {
  unit: ConvUnit;
  cls: Classifier1x1;
}

/** Create `${name}.conv|bn` and `${name}.cls` for a cin-channel h×w input. */
export function createHead(b: SegBuilder, name: string, cin: number, mid: number, classes: number, h: number, w: number): SegHead {
  return { unit: createConvUnit(b, name, 3, cin, mid, 1, h, w), cls: createClassifier(b, `${name}.cls`, mid, classes, h, w) };
}

/** Head forward: NHWC features → logits at the same resolution. */
export function head(hd: SegHead, x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  return classify(hd.cls, convUnit(hd.unit, x, mode));
}

/** How a model upscales (TECHNIQUES.md §2): the ×2 aggregation module, and the final ×r as a sub-pixel classifier ×`subPixel` (0 = none) then bilinear, or as `final`. */
export interface UpscalePlan {
  agg: UpscaleKind;
  /** Factor of the sub-pixel classifier (0: the head's plain 1×1 classifier, then `final` ×r). */
  subPixel: number;
  /** The final ×r after a plain classifier: bilinear, or the v1 module (BN + ReLU on logits). */
  final: UpscaleKind;
}

/** The plan of an upscaling variant for a model whose head runs at 1/`finalR` (student 8, tutor 4); 'ps-head4' caps the sub-pixel factor at 4. */
export function upscalePlan(variant: UpscaleName, finalR: number): UpscalePlan {
  switch (variant) {
    case 'bilinear':
      return { agg: 'bilinear', subPixel: 0, final: 'bilinear' };
    case 'pixelshuffle':
      return { agg: 'pixelshuffle', subPixel: 0, final: 'pixelshuffle' };
    case 'ps-agg':
      return { agg: 'pixelshuffle', subPixel: 0, final: 'bilinear' };
    case 'ps-head':
      return { agg: 'bilinear', subPixel: finalR, final: 'bilinear' };
    case 'ps-both':
      return { agg: 'pixelshuffle', subPixel: finalR, final: 'bilinear' };
    case 'ps-head4':
      return { agg: 'bilinear', subPixel: Math.min(4, finalR), final: 'bilinear' };
    default:
      throw new Error(`Unknown upscaling variant ${String(variant)}.`);
  }
}

/**
 * A model's classifier and final ×r: 'plain' = head (3×3 conv-BN-ReLU + 1×1 conv to classes) → upscale ×r (bilinear or
 * the v1 module); 'subpixel' = the head's 3×3 conv-BN-ReLU → sub-pixel classifier ×s → bilinear ×(r/s).
 */
export type FinalHead = { kind: 'plain'; head: SegHead; up: Upscale } | { kind: 'subpixel'; unit: ConvUnit; sub: SubPixelClassifier; rest: number };

/**
 * Create the final head for a cin-channel h×w map upscaled ×r to the input: plain → `${name}.conv|bn`, `${name}.cls` and
 * `${upName}` (as before the variants, so older weights load); sub-pixel → `${name}.conv|bn` and `${name}.subpixel.*`
 * (costed as one 'upscale' layer).
 */
export function createFinalHead(
  b: SegBuilder,
  name: string,
  upName: string,
  cin: number,
  mid: number,
  classes: number,
  r: number,
  plan: UpscalePlan,
  h: number,
  w: number,
): FinalHead {
  if (plan.subPixel === 0)
    return { kind: 'plain', head: createHead(b, name, cin, mid, classes, h, w), up: createUp(b, upName, classes, classes, r, plan.final, h, w) };
  if (r % plan.subPixel !== 0) throw new Error(`A sub-pixel classifier ×${plan.subPixel} cannot make up a final ×${r}.`);
  const unit = createConvUnit(b, name, 3, cin, mid, 1, h, w);
  const sub = createSubPixelClassifier(b.store, `${name}.subpixel`, mid, classes, plan.subPixel);
  b.layers.push({
    name: `${name}.subpixel`,
    kind: 'upscale',
    params: subPixelParams(mid, classes, plan.subPixel),
    macs: subPixelMacs(mid, classes, plan.subPixel, h, w),
    aux: b.aux,
  });
  return { kind: 'subpixel', unit, sub, rest: r / plan.subPixel };
}

/** Final head forward: features `[B, h, w, cin]` → logits `[B, h·r, w·r, classes]`. */
export function finalHead(f: FinalHead, x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  if (f.kind === 'plain') return upscale(f.up, head(f.head, x, mode), mode);
  const [, h, w] = x.shape;
  const logits = subPixelClassify(f.sub, convUnit(f.unit, x, mode), mode);
  return f.rest === 1 ? logits : resize(logits, h * f.sub.r * f.rest, w * f.sub.r * f.rest);
}

/** The SegModel around a finished builder: its identity and costs, and `run` wrapped in tf.tidy (only the outputs survive). */
export function finishSegModel(
  b: SegBuilder,
  name: SegModel['name'],
  arch: SegArchitecture & { numClasses: number; inputHeight: number; inputWidth: number },
  run: (x: tf.Tensor4D, mode: ForwardMode) => SegOutput,
): SegModel {
  return {
    name,
    store: b.store,
    numClasses: arch.numClasses,
    inputHeight: arch.inputHeight,
    inputWidth: arch.inputWidth,
    architecture: structuredClone(arch),
    layers: b.layers,
    forward: (x, mode) => tf.tidy(() => run(x, mode)),
  };
}
