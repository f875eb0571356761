/**
 * ResNet-18, CIFAR variant (He et al. 2016; the pytorch-cifar layout): 3×3 stem, BasicBlocks [2,2,2,2], global average
 * pool, one dense layer. The stride-2 3×3 convs pad 1 on every side as PyTorch's `padding=1` (architecture `stridePad`
 * 'symmetric'; 'same' = tfjs 'same', kept for models saved before), so weights carry over to and from PyTorch unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNorm, conv, createBatchNorm, createConv, createDense, dense, scaleChannels, type BatchNorm, type Conv2d, type ForwardMode } from './layers';
import { createParamStore, type ParamStore } from './params';
import {
  checkCounts,
  type ChannelSpace,
  type Classifier,
  type ConvLayerInfo,
  type ModelLayout,
  type ResNetArchitecture,
  type ResNetChannels,
  type StridePad,
} from './model';

/** Stage plan of TECHNIQUES.md §1: base width, block count and stride of the first block. */
export const RESNET18_STAGES = [
  { channels: 64, blocks: 2, stride: 1 },
  { channels: 128, blocks: 2, stride: 2 },
  { channels: 256, blocks: 2, stride: 2 },
  { channels: 512, blocks: 2, stride: 2 },
] as const;
const BLOCKS = RESNET18_STAGES.reduce((n, s) => n + s.blocks, 0);

export interface ResNetOptions {
  /** Width multiplier applied to RESNET18_STAGES (default 1); ignored when `channels` is given. */
  width?: number;
  /** Explicit plan: stage widths (stem = stages[0]) and each block's inner (conv1 out) width. */
  channels?: ResNetChannels;
  numClasses: number;
  inputSize: number;
  seed: number;
  /** Padding of the stride-2 3×3 convs (see StridePad); default 'symmetric' (PyTorch's padding 1). */
  stridePad?: StridePad;
}

/** Resolve options to a JSON architecture: explicit channels, or the §1 plan scaled by the width (inner = stage width). */
export function resnetArchitecture(opts: Omit<ResNetOptions, 'seed'>): ResNetArchitecture {
  const width = opts.width ?? 1;
  const channels = opts.channels
    ? { stages: [...opts.channels.stages], inner: [...opts.channels.inner] }
    : {
        stages: RESNET18_STAGES.map((s) => scaleChannels(s.channels, width)),
        inner: RESNET18_STAGES.flatMap((s) => Array.from({ length: s.blocks }, () => scaleChannels(s.channels, width))),
      };
  return { model: 'resnet18', numClasses: opts.numClasses, inputSize: opts.inputSize, channels, stridePad: opts.stridePad ?? 'symmetric' };
}

interface BlockPlan {
  name: string;
  cin: number;
  mid: number;
  cout: number;
  stride: number;
  inSize: number;
  shortcut: boolean;
  /** 0-based stage index. */
  stage: number;
}

/**
 * Output side of a block's convs: ⌈n/s⌉. The 3×3 conv with padding 1 on every side gives ⌊(n + 2 − 3)/s⌋ + 1, which
 * is ⌈n/2⌉ for s = 2 at every n (n/2 when even, (n + 1)/2 when odd), the same as tfjs 'same'; the 1×1 shortcut
 * (no padding) gives ⌊(n − 1)/s⌋ + 1 = ⌈n/s⌉ too. So the layout does not depend on `stridePad`.
 */
export function stridedSize(n: number, stride: number): number {
  return Math.ceil(n / stride);
}

/** Explicit padding of a block's conv1 (3×3): 1 on every side when strided under 'symmetric', else tfjs 'same' (undefined). */
export function conv1Pad(stride: number, stridePad: StridePad): number | undefined {
  return stride !== 1 && stridePad === 'symmetric' ? 1 : undefined;
}

