/**
 * Training kernels for the tfjs wasm backend, which ships its convs forward-only, composed from kernels
 * it has and runs fast (XNNPACK conv2d, depthwise conv and matMul; pad, transpose, sum), plus short passes
 * in JS over the wasm heap where its own kernel is a generic per-element loop (filter tap gathers, the
 * phase interleave of strided input gradients, MaxPoolGrad). Also replaces three shipped kernels that
 * training runs often and wasm runs slowly: BatchMatMul with transposed operands, FusedBatchNorm, and
 * Identity (which copied every tensor saved for a gradient). Registered for the wasm backend only.
 * Layouts: NHWC activations, HWIO conv filters, [kh, kw, C, M] depthwise filters.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util, util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';

interface RefCountingBackend {
  incRef(dataId: object): void;
}

/** Wrap a kernel input as an owned Tensor (an Identity: with {@link identityKernel}, a second reference to the same buffer; freed by tidy). */
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

/** What tfjs-backend-wasm offers beyond the KernelBackend interface: tensors as views of its heap. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

function heapBackend(): WasmHeapBackend | null {
  const b = tf.backend() as unknown as Partial<WasmHeapBackend>;
  return typeof b.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function' ? (b as WasmHeapBackend) : null;
}

/** A new float32 tensor of `shape` whose values `fill` writes into the wasm heap (views taken after the allocation: growing the heap detaches older ones). */
function heapTensor<T extends tf.Tensor>(
  backend: WasmHeapBackend,
  shape: number[],
  inputs: tf.Tensor[],
  fill: (out: Float32Array, ...ins: Float32Array[]) => void,
): T {
  const out = backend.makeOutput(shape, 'float32');
  fill(backend.typedArrayFromHeap(out), ...inputs.map((t) => backend.typedArrayFromHeap(t)));
  return tf.engine().makeTensorFromTensorInfo(out) as T;
}

/**
 * The taps `taps` (flat indices row · kw + col) of a [kh, kw, a, b] filter as a [rows, cols, a, b] filter. Each tap
 * is a contiguous block of a·b values, so on wasm this is one block copy per tap in the heap (tfjs-backend-wasm's
 * Reverse and StridedSlice are per-element index loops, ~30 and ~120 ns an element).
 */
function gatherTaps(filter: tf.Tensor4D, taps: number[], rows: number, cols: number): tf.Tensor4D {
  const [kh, kw, a, b] = filter.shape;
  const backend = heapBackend();
  if (!backend || filter.dtype !== 'float32') {
    return tf.reshape(tf.gather(tf.reshape(filter, [kh * kw, a * b]), tf.tensor1d(taps, 'int32')), [rows, cols, a, b]);
  }
  const block = a * b;
  return heapTensor(backend, [rows, cols, a, b], [filter], (dst, src) => {
    taps.forEach((t, i) => dst.set(src.subarray(t * block, (t + 1) * block), i * block));
  });
}

/** A [kh, kw, …] filter flipped along both spatial axes: the kh·kw tap blocks in reverse order. */
function flipSpatial(filter: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw] = filter.shape;
  return gatherTaps(
    filter,
    Array.from({ length: kh * kw }, (_, i) => kh * kw - 1 - i),
    kh,
    kw,
  );
}

/** x[:, i·sh, j·sw, :] for i < oh, j < ow: the pixels a 1×1 strided conv reads (wasm heap; null elsewhere). */
function subsample(x: tf.Tensor4D, sh: number, sw: number, oh: number, ow: number): tf.Tensor4D | null {
  const backend = heapBackend();
  if (!backend || x.dtype !== 'float32') return null;
  const [b, h, w, c] = x.shape;
  return heapTensor<tf.Tensor4D>(backend, [b, oh, ow, c], [x], (dst, src) => {
    let o = 0;
    for (let n = 0; n < b; n++) {
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const at = ((n * h + i * sh) * w + j * sw) * c;
          for (let k = 0; k < c; k++) dst[o++] = src[at + k]!;
        }
      }
    }
  });
}

