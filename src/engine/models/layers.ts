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
 *
 * Training mode differentiates as one op ({@link batchNormTraining}), not through tfjs-core's gradients of
 * `tf.moments` + `tf.batchNorm`: those materialise `tile(...)` of full [B, H, W, C] arrays (FusedBatchNorm's
 * gradient; Tile is a generic per-element loop on wasm, a quarter of a VGG-16/ResNet-18 step there) and
 * `ones(x.shape)` built in JS (Mean's gradient) on every step (issue #17). The moments themselves are computed
 * exactly as before and still feed the running statistics; they are not inputs of the custom op, so the tape
 * never backpropagates through them (their dependence on x is in the op's gradient). Inference mode is plain
 * `tf.batchNorm` on the running statistics, as before.
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
  return batchNormTraining(x, mean as tf.Tensor1D, variance as tf.Tensor1D, bn.gamma, bn.beta);
}

/**
 * Training-mode batch norm over B, H, W of NHWC `x` with its own batch moments `mean`, `variance` (biased, as
 * `tf.moments` gives them): y = γ·(x − μ)·rstd + β, rstd = 1/√(σ² + ε), as ONE differentiable op of x, γ, β
 * (tf.customGrad). It is local to this function rather than a global override of tfjs-core's FusedBatchNorm/Mean
 * gradients, so it holds whatever backend runs and leaves every other use of those kernels alone.
 *
 * The forward is the same FusedBatchNorm kernel call as before. The gradient is the whole derivative, the
 * moments' dependence on x included; with N = B·H·W, x̂ = (x − μ)·rstd and per-channel sums Σ over B, H, W:
 *   dβ = Σ dy,   dγ = Σ dy·x̂,   dx = γ·rstd·(dy − Σdy/N − x̂·Σ(dy·x̂)/N) = γ·rstd·(r − Σr/N),  r = dy − x̂·Σ(dy·x̂)/N.
 * Only per-channel sums and broadcasts: no Tile, no ones(). Both per-channel affine maps, x ↦ x̂ and
 * r ↦ γ·rstd·(r − Σr/N), are FusedBatchNorm calls with the forward's own σ², ε (so x̂ is rounded exactly as in the
 * forward). Σr/N equals Σdy/N in exact arithmetic; taking it from r keeps Σdx = 0 per channel although the float32
 * Σx̂ is not exactly 0. With Σdy/N, that error times a large mean of the previous layer's input showed in its kernel
 * gradient (2.4e-5 off float64 on wasm in the 8×4×4×6 case of batchNormGrad.test.ts, tfjs-core's path 3.6e-6).
 * Against float64 central differences these gradients are as close as tfjs-core's (batchNormGrad.test.ts).
 */
export function batchNormTraining(x: tf.Tensor4D, mean: tf.Tensor1D, variance: tf.Tensor1D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D {
  const op = tf.customGrad((...args) => {
    const [input, scale, offset] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    save([input, scale, mean, variance]);
    return {
      value: tf.batchNorm4d(input, mean, variance, offset, scale, BN_EPSILON),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [xs, g, mu, v] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
          const axes = [0, 1, 2];
          const count = xs.shape[0] * xs.shape[1] * xs.shape[2];
          const xhat = tf.batchNorm4d(xs, mu, v, undefined, undefined, BN_EPSILON);
          const sumDy = tf.sum(dy, axes);
          const sumDyXhat = tf.sum(tf.mul(dy, xhat), axes);
          const r = tf.sub(dy, tf.mul(xhat, tf.div(sumDyXhat, count)));
          const dx = tf.batchNorm4d(r as tf.Tensor4D, tf.mean(r, axes) as tf.Tensor1D, v, undefined, g, BN_EPSILON);
          return [dx, sumDyXhat, sumDy];
        }),
    };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
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
