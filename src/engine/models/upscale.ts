/**
 * The Segment lab's ×r upscaling module (TECHNIQUES.md §2): plain bilinear resize, or the
 * depthwise-separable conv + PixelShuffle replacement (Shi et al. 2016) with an ICNR-initialised
 * 1×1 conv (Aitken et al. 2017). NHWC activations, HWIO kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNorm, createBatchNorm, type BatchNorm, type ForwardMode } from './layers';
import { constant, heNormal, type ParamStore } from './params';
import { normal } from '../random';
import { pixelShuffle } from '../techniques/pixelShuffle';

export type UpscaleKind = 'bilinear' | 'pixelshuffle';

/** Bilinear ×r: no parameters; channels pass through unchanged (cin = cout). */
export interface BilinearUpscale {
  kind: 'bilinear';
  cin: number;
  cout: number;
  r: number;
}

/** depthwise 3×3 conv → BN(cin) → ReLU → 1×1 conv to cout·r² (ICNR) → PixelShuffle(r). */
export interface PixelShuffleUpscale {
  kind: 'pixelshuffle';
  cin: number;
  cout: number;
  r: number;
  /** Depthwise kernel [3, 3, cin, 1]. */
  depthwise: tf.Variable;
  bn: BatchNorm;
  /** Pointwise kernel HWIO [1, 1, cin, cout·r²]; channel (i·r + j)·cout + c feeds sub-pixel (i, j) of class/channel c. */
  pointwise: tf.Variable;
}

export type UpscaleModule = BilinearUpscale | PixelShuffleUpscale;

function checkArgs(cin: number, cout: number, r: number, kind: UpscaleKind): void {
  for (const [what, v] of [
    ['cin', cin],
    ['cout', cout],
    ['r', r],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`Upscale needs a positive integer ${what}, got ${v}.`);
  }
  if (kind === 'bilinear' && cin !== cout) {
    throw new Error(`Bilinear upscaling keeps the channel count (cin ${cin} ≠ cout ${cout}); set the channels with the preceding conv.`);
  }
  if (kind !== 'bilinear' && kind !== 'pixelshuffle') throw new Error(`Unknown upscale kind ${String(kind)}.`);
}

/**
 * ICNR kernel (Aitken et al. 2017) HWIO [1, 1, cin, cout·r²]: a He-normal [1, 1, cin, cout] kernel
 * repeated so every group of r² sub-pixel filters of output channel c is identical. Our PixelShuffle
 * reads channel (i·r + j)·cout + c for sub-pixel (i, j), so the base kernel is tiled r² times along
 * the output axis. Right after init the shuffled output is then constant over each r×r block.
 */
export function icnrKernel(store: ParamStore, name: string, cin: number, cout: number, r: number): tf.Variable {
  const v = constant(store, name, [1, 1, cin, cout * r * r], 0);
  const std = Math.sqrt(2 / cin);
  const base = new Float32Array(cin * cout);
  for (let k = 0; k < base.length; k++) base[k] = normal(store.rng) * std;
  const full = new Float32Array(cin * cout * r * r);
  for (let i = 0; i < cin; i++) {
    for (let s = 0; s < r * r; s++) full.set(base.subarray(i * cout, (i + 1) * cout), (i * r * r + s) * cout);
  }
  const init = tf.tensor4d(full, [1, 1, cin, cout * r * r]);
  v.assign(init);
  init.dispose();
  return v;
}

/**
 * Create a ×r upscaling module named `name` (TECHNIQUES.md §2). 'pixelshuffle' creates
 * `${name}.dw.kernel` [3,3,cin,1] (He, fan-in 9), `${name}.bn.*` (cin) and `${name}.pw.kernel`
 * [1,1,cin,cout·r²] (ICNR). 'bilinear' has no parameters and requires cin === cout.
 */
export function createUpscale(store: ParamStore, name: string, cin: number, cout: number, r: number, kind: UpscaleKind): UpscaleModule {
  checkArgs(cin, cout, r, kind);
  if (kind === 'bilinear') return { kind, cin, cout, r };
  return {
    kind,
    cin,
    cout,
    r,
    depthwise: heNormal(store, `${name}.dw.kernel`, [3, 3, cin, 1], 9),
    bn: createBatchNorm(store, `${name}.bn`, cin),
    pointwise: icnrKernel(store, `${name}.pw.kernel`, cin, cout, r),
  };
}