/** The transpose of {@link subsample}: z [b, oh, ow, c] placed at [:, i·sh, j·sw, :] of zeros [b, h, w, c]. */
function unsubsample(z: tf.Tensor4D, sh: number, sw: number, h: number, w: number): tf.Tensor4D | null {
  const backend = heapBackend();
  if (!backend || z.dtype !== 'float32') return null;
  const [b, oh, ow, c] = z.shape;
  return heapTensor<tf.Tensor4D>(backend, [b, h, w, c], [z], (dst, src) => {
    dst.fill(0);
    let o = 0;
    for (let n = 0; n < b; n++) {
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const at = ((n * h + i * sh) * w + j * sw) * c;
          for (let k = 0; k < c; k++) dst[at + k] = src[o++]!;
        }
      }
    }
  });
}

/**
 * A 1×1 conv with a stride that reads only real pixels (no padding before, no output row or column past the input):
 * its gradients are plain matrix products of the pixels it reads.
 */
function isStridedPointwise(conv: backend_util.Conv2DInfo): boolean {
  const { filterHeight, filterWidth, strideHeight: sh, strideWidth: sw, padInfo, outHeight, outWidth, inHeight, inWidth } = conv;
  const inside = padInfo.top === 0 && padInfo.left === 0 && (outHeight - 1) * sh < inHeight && (outWidth - 1) * sw < inWidth;
  return filterHeight === 1 && filterWidth === 1 && (sh > 1 || sw > 1) && inside;
}

/**
 * `x` ready for a conv that needs rows [−before, H + after) and the same for columns: negative amounts crop
 * (one slice, rare), the rest is returned as the conv's explicit padding, so the common case copies nothing
 * (XNNPACK pads implicitly; tfjs-backend-wasm's Slice copies row by row in JS).
 */
function cropForPads(x: tf.Tensor4D, rows: [number, number], cols: [number, number]): { x: tf.Tensor4D; pad: backend_util.ExplicitPadding } {
  const [b, h, w, c] = x.shape;
  const crop = [Math.max(0, -rows[0]), Math.max(0, -rows[1]), Math.max(0, -cols[0]), Math.max(0, -cols[1])] as const;
  const cropped = crop.some((v) => v > 0) ? tf.slice(x, [0, crop[0], crop[2], 0], [b, h - crop[0] - crop[1], w - crop[2] - crop[3], c]) : x;
  return {
    x: cropped,
    pad: [
      [0, 0],
      [Math.max(0, rows[0]), Math.max(0, rows[1])],
      [Math.max(0, cols[0]), Math.max(0, cols[1])],
      [0, 0],
    ],
  };
}

/**
 * dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s+kh−pt, ow·s+kw−pl, ci] · dy[b,oh,ow,co], computed as one
 * forward conv (XNNPACK's fast path): the input with batch and channels swapped [ci, H, W, b], padded
 * by the conv itself, convolved with dy as the filter [oh, ow, b, co], dilated by the stride. Rows the
 * forward conv never read (a stride that does not divide) give extra output rows, cut from the small result.
 */
export function conv2dBackpropFilterByConv(x: tf.Tensor4D, dy: tf.Tensor4D, conv: backend_util.Conv2DInfo): tf.Tensor4D {
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co, strideHeight: sh, strideWidth: sw, outHeight, outWidth } = conv;
  return tf.tidy(() => {
    // 1×1 with a stride (ResNet's projection shortcuts): Xₛᵀ · dy over the pixels read, not a conv whose output
    // is (s·s)× larger than needed.
    const xs = isStridedPointwise(conv) ? subsample(x, sh, sw, outHeight, outWidth) : null;
    if (xs) {
      const n = xs.shape[0] * outHeight * outWidth;
      return tf.reshape(tf.matMul(tf.reshape(xs, [n, ci]), tf.reshape(dy, [n, co]), true, false), [1, 1, ci, co]) as tf.Tensor4D;
    }
    const xT = tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D; // [ci, H, W, b]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [oh, ow, b, co]
    const out = tf.conv2d(xT, dyT, 1, filterGradPads(conv), 'NHWC', [sh, sw]); // [ci, ≥kh, ≥kw, co]
    return firstTaps(tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D, kh, kw, ci * co);
  });
}

