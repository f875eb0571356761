/** Shared building blocks: conv (HWIO, no bias), batch norm, dense. Activations are NHWC. */
import * as tf from '@tensorflow/tfjs-core';
import { constant, heNormal, uniformInit, type ParamStore } from './params';

export const BN_EPSILON = 1e-5;
export const BN_MOMENTUM = 0.1;

/** Forward-pass mode: training uses batch statistics and updates the running ones. */
export interface ForwardMode {
  training: boolean;
}

export interface Conv2d {
  kernel: tf.Variable; // HWIO [k, k, in, out]
  stride: number;
  /**
   * Explicit zero padding on every side (PyTorch `padding=p`: out = ⌊(n + 2p − k)/s⌋ + 1). Absent: tfjs 'same'
   * (out = ⌈n/s⌉, the odd pixel of the total padding bottom/right: 0 top/left and 1 bottom/right for a 3×3
   * stride-2 conv on an even size, where PyTorch's padding 1 pads 1 on every side).
   */
  pad?: number;
}

/** A k×k conv without bias (a BN follows), He-initialised; `pad` as in Conv2d (absent: 'same'). */
export function createConv(store: ParamStore, name: string, k: number, cin: number, cout: number, stride = 1, pad?: number): Conv2d {
  const kernel = heNormal(store, `${name}.kernel`, [k, k, cin, cout], k * k * cin);
  return pad === undefined ? { kernel, stride } : { kernel, stride, pad };
}

/** The tfjs padding argument of a conv: 'same', or the explicit NHWC pads [[0,0],[p,p],[p,p],[0,0]]. */
export function convPadding(layer: Pick<Conv2d, 'pad'>): 'same' | tf.backend_util.ExplicitPadding {
  const p = layer.pad;
  if (p === undefined) return 'same';
  return [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ];
}

/** Conv forward, NHWC in/out: 'same' padding, or `layer.pad` on every side. */
export function conv(layer: Conv2d, x: tf.Tensor4D): tf.Tensor4D {
  return tf.conv2d(x, layer.kernel as tf.Tensor4D, layer.stride, convPadding(layer));
}

export interface BatchNorm {
  gamma: tf.Variable;
  beta: tf.Variable;
  runningMean: tf.Variable;
  runningVar: tf.Variable;
}

/** Batch norm over the channel axis of NHWC input. */
export function createBatchNorm(store: ParamStore, name: string, channels: number): BatchNorm {
  return {
    gamma: constant(store, `${name}.gamma`, [channels], 1),
    beta: constant(store, `${name}.beta`, [channels], 0),
    runningMean: constant(store, `${name}.runningMean`, [channels], 0, false),
    runningVar: constant(store, `${name}.runningVar`, [channels], 1, false),
  };
}

/**
 * BN forward (Ioffe & Szegedy 2015). Training: normalise with the batch moments and move the running
 * stats towards them (PyTorch convention: momentum 0.1, unbiased variance for the running estimate).
 */
export function batchNorm(bn: BatchNorm, x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  if (!mode.training) {
    return tf.batchNorm4d(x, bn.runningMean as tf.Tensor1D, bn.runningVar as tf.Tensor1D, bn.beta as tf.Tensor1D, bn.gamma as tf.Tensor1D, BN_EPSILON);
  }
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  const unbiased = n > 1 ? n / (n - 1) : 1;
  const ema = (running: tf.Variable, batch: tf.Tensor, scale: number) =>
    running.assign(tf.tidy(() => tf.add(tf.mul(running, 1 - BN_MOMENTUM), tf.mul(batch, BN_MOMENTUM * scale))));
  ema(bn.runningMean, mean, 1);
  ema(bn.runningVar, variance, unbiased);
  return tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, bn.beta as tf.Tensor1D, bn.gamma as tf.Tensor1D, BN_EPSILON);
}

export interface Dense {
  kernel: tf.Variable; // [in, out]
  bias: tf.Variable;
}

/** A fully connected layer, PyTorch-style uniform init ±1/sqrt(in). */
export function createDense(store: ParamStore, name: string, cin: number, cout: number): Dense {
  const limit = 1 / Math.sqrt(cin);
  return { kernel: uniformInit(store, `${name}.kernel`, [cin, cout], limit), bias: uniformInit(store, `${name}.bias`, [cout], limit) };
}

/** Dense forward: [B, in] → [B, out]. */
export function dense(layer: Dense, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(x, layer.kernel as tf.Tensor2D), layer.bias) as tf.Tensor2D;
}

/** Scale a channel count by a width multiplier, at least 1. */
export function scaleChannels(c: number, width: number): number {
  return Math.max(1, Math.round(c * width));
}
