/** The common shape of every classifier the labs train, its JSON architecture, and its channel wiring. */
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

/** VGG-16 built from an explicit plan: the output channel count of each of the 13 convs. */
export interface VggArchitecture {
  model: 'vgg16';
  numClasses: number;
  inputSize: number;
  channels: number[];
}

/** ResNet-18 channel plan. The stem writes the stage-1 residual stream, so its width is `stages[0]`. */
export interface ResNetChannels {
  /** Residual-stream width of each of the 4 stages (also the out count of conv2 and the shortcut conv). */
  stages: number[];
  /** Out count of conv1 (= in count of conv2) of each of the 8 blocks, forward order. */
  inner: number[];
}

/**
 * Padding of ResNet-18's stride-2 3×3 convs (conv1 of the first block of stages 2–4):
 * - 'symmetric': 1 pixel on every side, as PyTorch's CIFAR ResNet-18 (`padding=1`), so weights carry over unchanged;
 *   every model built now.
 * - 'same': tfjs 'same', on an even input 0 top/left and 1 bottom/right; how models saved before the field existed
 *   were trained (a model.json without `stridePad` loads as 'same').
 * Both give ⌈n/2⌉ outputs and are identical on odd sizes (where 'same' pads 1 and 1 too). Stride-1 3×3 convs pad
 * 1 on every side and the 1×1 stride-2 shortcut pads nothing, in both.
 */
export type StridePad = 'same' | 'symmetric';

export interface ResNetArchitecture {
  model: 'resnet18';
  numClasses: number;
  inputSize: number;
  channels: ResNetChannels;
  stridePad: StridePad;
}

/** Plain-JSON description from which a model can be rebuilt (registry `buildModel`). */
export type Architecture = VggArchitecture | ResNetArchitecture;

/**
 * One set of channels shared by several tensors: the conv kernels that write it (HWIO axis 3) and
 * their BNs (every BN vector), and the consumers that read it (conv kernels on HWIO axis 2, and
 * possibly the dense kernel's rows). Channels are only ever mixed by the consumers, so a channel
 * that every consumer ignores can be removed from all these tensors without changing the output.
 */
export interface ChannelSpace {
  /** e.g. `conv3` (VGG conv output), `layer2.0.inner` (conv1 → conv2), `stage2` (residual stream). */
  name: string;
  kind: 'conv' | 'inner' | 'residual';
  size: number;
  producerKernels: string[];
  /** BN name prefixes: `${prefix}.gamma|beta|runningMean|runningVar` are sliced on axis 0. */
  bnPrefixes: string[];
  consumerKernels: string[];
  /**
   * The dense layer reading this space, if any. Its kernel rows are indexed `p · size + c` with
   * p over `spatial` flattened NHWC positions (VGG flatten; 1 for a global average pool).
   */
  dense?: { kernel: string; spatial: number };
}

/** Everything about a model's shape that follows from its architecture alone (no tensors). */
export interface ModelLayout {
  /** Conv layers in forward order; each is followed by exactly one BN of kernelShape[3] channels. */
  convs: ConvLayerInfo[];
  dense: { kernel: string; bias: string; inFeatures: number; outFeatures: number };
  /** Channel spaces in plan order (see registry `planSizes`). */
  spaces: ChannelSpace[];
}

export interface Classifier {
  readonly name: string;
  readonly store: ParamStore;
  readonly numClasses: number;
  /** Serialisable description the model can be rebuilt from. */
  readonly architecture: Architecture;
  /** Conv layers in forward order. */
  readonly convs: readonly ConvLayerInfo[];
  /** Images NHWC float32 (normalised) → logits [B, classes]. */
  forward(x: tf.Tensor4D, mode: ForwardMode): tf.Tensor2D;
}

/** Check that a count list has `n` positive integers; `what` names it in the error. */
export function checkCounts(counts: readonly number[], n: number, what: string): void {
  if (counts.length !== n) throw new Error(`${what} needs ${n} channel counts, got ${counts.length}.`);
  const bad = counts.find((c) => !Number.isInteger(c) || c < 1);
  if (bad !== undefined) throw new Error(`${what} channel counts must be positive integers, got ${bad}.`);
}