/** The pads of a filter-gradient conv: the forward pads, the bottom / right only as far as the last window reads. */
function filterGradPads(conv: backend_util.Conv2DInfo): backend_util.ExplicitPadding {
  const { filterHeight: kh, filterWidth: kw, outHeight, outWidth, inHeight, inWidth, strideHeight: sh, strideWidth: sw, padInfo } = conv;
  const rows = (outHeight - 1) * sh + kh;
  const cols = (outWidth - 1) * sw + kw;
  return [
    [0, 0],
    [padInfo.top, Math.max(0, rows - inHeight - padInfo.top)],
    [padInfo.left, Math.max(0, cols - inWidth - padInfo.left)],
    [0, 0],
  ];
}

/** The first kh × kw taps of a [≥kh, ≥kw, …] gradient (a contiguous slice of whole tap blocks when cut at all). */
function firstTaps(g: tf.Tensor4D, kh: number, kw: number, block: number): tf.Tensor4D {
  const [r, c, a, b] = g.shape;
  if (r === kh && c === kw) return g;
  return tf.reshape(tf.slice(tf.reshape(g, [r, c, block]), [0, 0, 0], [kh, kw, block]), [kh, kw, a, b]);
}

/**
 * dW[kh,kw,c,m] = Σ_{b,oh,ow} x[b, oh·s+kh−pt, ow·s+kw−pl, c] · dy[b,oh,ow,c·M+m], computed as one forward
 * depthwise conv (XNNPACK): every (image, channel) pair becomes a channel of one image — the input
 * [1, H, W, B·C], padded by the conv, convolved with dy as its depthwise filter [oh, ow, B·C, M], dilated by
 * the stride — then the images are summed out. The same flops as the definition, in one fast kernel instead of k² slices.
 */
export function depthwiseBackpropFilterByConv(x: tf.Tensor4D, dy: tf.Tensor4D, conv: backend_util.Conv2DInfo): tf.Tensor4D {
  const { filterHeight: kh, filterWidth: kw, inChannels: c, outChannels, outHeight, outWidth, inHeight, inWidth, strideHeight: sh, strideWidth: sw } = conv;
  const m = outChannels / c;
  const b = x.shape[0];
  return tf.tidy(() => {
    const xT = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, inHeight, inWidth, b * c]) as tf.Tensor4D; // channel = b·C + c
    const dyT = tf.reshape(tf.transpose(tf.reshape(dy, [b, outHeight, outWidth, c, m]), [1, 2, 0, 3, 4]), [outHeight, outWidth, b * c, m]) as tf.Tensor4D;
    const out = tf.depthwiseConv2d(xT, dyT, 1, filterGradPads(conv), 'NHWC', [sh, sw]); // [1, ≥kh, ≥kw, B·C·M]
    const [, r, q] = out.shape;
    const summed = tf.sum(tf.reshape(out, [r, q, b, c, m]), 2) as tf.Tensor4D;
    return firstTaps(summed, kh, kw, c * m);
  });
}

/**
 * dy as the input of the transposed conv: (s−1) zeros inserted after every pixel (one pad of a 6-D view; the
 * trailing s−1 count against the bottom / right pad), and the pads k−1−pad before, the rest after, returned
 * as the conv's explicit padding (any tfjs pad: 'same', 'valid', a number, explicit pads; a pad above k−1
 * crops instead).
 */
function spreadForTransposedConv(dy: tf.Tensor4D, conv: backend_util.Conv2DInfo): { x: tf.Tensor4D; pad: backend_util.ExplicitPadding } {
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
    d = tf.reshape(spread, [b, outHeight * sh, outWidth * sw, ch]) as tf.Tensor4D;
  }
  const top = kh - 1 - conv.padInfo.top;
  const left = kw - 1 - conv.padInfo.left;
  return cropForPads(d, [top, inHeight + kh - 1 - top - d.shape[1]], [left, inWidth + kw - 1 - left - d.shape[2]]);
}

