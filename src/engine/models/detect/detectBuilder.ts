/**
 * Shared pieces of the Detect lab's compact DETR (TECHNIQUES.md §4): a builder that records each layer's params and MACs per
 * part while the parameters are created, conv-BN-activation units with PyTorch's symmetric padding, and linear layers.
 * NHWC activations, HWIO conv kernels, depthwise kernels [k, k, C, 1], linear kernels [in, out].
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNorm, conv, createBatchNorm, type BatchNorm, type Conv2d, type ForwardMode } from '../layers';
import { constant, heNormal, uniformInit, type ParamStore } from '../params';

/** The parts a detector's cost is reported by. */
export type DetectPart = 'backbone' | 'projection' | 'encoder' | 'decoder' | 'heads';
/** The parts in table order. */
export const DETECT_PARTS: readonly DetectPart[] = ['backbone', 'projection', 'encoder', 'decoder', 'heads'];

/** One costed layer: trainable scalars and multiply-accumulates per image. */
export interface DetectLayerCost {
  /** Parameter-name prefix, e.g. `backbone.block3.dw`. */
  name: string;
  part: DetectPart;
  params: number;
  macs: number;
}

/** Creates parameters in a store and records each layer's cost under the current part. */
export interface DetectBuilder {
  store: ParamStore;
  layers: DetectLayerCost[];
  part: DetectPart;
}

/** Record one layer's cost under the builder's current part. */
export function record(b: DetectBuilder, name: string, params: number, macs: number): void {
  b.layers.push({ name, part: b.part, params, macs });
}

/** Activation of a conv unit: none, ReLU, or h-swish. */
export type Act = 'none' | 'relu' | 'hswish';

/** Hard-sigmoid (Howard et al. 2019, MobileNetV3): ReLU6(x + 3)/6, elementwise. */
export function hardSigmoid<T extends tf.Tensor>(x: T): T {
  return tf.div(tf.relu6(tf.add(x, 3)), 6);
}

/** h-swish (Howard et al. 2019, MobileNetV3): x·ReLU6(x + 3)/6, elementwise. */
export function hardSwish<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, hardSigmoid(x));
}

/** Apply an activation, elementwise. */
export function activate<T extends tf.Tensor>(x: T, act: Act): T {
  if (act === 'relu') return tf.relu(x);
  if (act === 'hswish') return hardSwish(x);
  return x;
}

/** Spatial size after a conv of stride s padded (k−1)/2 on every side: ⌊(n + 2p − k)/s⌋ + 1 = ⌈n/s⌉ for odd k. */
export const strided = (n: number, stride: number): number => Math.ceil(n / stride);

/**
 * A k×k conv (stride s, no bias; `groups: 'depthwise'` = one k×k filter per channel, kernel [k, k, C, 1]) → BN → activation.
 * Padding is PyTorch's `padding=(k−1)/2` on every side (explicit symmetric pads, as ResNet-18's `stridePad: 'symmetric'`), not
 * tfjs 'same' (which pads a stride-2 conv on an even size only bottom/right), so torchvision weights map one to one.
 */
export interface ConvBnAct {
  conv: Conv2d;
  depthwise: boolean;
  bn: BatchNorm;
  act: Act;
}

/**
 * Create `${name}.conv.kernel` (He-normal, HWIO [k,k,cin,cout] or depthwise [k,k,c,1]) and `${name}.bn.*`, recording conv
 * params k²·cin·cout (depthwise k²·c) and that many MACs per output pixel of an outH×outW map, BN 2·cout params and 0 MACs.
 */
export function createConvBnAct(
  b: DetectBuilder,
  name: string,
  k: number,
  cin: number,
  cout: number,
  stride: number,
  act: Act,
  outH: number,
  outW: number,
  depthwise = false,
): ConvBnAct {
  if (depthwise && cin !== cout) throw new Error(`Depthwise conv ${name} needs cin = cout, got ${cin} and ${cout}.`);
  if (k % 2 !== 1) throw new Error(`Conv ${name} needs an odd kernel size, got ${k}.`);
  const shape = depthwise ? [k, k, cin, 1] : [k, k, cin, cout];
  const kernel = heNormal(b.store, `${name}.conv.kernel`, shape, depthwise ? k * k : k * k * cin);
  const params = depthwise ? k * k * cin : k * k * cin * cout;
  record(b, `${name}.conv`, params, params * outH * outW);
  const bn = createBatchNorm(b.store, `${name}.bn`, cout);
  record(b, `${name}.bn`, 2 * cout, 0);
  return { conv: { kernel, stride, pad: (k - 1) / 2 }, depthwise, bn, act };
}

/** conv (symmetric pads) → BN → activation, NHWC [B,H,W,cin] → [B,⌈H/s⌉,⌈W/s⌉,cout]. */
export function convBnAct(u: ConvBnAct, x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  const p = u.conv.pad ?? 0;
  const y = u.depthwise
    ? tf.depthwiseConv2d(x, u.conv.kernel as tf.Tensor4D, u.conv.stride, [
        [0, 0],
        [p, p],
        [p, p],
        [0, 0],
      ])
    : conv(u.conv, x);
  return activate(batchNorm(u.bn, y, mode), u.act);
}

/** A linear layer y = x·W + b over the last axis: kernel [in, out], bias [out]. */
export interface Linear {
  kernel: tf.Variable;
  bias: tf.Variable;
}

/**
 * How a linear layer is initialised: 'xavier' = weight U(±√(6/(fanIn + fanOut))) (DETR's Transformer._reset_parameters
 * xavier_uniform_ on every matrix; `fanOut` may be given for a slice of a larger matrix), bias 0; 'torch' = PyTorch's nn.Linear
 * default, weight and bias U(±1/√in) (DETR's heads and input projection, which lie outside the transformer).
 */
export type LinearInit = { kind: 'xavier'; fanOut?: number } | { kind: 'torch' };

/** Create `${name}.kernel` [in, out] and `${name}.bias` [out], recording in·out + out params and tokens·in·out MACs per image. */
export function createLinear(b: DetectBuilder, name: string, cin: number, cout: number, tokens: number, init: LinearInit): Linear {
  let lin: Linear;
  if (init.kind === 'xavier') {
    const limit = Math.sqrt(6 / (cin + (init.fanOut ?? cout)));
    lin = { kernel: uniformInit(b.store, `${name}.kernel`, [cin, cout], limit), bias: constant(b.store, `${name}.bias`, [cout], 0) };
  } else {
    const limit = 1 / Math.sqrt(cin);
    lin = { kernel: uniformInit(b.store, `${name}.kernel`, [cin, cout], limit), bias: uniformInit(b.store, `${name}.bias`, [cout], limit) };
  }
  record(b, name, cin * cout + cout, tokens * cin * cout);
  return lin;
}

/** Linear forward over the last axis: [..., in] → [..., out]. */
export function linear<T extends tf.Tensor>(l: Linear, x: T): T {
  const cin = l.kernel.shape[0]!;
  const cout = l.kernel.shape[1]!;
  const flat = tf.reshape(x, [-1, cin]) as tf.Tensor2D;
  const y = tf.add(tf.matMul(flat, l.kernel as tf.Tensor2D), l.bias);
  return tf.reshape(y, [...x.shape.slice(0, -1), cout]) as T;
}
