/**
 * MobileNetV3-Small feature extractor (Howard et al. 2019, "Searching for MobileNetV3"; torchvision's `mobilenet_v3_small().features`)
 * for the Detect lab (TECHNIQUES.md §4). NHWC activations, HWIO conv kernels, depthwise kernels [k, k, C, 1]; every conv padded
 * (k−1)/2 on every side as PyTorch, so the output of an H×W input is ⌈H/32⌉×⌈W/32⌉.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ForwardMode } from '../layers';
import { constant, heNormal } from '../params';
import { convBnAct, createConvBnAct, hardSigmoid, record, strided, type ConvBnAct, type DetectBuilder } from './detectBuilder';

/** One bneck block of the table (channels at width 1): in, depthwise kernel, expanded, out, SE, activation, stride. */
export interface BneckSpec {
  cin: number;
  kernel: number;
  expand: number;
  cout: number;
  se: boolean;
  act: 'relu' | 'hswish';
  stride: number;
}

const row = (cin: number, kernel: number, expand: number, cout: number, se: boolean, hs: boolean, stride: number): BneckSpec => ({
  cin,
  kernel,
  expand,
  cout,
  se,
  act: hs ? 'hswish' : 'relu',
  stride,
});

/** MobileNetV3-Small's 11 bneck blocks at width 1 (TECHNIQUES.md §4; torchvision `_mobilenet_v3_conf('mobilenet_v3_small')`). */
export const MOBILENET_V3_SMALL: readonly BneckSpec[] = [
  row(16, 3, 16, 16, true, false, 2),
  row(16, 3, 72, 24, false, false, 2),
  row(24, 3, 88, 24, false, false, 1),
  row(24, 5, 96, 40, true, true, 2),
  row(40, 5, 240, 40, true, true, 1),
  row(40, 5, 240, 40, true, true, 1),
  row(40, 5, 120, 48, true, true, 1),
  row(48, 5, 144, 48, true, true, 1),
  row(48, 5, 288, 96, true, true, 2),
  row(96, 5, 576, 96, true, true, 1),
  row(96, 5, 576, 96, true, true, 1),
];

/** torchvision's `_make_divisible(v, 8)`: the nearest multiple of `divisor` (at least `divisor`), raised one step if it falls below 0.9·v. */
export function makeDivisible(v: number, divisor = 8): number {
  const n = Math.max(divisor, Math.floor(Math.floor(v + divisor / 2) / divisor) * divisor);
  return n < 0.9 * v ? n + divisor : n;
}

/** The table at a width multiplier: in, expanded and out channels become makeDivisible(c·width, 8) (torchvision's `adjust_channels`). */
export function mobileNetV3SmallSpecs(width: number): BneckSpec[] {
  if (!(width > 0) || !Number.isFinite(width)) throw new Error(`MobileNetV3 needs a positive width multiplier, got ${width}.`);
  const a = (c: number) => makeDivisible(c * width);
  return MOBILENET_V3_SMALL.map((s) => ({ ...s, cin: a(s.cin), expand: a(s.expand), cout: a(s.cout) }));
}

/** SE squeeze width: makeDivisible(⌊expand/4⌋, 8) (torchvision's InvertedResidual). */
export const squeezeChannels = (expand: number): number => makeDivisible(Math.floor(expand / 4));

/** Squeeze-excitation (Hu et al. 2018) as in MobileNetV3: global mean → 1×1 conv + bias → ReLU → 1×1 conv + bias → hard-sigmoid → scale. */
export interface SqueezeExcite {
  reduceKernel: tf.Variable; // HWIO [1, 1, C, r]
  reduceBias: tf.Variable;
  expandKernel: tf.Variable; // HWIO [1, 1, r, C]
  expandBias: tf.Variable;
}

/** A bneck block: optional 1×1 expansion (skipped when expand = in), depthwise k×k, optional SE, 1×1 projection (no activation). */
export interface Bneck {
  spec: BneckSpec;
  expand?: ConvBnAct;
  dw: ConvBnAct;
  se?: SqueezeExcite;
  project: ConvBnAct;
}

/** The backbone: stem 3×3 s2 → 11 bnecks → 1×1 conv to 6·(last out) with h-swish (576 at width 1). */
export interface MobileNetV3 {
  width: number;
  stem: ConvBnAct;
  blocks: Bneck[];
  last: ConvBnAct;
  /** Channels of the output (576 at width 1). */
  outChannels: number;
}

/** Residual when stride 1 and in = out. */
export const hasResidual = (s: BneckSpec): boolean => s.stride === 1 && s.cin === s.cout;