/**
 * One output phase φ ∈ [0, s) of a strided transposed conv along one axis: the pixels y ≡ φ (mod s) of dx are a
 * stride-1 conv of dy with the filter taps ρ, ρ + s, … (ρ = (φ + pad) mod s), reversed, padded `before` / `after`.
 */
interface AxisPhase {
  taps: number[];
  before: number;
  after: number;
}

/**
 * The s phases of dx along one axis of a conv (kernel k, stride s, leading pad `pad`, input size `size`, output
 * size `outSize`), or null when they do not tile dx evenly (size not a multiple of s, a phase without taps, or a
 * pad that would crop dy): then the zero-spread formulation runs instead.
 * Derivation: y + pad = o·s + t for output o and tap t; with u = φ + pad, ρ = u mod s, δ = ⌊u/s⌋ and
 * y = q·s + φ, the taps are t = ρ + i·s (i < n = ⌈(k − ρ)/s⌉) and o = q + δ − i.
 */
function axisPhases(k: number, s: number, pad: number, size: number, outSize: number): AxisPhase[] | null {
  if (size % s !== 0) return null;
  const len = size / s;
  const phases: AxisPhase[] = [];
  for (let phi = 0; phi < s; phi++) {
    const rho = (phi + pad) % s;
    const delta = Math.floor((phi + pad) / s);
    const n = Math.ceil((k - rho) / s);
    if (n <= 0) return null;
    const before = n - 1 - delta;
    const after = len - outSize - before + n - 1;
    if (before < 0 || after < 0) return null;
    phases.push({ taps: Array.from({ length: n }, (_, m) => rho + (n - 1 - m) * s), before, after });
  }
  return phases;
}

/**
 * dx of a strided conv as s_h·s_w stride-1 convs of dy, one per output phase, each with the filter taps that reach
 * it — the same flops as the forward conv, where convolving the zero-spread dy does s_h·s_w times as many — then
 * interleaved in one pass on the heap. Null when the phases do not tile dx evenly.
 */
function backpropInputByPhases(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  conv: backend_util.Conv2DInfo,
  run: (dy: tf.Tensor4D, taps: tf.Tensor4D, pad: backend_util.ExplicitPadding) => tf.Tensor4D,
): tf.Tensor4D | null {
  const { filterHeight: kh, filterWidth: kw, inHeight, inWidth, outHeight, outWidth, strideHeight: sh, strideWidth: sw } = conv;
  if ((sh === 1 && sw === 1) || !heapBackend()) return null;
  const rows = axisPhases(kh, sh, conv.padInfo.top, inHeight, outHeight);
  const cols = axisPhases(kw, sw, conv.padInfo.left, inWidth, outWidth);
  if (!rows || !cols) return null;
  const outs: tf.Tensor4D[] = [];
  for (const r of rows) {
    for (const c of cols) {
      const taps = gatherTaps(
        filter,
        r.taps.flatMap((tr) => c.taps.map((tc) => tr * kw + tc)),
        r.taps.length,
        c.taps.length,
      );
      outs.push(
        run(dy, taps, [
          [0, 0],
          [r.before, r.after],
          [c.before, c.after],
          [0, 0],
        ]),
      );
    }
  }
  return interleavePhases(outs, sh, sw);
}

/**
 * dx[b, q·sh + φr, p·sw + φc, :] = outs[φr·sw + φc][b, q, p, :], written in one pass on the wasm heap (the same
 * interleave as a 6-D transpose, which tfjs-backend-wasm runs as a generic index loop: 36 ms for ResNet-18's
 * first stride-2 layer, against ~1 ms here).
 */
function interleavePhases(outs: tf.Tensor4D[], sh: number, sw: number): tf.Tensor4D {
  const backend = heapBackend()!;
  const [b, lr, lc, c] = outs[0]!.shape;
  const h = lr * sh;
  const w = lc * sw;
  return heapTensor<tf.Tensor4D>(backend, [b, h, w, c], outs, (dst, ...srcs) => {
    srcs.forEach((src, phase) => {
      const pr = Math.floor(phase / sw);
      const pc = phase % sw;
      let o = 0;
      for (let n = 0; n < b; n++) {
        for (let q = 0; q < lr; q++) {
          for (let p = 0; p < lc; p++) {
            const at = ((n * h + q * sh + pr) * w + p * sw + pc) * c;
            for (let k = 0; k < c; k++) dst[at + k] = src[o++]!;
          }
        }
      }
    });
  });
}

