/**
 * EfficientNet building blocks (Tan & Le 2019; MBConv from MobileNetV2, SE from Hu et al. 2018) for the Affinity lab's models
 * (TECHNIQUES.md §3): conv-BN-swish units and MBConv blocks, each with its cost computed from its spec alone. NHWC activations,
 * HWIO conv kernels, depthwise kernels [k, k, C, 1].
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNorm, conv, createBatchNorm, createConv, type BatchNorm, type Conv2d, type ForwardMode } from '../layers';
import { constant, heNormal, type ParamStore } from '../params';

/** Squeeze-excitation width relative to the block's input channels. */
export const SE_RATIO = 0.25;

/** One costed layer: trainable scalars and multiply-accumulates per image. */
export interface LayerCost {
  /** Parameter-name prefix, e.g. `stage2.block0.dw`. */
  name: string;
  params: number;
  macs: number;
}

/** Swish (Ramachandran et al. 2017): x·sigmoid(x), elementwise. */
export function swish<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x));
}

/** Spatial size after a 'same' conv of stride s. */
export const strided = (n: number, stride: number): number => Math.ceil(n / stride);

/** A k×k conv (stride s, no bias) → BN → optional swish. */
export interface ConvBn {
  conv: Conv2d;
  bn: BatchNorm;
  act: boolean;
}

/** Create `${name}.conv.kernel` (HWIO [k,k,cin,cout]) and `${name}.bn.*`. */
export function createConvBn(store: ParamStore, name: string, k: number, cin: number, cout: number, stride = 1, act = true): ConvBn {
  return { conv: createConv(store, `${name}.conv`, k, cin, cout, stride), bn: createBatchNorm(store, `${name}.bn`, cout), act };
}

/** conv → BN → (swish), NHWC in/out. */
export function convBn(u: ConvBn, x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  const y = batchNorm(u.bn, conv(u.conv, x), mode);
  return u.act ? swish(y) : y;
}

/** Costs of a conv-BN unit producing outSize×outSize: conv k·k·cin·cout params and that many MACs per output pixel; BN 2·cout params, 0 MACs. */
export function convBnCost(name: string, k: number, cin: number, cout: number, outSize: number): LayerCost[] {
  const kernel = k * k * cin * cout;
  return [
    { name: `${name}.conv`, params: kernel, macs: kernel * outSize * outSize },
    { name: `${name}.bn`, params: 2 * cout, macs: 0 },
  ];
}

/** An MBConv block: cin → cout, expansion factor, depthwise kernel size (3 or 5), stride (1 or 2). */
export interface MBConvSpec {
  cin: number;
  cout: number;
  expand: number;
  kernel: number;
  stride: number;
}

/** Channels of the expanded (depthwise) feature: cin·expand. */
export const expandedChannels = (s: MBConvSpec): number => s.cin * s.expand;
/** Squeeze width: max(1, round(cin·0.25)). */
export const seChannels = (s: MBConvSpec): number => Math.max(1, Math.round(s.cin * SE_RATIO));
/** A residual add when the block keeps the shape (stride 1, cin = cout). */
export const hasResidual = (s: MBConvSpec): boolean => s.stride === 1 && s.cin === s.cout;

/** A 1×1 conv with bias on a pooled [B,1,1,C] map. */
interface Conv1x1Bias {
  kernel: tf.Variable; // HWIO [1, 1, in, out]
  bias: tf.Variable;
}

export interface MBConv {
  spec: MBConvSpec;
  /** Absent when expand = 1. */
  expand?: ConvBn;
  dw: tf.Variable; // [k, k, C, 1]
  dwBn: BatchNorm;
  seReduce: Conv1x1Bias;
  seExpand: Conv1x1Bias;
  project: ConvBn;
}

function createConv1x1Bias(store: ParamStore, name: string, cin: number, cout: number): Conv1x1Bias {
  return { kernel: heNormal(store, `${name}.kernel`, [1, 1, cin, cout], cin), bias: constant(store, `${name}.bias`, [cout], 0) };
}

/**
 * Create an MBConv block's parameters under `name`: `expand.conv|bn` (if expand > 1), `dw.conv.kernel` + `dw.bn`,
 * `se.reduce|expand.kernel|bias`, `project.conv|bn`.
 */
export function createMBConv(store: ParamStore, name: string, spec: MBConvSpec): MBConv {
  if (![3, 5].includes(spec.kernel)) throw new Error(`MBConv ${name} needs a depthwise kernel of 3 or 5, got ${spec.kernel}.`);
  if (![1, 2].includes(spec.stride)) throw new Error(`MBConv ${name} needs a stride of 1 or 2, got ${spec.stride}.`);
  const c = expandedChannels(spec);
  const r = seChannels(spec);
  const k = spec.kernel;
  return {
    spec: { ...spec },
    expand: spec.expand > 1 ? createConvBn(store, `${name}.expand`, 1, spec.cin, c) : undefined,
    dw: heNormal(store, `${name}.dw.conv.kernel`, [k, k, c, 1], k * k),
    dwBn: createBatchNorm(store, `${name}.dw.bn`, c),
    seReduce: createConv1x1Bias(store, `${name}.se.reduce`, c, r),
    seExpand: createConv1x1Bias(store, `${name}.se.expand`, r, c),
    project: createConvBn(store, `${name}.project`, 1, c, spec.cout, 1, false),
  };
}

const conv1x1Bias = (l: Conv1x1Bias, x: tf.Tensor4D): tf.Tensor4D => tf.add(tf.conv2d(x, l.kernel as tf.Tensor4D, 1, 'valid'), l.bias);

/** MBConv forward, NHWC [B,H,W,cin] → [B,⌈H/s⌉,⌈W/s⌉,cout]: expand → depthwise → SE → project (+ x when shapes match). */
export function mbconv(b: MBConv, x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  let h = b.expand ? convBn(b.expand, x, mode) : x;
  h = swish(batchNorm(b.dwBn, tf.depthwiseConv2d(h, b.dw as tf.Tensor4D, b.spec.stride, 'same'), mode));
  const squeezed = tf.mean(h, [1, 2], true) as tf.Tensor4D;
  const gate = tf.sigmoid(conv1x1Bias(b.seExpand, swish(conv1x1Bias(b.seReduce, squeezed))));
  h = convBn(b.project, tf.mul(h, gate), mode);
  return hasResidual(b.spec) ? tf.add(x, h) : h;
}

/** The block's layers with params and MACs per image for an inSize×inSize input (SE: in·out MACs per 1×1; pooling, gating, residual 0). */
export function mbconvCost(name: string, spec: MBConvSpec, inSize: number): LayerCost[] {
  const c = expandedChannels(spec);
  const r = seChannels(spec);
  const out = strided(inSize, spec.stride);
  const k2 = spec.kernel * spec.kernel;
  return [
    ...(spec.expand > 1 ? convBnCost(`${name}.expand`, 1, spec.cin, c, inSize) : []),
    { name: `${name}.dw.conv`, params: k2 * c, macs: k2 * c * out * out },
    { name: `${name}.dw.bn`, params: 2 * c, macs: 0 },
    { name: `${name}.se.reduce`, params: c * r + r, macs: c * r },
    { name: `${name}.se.expand`, params: r * c + c, macs: r * c },
    ...convBnCost(`${name}.project`, 1, c, spec.cout, out),
  ];
}