/** Create `${name}.se.reduce|expand.kernel|bias` (He-normal kernels, zero biases), recording c·r + r and r·c + c params, c·r and r·c MACs. */
function createSE(b: DetectBuilder, name: string, c: number): SqueezeExcite {
  const r = squeezeChannels(c);
  const se = {
    reduceKernel: heNormal(b.store, `${name}.se.reduce.kernel`, [1, 1, c, r], c),
    reduceBias: constant(b.store, `${name}.se.reduce.bias`, [r], 0),
    expandKernel: heNormal(b.store, `${name}.se.expand.kernel`, [1, 1, r, c], r),
    expandBias: constant(b.store, `${name}.se.expand.bias`, [c], 0),
  };
  record(b, `${name}.se.reduce`, c * r + r, c * r);
  record(b, `${name}.se.expand`, r * c + c, r * c);
  return se;
}

function squeezeExcite(se: SqueezeExcite, x: tf.Tensor4D): tf.Tensor4D {
  const pooled = tf.mean(x, [1, 2], true) as tf.Tensor4D;
  const s = tf.relu(tf.add(tf.conv2d(pooled, se.reduceKernel as tf.Tensor4D, 1, 'valid'), se.reduceBias)) as tf.Tensor4D;
  const gate = hardSigmoid(tf.add(tf.conv2d(s, se.expandKernel as tf.Tensor4D, 1, 'valid'), se.expandBias));
  return tf.mul(x, gate);
}

/** Create a bneck block reading an h×w map under `name` (`expand`, `dw`, `se`, `project`). */
export function createBneck(b: DetectBuilder, name: string, spec: BneckSpec, h: number, w: number): Bneck {
  const [oh, ow] = [strided(h, spec.stride), strided(w, spec.stride)];
  const c = spec.expand;
  return {
    spec: { ...spec },
    expand: c !== spec.cin ? createConvBnAct(b, `${name}.expand`, 1, spec.cin, c, 1, spec.act, h, w) : undefined,
    dw: createConvBnAct(b, `${name}.dw`, spec.kernel, c, c, spec.stride, spec.act, oh, ow, true),
    se: spec.se ? createSE(b, name, c) : undefined,
    project: createConvBnAct(b, `${name}.project`, 1, c, spec.cout, 1, 'none', oh, ow),
  };
}

/** Bneck forward, NHWC [B,H,W,in] → [B,⌈H/s⌉,⌈W/s⌉,out]: expand → depthwise → SE → project (+ x when residual). */
export function bneck(blk: Bneck, x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  let h = blk.expand ? convBnAct(blk.expand, x, mode) : x;
  h = convBnAct(blk.dw, h, mode);
  if (blk.se) h = squeezeExcite(blk.se, h);
  h = convBnAct(blk.project, h, mode);
  return hasResidual(blk.spec) ? tf.add(x, h) : h;
}

/**
 * Create MobileNetV3-Small at a width multiplier for an H×W×3 input under `name` (`stem`, `block0`…`block10`, `last`). Channels:
 * makeDivisible(c·width, 8) per the table; stem = the first block's input; last = 6·(the last block's out), as torchvision.
 */
export function createMobileNetV3Small(b: DetectBuilder, name: string, width: number, height: number, widthPx: number): MobileNetV3 {
  const specs = mobileNetV3SmallSpecs(width);
  let [h, w] = [strided(height, 2), strided(widthPx, 2)];
  const stemC = specs[0]!.cin;
  const stem = createConvBnAct(b, `${name}.stem`, 3, 3, stemC, 2, 'hswish', h, w);
  const blocks = specs.map((s, i) => {
    const blk = createBneck(b, `${name}.block${i}`, s, h, w);
    [h, w] = [strided(h, s.stride), strided(w, s.stride)];
    return blk;
  });
  const lastIn = specs[specs.length - 1]!.cout;
  const outChannels = 6 * lastIn;
  const last = createConvBnAct(b, `${name}.last`, 1, lastIn, outChannels, 1, 'hswish', h, w);
  return { width, stem, blocks, last, outChannels };
}

/** Backbone forward, NHWC [B,H,W,3] → [B,⌈H/32⌉,⌈W/32⌉,outChannels]; `taps` (if given) receives the stem's and every block's output. */
export function mobileNetV3Small(m: MobileNetV3, x: tf.Tensor4D, mode: ForwardMode, taps?: tf.Tensor4D[]): tf.Tensor4D {
  let h = convBnAct(m.stem, x, mode);
  taps?.push(h);
  for (const blk of m.blocks) {
    h = bneck(blk, h, mode);
    taps?.push(h);
  }
  return convBnAct(m.last, h, mode);
}