/**
 * dx of a conv: a stride-1 forward conv of the padded dy with the flipped, in/out-swapped filter; strided convs
 * by output phases (or by the zero-spread dy where the phases do not tile), 1×1 strided convs as dy · Wᵀ placed
 * at the pixels the conv read.
 */
export function conv2dBackpropInputByConv(dy: tf.Tensor4D, filter: tf.Tensor4D, conv: backend_util.Conv2DInfo): tf.Tensor4D {
  const { inChannels: ci, outChannels: co, inHeight, inWidth, strideHeight: sh, strideWidth: sw } = conv;
  return tf.tidy(() => {
    if (isStridedPointwise(conv) && heapBackend()) {
      const [b, oh, ow] = dy.shape;
      const z = tf.reshape(tf.matMul(tf.reshape(dy, [b * oh * ow, co]), tf.reshape(filter, [ci, co]), false, true), [b, oh, ow, ci]) as tf.Tensor4D;
      const dx = unsubsample(z, sh, sw, inHeight, inWidth);
      if (dx) return dx;
    }
    const swapped = tf.transpose(filter, [0, 1, 3, 2]) as tf.Tensor4D; // [kh, kw, co, ci]
    const phased = backpropInputByPhases(dy, swapped, conv, (d, taps, pad) => tf.conv2d(d, taps, 1, pad));
    if (phased) return phased;
    const { x, pad } = spreadForTransposedConv(dy, conv);
    return tf.conv2d(x, flipSpatial(swapped), 1, pad);
  });
}

