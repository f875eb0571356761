/** The common shape of every classifier the labs train. */
import type * as tf from '@tensorflow/tfjs-core';
import type { ForwardMode } from './layers';
import type { ParamStore } from './params';

export interface ConvLayerInfo {
  /** Dotted parameter name of the kernel (HWIO). */
  name: string;
  kernelShape: [number, number, number, number];
  /** Output spatial size (H = W) for FLOP counting. */
  outSize: number;
}

export interface Classifier {
  readonly name: string;
  readonly store: ParamStore;
  readonly numClasses: number;
  /** Conv layers in forward order. */
  readonly convs: readonly ConvLayerInfo[];
  /** Images NHWC float32 (normalised) → logits [B, classes]. */
  forward(x: tf.Tensor4D, mode: ForwardMode): tf.Tensor2D;
}