/** Upscale NHWC `[B, h, w, cin]` → `[B, h·r, w·r, cout]`; bilinear uses align-corners (the form whose gradient every tfjs backend implements). */
export function upscale(m: UpscaleModule, x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  const [, h, w, c] = x.shape;
  if (c !== m.cin) throw new Error(`Upscale expects ${m.cin} input channels, got ${c}.`);
  if (m.kind === 'bilinear') return m.r === 1 ? tf.clone(x) : tf.image.resizeBilinear(x, [h * m.r, w * m.r], true);
  return tf.tidy(() => {
    const dw = tf.depthwiseConv2d(x, m.depthwise as tf.Tensor4D, 1, 'same');
    const act = tf.relu(batchNorm(m.bn, dw, mode));
    const pw = tf.conv2d(act, m.pointwise as tf.Tensor4D, 1, 'same');
    return pixelShuffle(pw, m.r);
  });
}

/** Trainable scalars of a module: 'pixelshuffle' = 9·cin (depthwise) + 2·cin (BN γ, β) + cin·cout·r² (1×1); 'bilinear' = 0. */
export function upscaleParams(cin: number, cout: number, r: number, kind: UpscaleKind): number {
  checkArgs(cin, cout, r, kind);
  return kind === 'bilinear' ? 0 : 9 * cin + 2 * cin + cin * cout * r * r;
}

/** Multiply-accumulates per image for an h×w input: 'pixelshuffle' = (9·cin + cin·cout·r²)·h·w (BN, ReLU, shuffle count 0); 'bilinear' = 0, as every bilinear resize in the model costs. */
export function upscaleMacs(cin: number, cout: number, r: number, kind: UpscaleKind, h: number, w: number): number {
  checkArgs(cin, cout, r, kind);
  return kind === 'bilinear' ? 0 : (9 * cin + cin * cout * r * r) * h * w;
}

/**
 * Sub-pixel classifier ×r (Shi et al. 2016; TECHNIQUES.md §2: no BN and no nonlinearity may act on class logits):
 * depthwise 3×3 conv → BN(cin) → ReLU on the head's *features*, then a 1×1 conv with bias to classes·r² channels
 * (ICNR kernel, zero bias) → PixelShuffle(r). The logits leave the 1×1 conv untouched but for the shuffle.
 */
export interface SubPixelClassifier {
  kind: 'subpixel';
  cin: number;
  classes: number;
  r: number;
  /** Depthwise kernel [3, 3, cin, 1]. */
  depthwise: tf.Variable;
  bn: BatchNorm;
  /** HWIO [1, 1, cin, classes·r²], ICNR; channel (i·r + j)·classes + c is class c at sub-pixel (i, j). */
  kernel: tf.Variable;
  /** [classes·r²], zeros at init. */
  bias: tf.Variable;
}

/** Create `${name}.dw.kernel` [3,3,cin,1] (He, fan-in 9), `${name}.bn.*` (cin), `${name}.kernel` [1,1,cin,classes·r²] (ICNR) and `${name}.bias` (zeros). */
export function createSubPixelClassifier(store: ParamStore, name: string, cin: number, classes: number, r: number): SubPixelClassifier {
  checkArgs(cin, classes, r, 'pixelshuffle');
  return {
    kind: 'subpixel',
    cin,
    classes,
    r,
    depthwise: heNormal(store, `${name}.dw.kernel`, [3, 3, cin, 1], 9),
    bn: createBatchNorm(store, `${name}.bn`, cin),
    kernel: icnrKernel(store, `${name}.kernel`, cin, classes, r),
    bias: constant(store, `${name}.bias`, [classes * r * r], 0),
  };
}

/** Features NHWC `[B, h, w, cin]` → logits `[B, h·r, w·r, classes]`. */
export function subPixelClassify(m: SubPixelClassifier, x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  if (x.shape[3] !== m.cin) throw new Error(`The sub-pixel classifier expects ${m.cin} input channels, got ${x.shape[3]}.`);
  return tf.tidy(() => {
    const act = tf.relu(batchNorm(m.bn, tf.depthwiseConv2d(x, m.depthwise as tf.Tensor4D, 1, 'same'), mode));
    return pixelShuffle(tf.add(tf.conv2d(act, m.kernel as tf.Tensor4D, 1, 'same'), m.bias), m.r);
  });
}

/** Trainable scalars: 9·cin (depthwise) + 2·cin (BN) + cin·classes·r² (1×1) + classes·r² (bias). */
export function subPixelParams(cin: number, classes: number, r: number): number {
  checkArgs(cin, classes, r, 'pixelshuffle');
  return 11 * cin + (cin + 1) * classes * r * r;
}

/** MACs per image on an h×w input: (9·cin + cin·classes·r²)·h·w (BN, ReLU, bias and the shuffle count 0). */
export function subPixelMacs(cin: number, classes: number, r: number, h: number, w: number): number {
  checkArgs(cin, classes, r, 'pixelshuffle');
  return (9 * cin + cin * classes * r * r) * h * w;
}