/** dx of a depthwise conv: the same construction with a depthwise conv (channel multiplier M summed out). */
export function depthwiseBackpropInputByConv(dy: tf.Tensor4D, filter: tf.Tensor4D, conv: backend_util.Conv2DInfo): tf.Tensor4D {
  const { filterHeight: kh, filterWidth: kw, inChannels: c, outChannels, inHeight, inWidth } = conv;
  const m = outChannels / c;
  return tf.tidy(() => {
    if (m === 1) {
      const phased = backpropInputByPhases(dy, filter, conv, (d, taps, pad) => tf.depthwiseConv2d(d, taps, 1, pad));
      if (phased) return phased;
    }
    const { x, pad } = spreadForTransposedConv(dy, conv);
    const flipped = flipSpatial(filter);
    if (m === 1) return tf.depthwiseConv2d(x, flipped, 1, pad);
    const perOutput = tf.depthwiseConv2d(x, tf.reshape(flipped, [kh, kw, outChannels, 1]) as tf.Tensor4D, 1, pad);
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

/**
 * MaxPoolGrad as one pass over the pooling windows in JS, reading and writing the wasm heap (the shipped kernel
 * re-scans every window for every input pixel: 7 % of a VGG-16 step). Each window's gradient goes to its first
 * maximum in row-major window order — a strictly greater value takes over, so ties go to the top-left-most,
 * as tfjs's cpu kernel decides (a window of only NaN or −∞ passes nothing on) — and overlapping windows add up.
 * (The shipped kernel also passes no gradient from a window whose maximum is negative: on [[−0.67, −0.46],
 * [−0.82, −0.005]] cpu sends dy to −0.005, wasm sends it nowhere. After a ReLU no maximum is negative.)
 */
/** The 2×2 stride-2 unpadded case (VGG's pools) of {@link maxPoolGradKernel}: four loads per window and channel. */
function maxPool2x2Grad(x: Float32Array, g: Float32Array, dx: Float32Array, batch: number, h: number, w: number, c: number, oh: number, ow: number): void {
  const row = w * c;
  let gi = 0;
  for (let b = 0; b < batch; b++) {
    for (let yr = 0; yr < oh; yr++) {
      for (let yc = 0; yc < ow; yc++) {
        const p = ((b * h + 2 * yr) * w + 2 * yc) * c;
        for (let d = 0; d < c; d++, gi++) {
          const i0 = p + d;
          let best = -Infinity;
          let at = -1;
          let v = x[i0]!;
          if (v > best) {
            best = v;
            at = i0;
          }
          v = x[i0 + c]!;
          if (v > best) {
            best = v;
            at = i0 + c;
          }
          v = x[i0 + row]!;
          if (v > best) {
            best = v;
            at = i0 + row;
          }
          v = x[i0 + row + c]!;
          if (v > best) at = i0 + row + c;
          if (at >= 0) dx[at] = g[gi]!;
        }
      }
    }
  }
}

const maxPoolGradKernel: KernelFunc = ({ inputs, attrs, backend }) => {
  const { dy, input } = inputs as unknown as { dy: TensorInfo; input: TensorInfo };
  const a = attrs as unknown as {
    filterSize: number | [number, number];
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = backend_util.computePool2DInfo(input.shape as Shape4, a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const heap = backend as unknown as WasmHeapBackend;
  const out = heap.makeOutput(input.shape, 'float32');
  const x = heap.typedArrayFromHeap(input);
  const g = heap.typedArrayFromHeap(dy);
  const dx = heap.typedArrayFromHeap(out);
  dx.fill(0);
  const { batchSize, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  if (fh === 2 && fw === 2 && sh === 2 && sw === 2 && info.padInfo.top === 0 && info.padInfo.left === 0 && 2 * oh <= h && 2 * ow <= w) {
    maxPool2x2Grad(x, g, dx, batchSize, h, w, c, oh, ow);
    return out;
  }
  let gi = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let yr = 0; yr < oh; yr++) {
      const r0 = Math.max(0, yr * sh - info.padInfo.top);
      const r1 = Math.min(h, yr * sh - info.padInfo.top + fh);
      for (let yc = 0; yc < ow; yc++, gi += c) {
        const c0 = Math.max(0, yc * sw - info.padInfo.left);
        const c1 = Math.min(w, yc * sw - info.padInfo.left + fw);
        for (let d = 0; d < c; d++) {
          let best = -Infinity;
          let at = -1;
          for (let r = r0; r < r1; r++) {
            for (let i = ((b * h + r) * w + c0) * c + d, end = i + (c1 - c0) * c; i < end; i += c) {
              const v = x[i]!;
              if (v > best) {
                best = v;
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] = dx[at]! + g[gi + d]!;
        }
      }
    }
  }
  return out;
};

/**
 * BatchMatMul whose operands are single matrices (batch 1) and transposed: the operands are transposed by the wasm
 * Transpose kernel first and the product runs untransposed, the only case tfjs-backend-wasm hands to XNNPACK — its
 * transposed and batched products take a plain loop, 3–40× slower at the Detect lab's dense-gradient shapes
 * ([256, 256]ᵀ × [256, 64]: 4.5 vs 0.6 ms; [1024, 64]ᵀ × [1024, 256]: 43 vs 1.1 ms). Batched products (attention)
 * and untransposed ones go to the shipped kernel.
 */
function batchMatMulKernel(shipped: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { a, b } = args.inputs as unknown as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const single = (t: TensorInfo) => t.shape.slice(0, -2).every((d) => d === 1);
    if ((!transposeA && !transposeB) || !single(a) || !single(b)) return shipped.kernelFunc(args);
    const swapLast = (t: tf.Tensor) =>
      tf.transpose(
        t,
        [...t.shape.keys()].map((i, _, all) => (i < all.length - 2 ? i : 2 * all.length - 3 - i)),
      );
    return asOutput(args.backend as unknown as RefCountingBackend, () => {
      const aa = transposeA ? swapLast(view(a)) : view(a);
      const bb = transposeB ? swapLast(view(b)) : view(b);
      return tf.matMul(aa, bb);
    });
  };
  return { ...shipped, kernelFunc };
}

/**
 * FusedBatchNorm (tf.batchNorm: y = (x − μ)·γ/√(σ² + ε) + β) as broadcast Sub, Mul and Add, which the wasm
 * backend runs about twice as fast as its FusedBatchNorm kernel (a generic index loop: 2.1 vs 1.0–1.7 ms on
 * [32, 32, 32, 16]); the per-channel factor γ/√(σ² + ε) is computed once on the small parameter tensors.
 * Below {@link BATCH_NORM_BROADCAST_MIN} elements the four extra kernel calls cost more than they save (a batch-1
 * inference of the Segment teacher took 12.0 instead of 8.4 ms), so small inputs go to the shipped kernel.
 */
/**
 * Where the broadcast batch norm starts to pay: per call, shipped vs broadcast (ms, wasm in Node, one thread):
 * 2,048 elements 0.027 vs 0.147, 32,768 0.137 vs 0.176, 65,536 0.262 vs 0.196, 524,288 2.18 vs 1.86.
 */
export const BATCH_NORM_BROADCAST_MIN = 65_536;

function fusedBatchNormKernel(shipped: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x, mean, variance, offset, scale } = args.inputs as unknown as Record<'x' | 'mean' | 'variance', TensorInfo> &
      Partial<Record<'offset' | 'scale', TensorInfo>>;
    if (util.sizeFromShape(x.shape) < BATCH_NORM_BROADCAST_MIN) return shipped.kernelFunc(args);
    const eps = (args.attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
    return asOutput(args.backend as unknown as RefCountingBackend, () => {
      let k = tf.rsqrt(tf.add(view(variance), eps));
      if (scale) k = tf.mul(k, view(scale));
      const y = tf.mul(tf.sub(view(x), view(mean)), k);
      return offset ? tf.add(y, view(offset)) : y;
    });
  };
  return { ...shipped, kernelFunc };
}

/**
 * Identity sharing its input's buffer (a reference more, as the wasm Reshape kernel and the cpu and webgl Identity
 * kernels do; tensors are immutable). The shipped wasm kernel copies the data, and tfjs-core runs Identity for every
 * tensor it saves for a gradient (engine.clone) and this file for every conv-gradient input ({@link view}).
 */
function identityKernel(shipped: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as unknown as { x: TensorInfo };
    if (x.dtype === 'string') return shipped.kernelFunc(args);
    (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return { ...shipped, kernelFunc };
}

/**
 * Kernels wasm lacks, plus Conv2DBackpropInput, whose shipped wasm version (a plain loop) is ~8× slower than this,
 * and MaxPoolGrad (see above). BatchMatMul, FusedBatchNorm and Identity wrap the shipped kernels (their setup
 * included) and are added by {@link registerWasmTrainingKernels}.
 */
export const WASM_TRAINING_KERNELS: KernelConfig[] = [
  convGradKernel('Conv2DBackpropFilter', ['x', 'dy'], false, conv2dBackpropFilterByConv),
  convGradKernel('Conv2DBackpropInput', ['dy', 'filter'], false, conv2dBackpropInputByConv),
  convGradKernel('DepthwiseConv2dNativeBackpropFilter', ['x', 'dy'], true, depthwiseBackpropFilterByConv),
  convGradKernel('DepthwiseConv2dNativeBackpropInput', ['dy', 'filter'], true, depthwiseBackpropInputByConv),
  { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGradKernel },
];

let registered = false;

/** Register the training kernels for the wasm backend, replacing any shipped version (idempotent; before the backend starts, so the wrapped kernels' setup runs). */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  const shippedMatMul = tf.getKernel('BatchMatMul', 'wasm');
  const shippedIdentity = tf.getKernel('Identity', 'wasm');
  const shippedBatchNorm = tf.getKernel('FusedBatchNorm', 'wasm');
  const wrapped = [
    ...(shippedMatMul ? [batchMatMulKernel(shippedMatMul)] : []),
    ...(shippedIdentity ? [identityKernel(shippedIdentity)] : []),
    ...(shippedBatchNorm ? [fusedBatchNormKernel(shippedBatchNorm)] : []),
  ];
  for (const k of [...WASM_TRAINING_KERNELS, ...wrapped]) {
    if (tf.getKernel(k.kernelName, k.backendName)) tf.unregisterKernel(k.kernelName, k.backendName);
    tf.registerKernel(k);
  }
  registered = true;
}
