/**
 * Training kernels for the tfjs wasm backend, which ships its convs forward-only, composed from kernels
 * it has and runs fast (XNNPACK): pad, slice, transpose, reverse, multiply, sum, conv2d, depthwise conv.
 * Layouts: NHWC activations, HWIO conv filters, [kh, kw, C, M] depthwise filters.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

/** Wrap a kernel input as an owned Tensor (an Identity view: refcounted, freed by tidy). */
function view(info: TensorInfo): tf.Tensor {
  return tf.engine().runKernel('Identity', { x: info as tf.Tensor }, {}) as tf.Tensor;
}

/** Run `f` in a tidy scope and hand its result out as a kernel output that survives the scope. */
function asOutput(backend: RefCountingBackend, f: () => tf.Tensor): TensorInfo {
  const out = tf.tidy(f);
  backend.incRef(out.dataId);
  const info = { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
  out.dispose();
  return info;
}

function assertNhwc(dataFormat: unknown, kernel: string): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernel} on wasm supports NHWC only, got ${String(dataFormat)}`);
  }
}

function assertNoDilation(dilations: unknown, kernel: string): void {
  const d = dilations === undefined ? [1, 1] : typeof dilations === 'number' ? [dilations, dilations] : (dilations as number[]);
  if (d.some((v) => v !== 1)) throw new Error(`${kernel} on wasm supports dilation 1 only, got ${d.join(',')}`);
}

function padInput(x: tf.Tensor4D, conv: backend_util.Conv2DInfo): tf.Tensor4D {
  const { top, bottom, left, right } = conv.padInfo;
  if (top === 0 && bottom === 0 && left === 0 && right === 0) return x;
  return tf.pad(x, [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ]);
}

/**
 * dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s+kh−pt, ow·s+kw−pl, ci] · dy[b,oh,ow,co], computed as one
 * forward conv (XNNPACK's fast path): the padded input with batch and channels swapped
 * [ci, H, W, b] convolved with dy as the filter [oh, ow, b, co], dilated by the stride.
 */
export function conv2dBackpropFilterByConv(x: tf.Tensor4D, dy: tf.Tensor4D, conv: backend_util.Conv2DInfo): tf.Tensor4D {
  const { filterHeight: kh, filterWidth: kw, outHeight, outWidth, strideHeight: sh, strideWidth: sw } = conv;
  return tf.tidy(() => {
    const xp = padInput(x, conv);
    const rows = (outHeight - 1) * sh + kh;
    const cols = (outWidth - 1) * sw + kw;
    const used = xp.shape[1] === rows && xp.shape[2] === cols ? xp : tf.slice(xp, [0, 0, 0, 0], [-1, rows, cols, -1]);
    const xT = tf.transpose(used, [3, 1, 2, 0]) as tf.Tensor4D; // [ci, rows, cols, b]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [oh, ow, b, co]
    const out = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', [sh, sw]); // [ci, kh, kw, co]
    return tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * dW[kh,kw,c,m] = Σ_{b,oh,ow} x[b, oh·s+kh−pt, ow·s+kw−pl, c] · dy[b,oh,ow,c·M+m], computed as one forward
 * depthwise conv (XNNPACK): every (image, channel) pair becomes a channel of one image — the padded input
 * [1, rows, cols, B·C] convolved with dy as its depthwise filter [oh, ow, B·C, M], dilated by the stride —
 * then the images are summed out. The same flops as the definition, in one fast kernel instead of k² slices.
 */
export function depthwiseBackpropFilterByConv(x: tf.Tensor4D, dy: tf.Tensor4D, conv: backend_util.Conv2DInfo): tf.Tensor4D {
  const { filterHeight: kh, filterWidth: kw, inChannels: c, outChannels, outHeight, outWidth, strideHeight: sh, strideWidth: sw } = conv;
  const m = outChannels / c;
  const b = x.shape[0];
  return tf.tidy(() => {
    const xp = padInput(x, conv);
    const rows = (outHeight - 1) * sh + kh;
    const cols = (outWidth - 1) * sw + kw;
    const used = xp.shape[1] === rows && xp.shape[2] === cols ? xp : tf.slice(xp, [0, 0, 0, 0], [-1, rows, cols, -1]);
    const xT = tf.reshape(tf.transpose(used, [1, 2, 0, 3]), [1, rows, cols, b * c]) as tf.Tensor4D; // channel = b·C + c
    const dyT = tf.reshape(tf.transpose(tf.reshape(dy, [b, outHeight, outWidth, c, m]), [1, 2, 0, 3, 4]), [outHeight, outWidth, b * c, m]) as tf.Tensor4D;
    const out = tf.depthwiseConv2d(xT, dyT, 1, 'valid', 'NHWC', [sh, sw]); // [1, kh, kw, B·C·M]
    return tf.sum(tf.reshape(out, [kh, kw, b, c, m]), 2) as tf.Tensor4D;
  });
}

/**
 * dy with (s−1) zeros inserted between pixels and padded by (k−1−pad) before, the rest after (any pad: tfjs 'same',
 * 'valid', a number or explicit pads; a pad above k−1 crops instead): the input of a transposed conv.
 */
function spreadAndPad(dy: tf.Tensor4D, conv: backend_util.Conv2DInfo): tf.Tensor4D {
  const { filterHeight: kh, filterWidth: kw, outHeight, outWidth, inHeight, inWidth, strideHeight: sh, strideWidth: sw } = conv;
  const [b, , , ch] = dy.shape;
  let d = dy;
  if (sh > 1 || sw > 1) {
    const spread = tf.pad(tf.reshape(dy, [b, outHeight, 1, outWidth, 1, ch]), [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ]);
    const dense = tf.reshape(spread, [b, outHeight * sh, outWidth * sw, ch]) as tf.Tensor4D;
    d = tf.slice(dense, [0, 0, 0, 0], [b, (outHeight - 1) * sh + 1, (outWidth - 1) * sw + 1, ch]);
  }
  const top = kh - 1 - conv.padInfo.top;
  const left = kw - 1 - conv.padInfo.left;
  return padOrCrop(d, [top, inHeight + kh - 1 - top - d.shape[1]], [left, inWidth + kw - 1 - left - d.shape[2]]);
}

/** Zero-pad rows / columns by [before, after]; a negative amount crops that many instead. */
function padOrCrop(x: tf.Tensor4D, rows: [number, number], cols: [number, number]): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const crop = [Math.max(0, -rows[0]), Math.max(0, -rows[1]), Math.max(0, -cols[0]), Math.max(0, -cols[1])] as const;
  const cropped = crop.some((v) => v > 0) ? tf.slice(x, [0, crop[0], crop[2], 0], [b, h - crop[0] - crop[1], w - crop[2] - crop[3], c]) : x;
  const pads = [Math.max(0, rows[0]), Math.max(0, rows[1]), Math.max(0, cols[0]), Math.max(0, cols[1])] as const;
  if (pads.every((v) => v === 0)) return cropped;
  return tf.pad(cropped, [
    [0, 0],
    [pads[0], pads[1]],
    [pads[2], pads[3]],
    [0, 0],
  ]);
}

/** dx of a conv: a stride-1 'valid' forward conv of the spread, padded dy with the flipped, in/out-swapped filter. */
export function conv2dBackpropInputByConv(dy: tf.Tensor4D, filter: tf.Tensor4D, conv: backend_util.Conv2DInfo): tf.Tensor4D {
  return tf.tidy(() => {
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, co, ci]
    return tf.conv2d(spreadAndPad(dy, conv), flipped, 1, 'valid');
  });
}

/** dx of a depthwise conv: the same construction with a depthwise conv (channel multiplier M summed out). */
export function depthwiseBackpropInputByConv(dy: tf.Tensor4D, filter: tf.Tensor4D, conv: backend_util.Conv2DInfo): tf.Tensor4D {
  const { filterHeight: kh, filterWidth: kw, inChannels: c, outChannels, inHeight, inWidth } = conv;
  const m = outChannels / c;
  return tf.tidy(() => {
    const padded = spreadAndPad(dy, conv);
    const flipped = tf.reverse(filter, [0, 1]) as tf.Tensor4D;
    if (m === 1) return tf.depthwiseConv2d(padded, flipped, 1, 'valid');
    const perOutput = tf.depthwiseConv2d(padded, tf.reshape(flipped, [kh, kw, outChannels, 1]) as tf.Tensor4D, 1, 'valid');
    return tf.sum(tf.reshape(perOutput, [dy.shape[0], inHeight, inWidth, c, m]), 4) as tf.Tensor4D;
  });
}

type Attrs = Record<string, unknown>;
type Shape4 = [number, number, number, number];
type Compute = (a: tf.Tensor4D, b: tf.Tensor4D, conv: backend_util.Conv2DInfo) => tf.Tensor4D;

/**
 * A kernel over two 4-D inputs (in the order the gradient passes them) that derives the conv
 * geometry from the input shape (attr `inputShape` or the `x` input) and the filter shape (attr
 * `filterShape` or the `filter` input), checks layout and dilation, and runs `compute`. Every tfjs
 * padding is accepted ('same', 'valid', a number, explicit NHWC pads such as ResNet-18's symmetric
 * [[0,0],[1,1],[1,1],[0,0]]): the compute functions read only `padInfo`.
 */
function convGradKernel(name: string, inputNames: [string, string], depthwise: boolean, compute: Compute): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, attrs, backend }) => {
    const a = attrs as Attrs;
    assertNhwc(a.dataFormat, name);
    assertNoDilation(a.dilations, name);
    const named = inputs as Record<string, TensorInfo>;
    const [first, second] = inputNames.map((n) => named[n]!) as [TensorInfo, TensorInfo];
    const inShape = (a.inputShape ?? named.x!.shape) as Shape4;
    const filterShape = (a.filterShape ?? named.filter!.shape) as Shape4;
    const conv = backend_util.computeConv2DInfo(
      inShape,
      filterShape,
      a.strides as [number, number],
      1,
      a.pad as 'same' | 'valid' | number | backend_util.ExplicitPadding,
      a.dimRoundingMode as 'floor' | undefined,
      depthwise,
    );
    return asOutput(backend as unknown as RefCountingBackend, () => compute(view(first) as tf.Tensor4D, view(second) as tf.Tensor4D, conv));
  };
  return { kernelName: name, backendName: 'wasm', kernelFunc };
}

/** Kernels wasm lacks, plus Conv2DBackpropInput, whose shipped wasm version (a plain loop) is ~8× slower than this. */
export const WASM_TRAINING_KERNELS: KernelConfig[] = [
  convGradKernel('Conv2DBackpropFilter', ['x', 'dy'], false, conv2dBackpropFilterByConv),
  convGradKernel('Conv2DBackpropInput', ['dy', 'filter'], false, conv2dBackpropInputByConv),
  convGradKernel('DepthwiseConv2dNativeBackpropFilter', ['x', 'dy'], true, depthwiseBackpropFilterByConv),
  convGradKernel('DepthwiseConv2dNativeBackpropInput', ['dy', 'filter'], true, depthwiseBackpropInputByConv),
];

let registered = false;

/** Register the training kernels for the wasm backend, replacing any shipped version (idempotent). */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const k of WASM_TRAINING_KERNELS) {
    if (tf.getKernel(k.kernelName, k.backendName)) tf.unregisterKernel(k.kernelName, k.backendName);
    tf.registerKernel(k);
  }
  registered = true;
}
