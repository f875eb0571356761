/** VGG-16, CIFAR variant (Simonyan & Zisserman 2015; the pytorch-cifar layout): 13 conv3×3-BN-ReLU, 5 max-pools, one dense layer. */
import * as tf from '@tensorflow/tfjs-core';
import { batchNorm, conv, createBatchNorm, createConv, createDense, dense, scaleChannels, type BatchNorm, type Conv2d, type ForwardMode } from './layers';
import { createParamStore } from './params';
import { checkCounts, type ChannelSpace, type Classifier, type ConvLayerInfo, type ModelLayout, type VggArchitecture } from './model';

/** Channel plan of TECHNIQUES.md §1; 'M' is a 2×2 max-pool. */
export const VGG16_PLAN = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'] as const;
export const VGG16_CONVS = 13;

export interface VggOptions {
  /** Width multiplier applied to VGG16_PLAN (default 1); ignored when `channels` is given. */
  width?: number;
  /** Explicit out count of each of the 13 convs (a pruned plan). */
  channels?: readonly number[];
  numClasses: number;
  inputSize: number;
  seed: number;
}

/** Resolve options to a JSON architecture: explicit channels, or the §1 plan scaled by the width. */
export function vggArchitecture(opts: Omit<VggOptions, 'seed'>): VggArchitecture {
  const width = opts.width ?? 1;
  const channels = opts.channels ? [...opts.channels] : VGG16_PLAN.filter((c) => c !== 'M').map((c) => scaleChannels(c, width));
  return { model: 'vgg16', numClasses: opts.numClasses, inputSize: opts.inputSize, channels };
}

/** Conv shapes (HWIO), dense size (NHWC flatten of the last map) and channel spaces of a VGG-16 architecture. */
export function vggLayout(arch: VggArchitecture): ModelLayout {
  if (arch.inputSize % 32 !== 0 || arch.inputSize < 32) throw new Error(`VGG-16 needs an input size divisible by 32, got ${arch.inputSize}.`);
  if (!Number.isInteger(arch.numClasses) || arch.numClasses < 1) throw new Error(`VGG-16 needs a positive integer class count, got ${arch.numClasses}.`);
  checkCounts(arch.channels, VGG16_CONVS, 'VGG-16');
  const convs: ConvLayerInfo[] = [];
  let cin = 3;
  let size = arch.inputSize;
  for (const item of VGG16_PLAN) {
    if (item === 'M') {
      size /= 2;
      continue;
    }
    const i = convs.length;
    const cout = arch.channels[i]!;
    convs.push({ name: `conv${i}.kernel`, kernelShape: [3, 3, cin, cout], outSize: size });
    cin = cout;
  }
  const spatial = size * size;
  const spaces: ChannelSpace[] = convs.map((c, i) => ({
    name: `conv${i}`,
    kind: 'conv',
    size: c.kernelShape[3],
    producerKernels: [c.name],
    bnPrefixes: [`bn${i}`],
    consumerKernels: i + 1 < convs.length ? [`conv${i + 1}.kernel`] : [],
    ...(i + 1 === convs.length ? { dense: { kernel: 'fc.kernel', spatial } } : {}),
  }));
  return { convs, dense: { kernel: 'fc.kernel', bias: 'fc.bias', inFeatures: cin * spatial, outFeatures: arch.numClasses }, spaces };
}

/** Build VGG-16 for NHWC inputs of inputSize×inputSize×3 (inputSize divisible by 32). */
export function createVgg16(opts: VggOptions): Classifier {
  return buildVgg16(vggArchitecture(opts), opts.seed);
}

/** Build VGG-16 from a JSON architecture (seeded He init; HWIO kernels, NHWC activations). */
export function buildVgg16(arch: VggArchitecture, seed: number): Classifier {
  const layout = vggLayout(arch);
  const store = createParamStore(seed);
  const blocks: ({ conv: Conv2d; bn: BatchNorm } | 'M')[] = [];
  let i = 0;
  for (const item of VGG16_PLAN) {
    if (item === 'M') {
      blocks.push('M');
      continue;
    }
    const [, , cin, cout] = layout.convs[i]!.kernelShape;
    blocks.push({ conv: createConv(store, `conv${i}`, 3, cin, cout), bn: createBatchNorm(store, `bn${i}`, cout) });
    i++;
  }
  const fc = createDense(store, 'fc', layout.dense.inFeatures, arch.numClasses);

  return {
    name: 'vgg16',
    store,
    numClasses: arch.numClasses,
    architecture: structuredClone(arch),
    convs: layout.convs,
    forward(x: tf.Tensor4D, mode: ForwardMode): tf.Tensor2D {
      let h = x;
      for (const b of blocks) {
        if (b === 'M') h = tf.maxPool(h, 2, 2, 'valid');
        else h = tf.relu(batchNorm(b.bn, conv(b.conv, h), mode));
      }
      return dense(fc, tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D);
    },
  };
}