function blockPlans(arch: ResNetArchitecture): BlockPlan[] {
  const plans: BlockPlan[] = [];
  let cin = arch.channels.stages[0]!;
  let size = arch.inputSize;
  RESNET18_STAGES.forEach((stage, s) => {
    const cout = arch.channels.stages[s]!;
    for (let b = 0; b < stage.blocks; b++) {
      const stride = b === 0 ? stage.stride : 1;
      const mid = arch.channels.inner[plans.length]!;
      plans.push({ name: `layer${s + 1}.${b}`, cin, mid, cout, stride, inSize: size, shortcut: stride !== 1 || cin !== cout, stage: s });
      size = stridedSize(size, stride);
      cin = cout;
    }
  });
  return plans;
}

/** Conv shapes (HWIO), dense size (after global average pool) and channel spaces (stages, then inner) of a ResNet-18 architecture. */
export function resnetLayout(arch: ResNetArchitecture): ModelLayout {
  if (!Number.isInteger(arch.inputSize) || arch.inputSize < 1) throw new Error(`ResNet-18 needs a positive integer input size, got ${arch.inputSize}.`);
  if (!Number.isInteger(arch.numClasses) || arch.numClasses < 1) throw new Error(`ResNet-18 needs a positive integer class count, got ${arch.numClasses}.`);
  if (arch.stridePad !== 'same' && arch.stridePad !== 'symmetric')
    throw new Error(`ResNet-18 needs stridePad 'same' or 'symmetric', got ${JSON.stringify(arch.stridePad)}.`);
  checkCounts(arch.channels.stages, RESNET18_STAGES.length, 'ResNet-18 stages');
  checkCounts(arch.channels.inner, BLOCKS, 'ResNet-18 inner');
  const stem = arch.channels.stages[0]!;
  const convs: ConvLayerInfo[] = [{ name: 'stem.conv.kernel', kernelShape: [3, 3, 3, stem], outSize: arch.inputSize }];
  const stream = (s: number, size: number): ChannelSpace => ({
    name: `stage${s + 1}`,
    kind: 'residual',
    size,
    producerKernels: [],
    bnPrefixes: [],
    consumerKernels: [],
  });
  const streams = arch.channels.stages.map((c, s) => stream(s, c));
  streams[0]!.producerKernels.push('stem.conv.kernel');
  streams[0]!.bnPrefixes.push('stem.bn');
  const inner: ChannelSpace[] = [];
  let current = 0; // index of the stream a block reads
  blockPlans(arch).forEach((p, j) => {
    const s = p.stage;
    const outSize = stridedSize(p.inSize, p.stride);
    convs.push({ name: `${p.name}.conv1.kernel`, kernelShape: [3, 3, p.cin, p.mid], outSize });
    convs.push({ name: `${p.name}.conv2.kernel`, kernelShape: [3, 3, p.mid, p.cout], outSize });
    inner.push({
      name: `${p.name}.inner`,
      kind: 'inner',
      size: arch.channels.inner[j]!,
      producerKernels: [`${p.name}.conv1.kernel`],
      bnPrefixes: [`${p.name}.bn1`],
      consumerKernels: [`${p.name}.conv2.kernel`],
    });
    streams[current]!.consumerKernels.push(`${p.name}.conv1.kernel`);
    streams[s]!.producerKernels.push(`${p.name}.conv2.kernel`);
    streams[s]!.bnPrefixes.push(`${p.name}.bn2`);
    if (p.shortcut) {
      convs.push({ name: `${p.name}.shortcut.conv.kernel`, kernelShape: [1, 1, p.cin, p.cout], outSize });
      streams[current]!.consumerKernels.push(`${p.name}.shortcut.conv.kernel`);
      streams[s]!.producerKernels.push(`${p.name}.shortcut.conv.kernel`);
      streams[s]!.bnPrefixes.push(`${p.name}.shortcut.bn`);
    }
    current = s;
  });
  const last = streams[streams.length - 1]!;
  last.dense = { kernel: 'fc.kernel', spatial: 1 };
  return { convs, dense: { kernel: 'fc.kernel', bias: 'fc.bias', inFeatures: last.size, outFeatures: arch.numClasses }, spaces: [...streams, ...inner] };
}

