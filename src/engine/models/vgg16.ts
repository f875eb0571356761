/** VGG-16, CIFAR variant (Simonyan & Zisserman 2015; the pytorch-cifar layout): 13 conv3×3-BN-ReLU, 5 max-pools, one dense layer. */
import * as tf from '@tensorflow/tfjs-core';
import { batchNorm, conv, createBatchNorm, createConv, createDense, dense, scaleChannels, type BatchNorm, type Conv2d, type ForwardMode } from './layers';
import { createParamStore } from './params';
import type { Classifier, ConvLayerInfo } from './model';

/** Channel plan of TECHNIQUES.md §1; 'M' is a 2×2 max-pool. */
export const VGG16_PLAN = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'] as const;

export interface VggOptions {
  width: number;
  numClasses: number;
  inputSize: number;
  seed: number;
}

/** Build VGG-16 for NHWC inputs of inputSize×inputSize×3 (inputSize divisible by 32). */
export function createVgg16(opts: VggOptions): Classifier {
  if (opts.inputSize % 32 !== 0) throw new Error(`VGG-16 needs an input size divisible by 32, got ${opts.inputSize}`);
  const store = createParamStore(opts.seed);
  const blocks: ({ conv: Conv2d; bn: BatchNorm } | 'M')[] = [];
  const convs: ConvLayerInfo[] = [];
  let cin = 3;
  let size = opts.inputSize;
  let i = 0;
  for (const item of VGG16_PLAN) {
    if (item === 'M') {
      blocks.push('M');
      size /= 2;
      continue;
    }
    const cout = scaleChannels(item, opts.width);
    const name = `conv${i}`;
    blocks.push({ conv: createConv(store, name, 3, cin, cout), bn: createBatchNorm(store, `bn${i}`, cout) });
    convs.push({ name: `${name}.kernel`, kernelShape: [3, 3, cin, cout], outSize: size });
    cin = cout;
    i++;
  }
  const finalSpatial = size * size;
  const fc = createDense(store, 'fc', cin * finalSpatial, opts.numClasses);

  return {
    name: 'vgg16',
    store,
    numClasses: opts.numClasses,
    convs,
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
