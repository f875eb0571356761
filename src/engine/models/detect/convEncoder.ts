/**
 * The Detect lab's convolutional encoders (TECHNIQUES.md §4): L residual blocks x + BN(conv3×3(ReLU(BN(conv3×3(x))))) on the
 * d-channel stride-32 map, with plain 3×3 convs ('conv') or depthwise-separable ones ('dwconv': each 3×3 conv becomes a depthwise
 * 3×3 → pointwise 1×1, both without bias and with nothing between them, then the BN). NHWC, HWIO kernels, depthwise [3, 3, d, 1];
 * every 3×3 padded 1 on every side.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNorm, createBatchNorm, type BatchNorm, type ForwardMode } from '../layers';
import { heNormal } from '../params';
import { convBnAct, createConvBnAct, record, type ConvBnAct, type DetectBuilder } from './detectBuilder';

/** A depthwise-separable 3×3 conv → BN → (ReLU): kernels dw [3, 3, d, 1] and pw [1, 1, d, d]. */
export interface SepConvBn {
  dw: tf.Variable;
  pw: tf.Variable;
  bn: BatchNorm;
  relu: boolean;
}

/** Create `${name}.dw.kernel`, `${name}.pw.kernel`, `${name}.bn.*`: params 9d + d² + 2d, MACs (9d + d²)·h·w. */
function createSepConvBn(b: DetectBuilder, name: string, d: number, h: number, w: number, relu: boolean): SepConvBn {
  const dw = heNormal(b.store, `${name}.dw.kernel`, [3, 3, d, 1], 9);
  record(b, `${name}.dw`, 9 * d, 9 * d * h * w);
  const pw = heNormal(b.store, `${name}.pw.kernel`, [1, 1, d, d], d);
  record(b, `${name}.pw`, d * d, d * d * h * w);
  const bn = createBatchNorm(b.store, `${name}.bn`, d);
  record(b, `${name}.bn`, 2 * d, 0);
  return { dw, pw, bn, relu };
}

const PAD1: tf.backend_util.ExplicitPadding = [
  [0, 0],
  [1, 1],
  [1, 1],
  [0, 0],
];

function sepConvBn(u: SepConvBn, x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  const y = tf.conv2d(tf.depthwiseConv2d(x, u.dw as tf.Tensor4D, 1, PAD1), u.pw as tf.Tensor4D, 1, 'valid');
  const z = batchNorm(u.bn, y, mode);
  return u.relu ? tf.relu(z) : z;
}

/** One residual block: two conv units (the first with ReLU) and the identity shortcut. */
export type ConvEncoderBlock = { kind: 'conv'; unit1: ConvBnAct; unit2: ConvBnAct } | { kind: 'dwconv'; unit1: SepConvBn; unit2: SepConvBn };

/**
 * Create `${name}.conv1|conv2` on an h×w d-channel map. 'conv': params 2·(9d² + 2d), MACs 2·9d²·h·w; 'dwconv': params
 * 2·(9d + d² + 2d), MACs 2·(9d + d²)·h·w.
 */
export function createConvEncoderBlock(b: DetectBuilder, name: string, kind: 'conv' | 'dwconv', d: number, h: number, w: number): ConvEncoderBlock {
  if (kind === 'conv') {
    return {
      kind,
      unit1: createConvBnAct(b, `${name}.conv1`, 3, d, d, 1, 'relu', h, w),
      unit2: createConvBnAct(b, `${name}.conv2`, 3, d, d, 1, 'none', h, w),
    };
  }
  return { kind, unit1: createSepConvBn(b, `${name}.conv1`, d, h, w, true), unit2: createSepConvBn(b, `${name}.conv2`, d, h, w, false) };
}

/** Block forward, NHWC [B, h, w, d] → same: x + BN(conv(ReLU(BN(conv(x))))). */
export function convEncoderBlock(blk: ConvEncoderBlock, x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  const y = blk.kind === 'conv' ? convBnAct(blk.unit2, convBnAct(blk.unit1, x, mode), mode) : sepConvBn(blk.unit2, sepConvBn(blk.unit1, x, mode), mode);
  return tf.add(x, y);
}