/** conv3×3(stride)-BN-ReLU-conv3×3-BN plus an identity or 1×1 conv + BN projection shortcut, then ReLU. */
export interface BasicBlock {
  conv1: Conv2d;
  bn1: BatchNorm;
  conv2: Conv2d;
  bn2: BatchNorm;
  /** Present only where the block changes stride or channel count. */
  shortcut?: { conv: Conv2d; bn: BatchNorm };
}

/**
 * Create the variables of one BasicBlock under `name` (HWIO kernels; conv1 has `mid` outputs); shortcut iff stride ≠ 1
 * or cin ≠ cout. `stridePad` sets conv1's padding when strided (default 'same'; ResNet-18 passes its architecture's).
 */
export function createBasicBlock(
  store: ParamStore,
  name: string,
  cin: number,
  mid: number,
  cout: number,
  stride: number,
  stridePad: StridePad = 'same',
): BasicBlock {
  const block: BasicBlock = {
    conv1: createConv(store, `${name}.conv1`, 3, cin, mid, stride, conv1Pad(stride, stridePad)),
    bn1: createBatchNorm(store, `${name}.bn1`, mid),
    conv2: createConv(store, `${name}.conv2`, 3, mid, cout),
    bn2: createBatchNorm(store, `${name}.bn2`, cout),
  };
  if (stride !== 1 || cin !== cout) {
    block.shortcut = { conv: createConv(store, `${name}.shortcut.conv`, 1, cin, cout, stride), bn: createBatchNorm(store, `${name}.shortcut.bn`, cout) };
  }
  return block;
}

/** BasicBlock forward, NHWC in/out: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)). */
export function basicBlock(block: BasicBlock, x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  const h = tf.relu(batchNorm(block.bn1, conv(block.conv1, x), mode));
  const main = batchNorm(block.bn2, conv(block.conv2, h), mode);
  const skip = block.shortcut ? batchNorm(block.shortcut.bn, conv(block.shortcut.conv, x), mode) : x;
  return tf.relu(tf.add(main, skip)) as tf.Tensor4D;
}

/** Build ResNet-18 for NHWC inputs of inputSize×inputSize×3 (stride-2 convs give ⌈n/2⌉; padded as `opts.stridePad`, default symmetric). */
export function createResNet18(opts: ResNetOptions): Classifier {
  return buildResNet18(resnetArchitecture(opts), opts.seed);
}

/** Build ResNet-18 from a JSON architecture (seeded He init; HWIO kernels, NHWC activations). */
export function buildResNet18(arch: ResNetArchitecture, seed: number): Classifier {
  const layout = resnetLayout(arch);
  const store = createParamStore(seed);
  const stemWidth = arch.channels.stages[0]!;
  const stem = { conv: createConv(store, 'stem.conv', 3, 3, stemWidth), bn: createBatchNorm(store, 'stem.bn', stemWidth) };
  const blocks = blockPlans(arch).map((p) => createBasicBlock(store, p.name, p.cin, p.mid, p.cout, p.stride, arch.stridePad));
  const fc = createDense(store, 'fc', layout.dense.inFeatures, arch.numClasses);

  return {
    name: 'resnet18',
    store,
    numClasses: arch.numClasses,
    architecture: structuredClone(arch),
    convs: layout.convs,
    forward(x: tf.Tensor4D, mode: ForwardMode): tf.Tensor2D {
      let h = tf.relu(batchNorm(stem.bn, conv(stem.conv, x), mode));
      for (const b of blocks) h = basicBlock(b, h, mode);
      return dense(fc, tf.mean(h, [1, 2]) as tf.Tensor2D);
    },
  };
}
