/** ResNet-18, CIFAR variant (He et al. 2016; the pytorch-cifar layout): 3×3 stem, BasicBlocks [2,2,2,2], global average pool, one dense layer. */
import * as tf from '@tensorflow/tfjs-core';
import { batchNorm, conv, createBatchNorm, createConv, createDense, dense, scaleChannels, type BatchNorm, type Conv2d, type ForwardMode } from './layers';
import { createParamStore, type ParamStore } from './params';
import type { Classifier, ConvLayerInfo } from './model';

/** Stage plan of TECHNIQUES.md §1: base width, block count and stride of the first block. */
export const RESNET18_STAGES = [
  { channels: 64, blocks: 2, stride: 1 },
  { channels: 128, blocks: 2, stride: 2 },
  { channels: 256, blocks: 2, stride: 2 },
  { channels: 512, blocks: 2, stride: 2 },
] as const;

export interface ResNetOptions {
  width: number;
  numClasses: number;
  inputSize: number;
  seed: number;
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

/** Create the variables of one BasicBlock under `name` (HWIO kernels); records its convs in forward order. */
export function createBasicBlock(store: ParamStore, name: string, cin: number, cout: number, stride: number, inSize: number, convs: ConvLayerInfo[]): BasicBlock {
  const outSize = Math.ceil(inSize / stride);
  const block: BasicBlock = {
    conv1: createConv(store, `${name}.conv1`, 3, cin, cout, stride),
    bn1: createBatchNorm(store, `${name}.bn1`, cout),
    conv2: createConv(store, `${name}.conv2`, 3, cout, cout),
    bn2: createBatchNorm(store, `${name}.bn2`, cout),
  };
  convs.push({ name: `${name}.conv1.kernel`, kernelShape: [3, 3, cin, cout], outSize });
  convs.push({ name: `${name}.conv2.kernel`, kernelShape: [3, 3, cout, cout], outSize });
  if (stride !== 1 || cin !== cout) {
    block.shortcut = { conv: createConv(store, `${name}.shortcut.conv`, 1, cin, cout, stride), bn: createBatchNorm(store, `${name}.shortcut.bn`, cout) };
    convs.push({ name: `${name}.shortcut.conv.kernel`, kernelShape: [1, 1, cin, cout], outSize });
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

/** Build ResNet-18 for NHWC inputs of inputSize×inputSize×3 (stride-2 'same' convs round sizes up). */
export function createResNet18(opts: ResNetOptions): Classifier {
  if (!Number.isInteger(opts.inputSize) || opts.inputSize < 1) throw new Error(`ResNet-18 needs a positive integer input size, got ${opts.inputSize}`);
  const store = createParamStore(opts.seed);
  const convs: ConvLayerInfo[] = [];
  let size = opts.inputSize;
  let cin = scaleChannels(64, opts.width);
  const stem = { conv: createConv(store, 'stem.conv', 3, 3, cin), bn: createBatchNorm(store, 'stem.bn', cin) };
  convs.push({ name: 'stem.conv.kernel', kernelShape: [3, 3, 3, cin], outSize: size });

  const blocks: BasicBlock[] = [];
  RESNET18_STAGES.forEach((stage, s) => {
    const cout = scaleChannels(stage.channels, opts.width);
    for (let b = 0; b < stage.blocks; b++) {
      const stride = b === 0 ? stage.stride : 1;
      blocks.push(createBasicBlock(store, `layer${s + 1}.${b}`, cin, cout, stride, size, convs));
      size = Math.ceil(size / stride);
      cin = cout;
    }
  });
  const fc = createDense(store, 'fc', cin, opts.numClasses);

  return {
    name: 'resnet18',
    store,
    numClasses: opts.numClasses,
    convs,
    forward(x: tf.Tensor4D, mode: ForwardMode): tf.Tensor2D {
      let h = tf.relu(batchNorm(stem.bn, conv(stem.conv, x), mode));
      for (const b of blocks) h = basicBlock(b, h, mode);
      return dense(fc, tf.mean(h, [1, 2]) as tf.Tensor2D);
    },
  };
}
