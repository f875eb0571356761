/**
 * The engine's layers written as ONNX nodes, with the engine's exact conventions (the tfjs forward is the
 * reference): activations NCHW in ONNX where the engine runs NHWC, every spatial size known statically.
 *
 * - Convolution: tfjs 'same' padding is `total = max((⌈n/s⌉ − 1)·s + k − n, 0)`, `before = ⌊total/2⌋`, the extra pixel
 *   after (bottom/right), e.g. [0, 1] for a 3×3 stride-2 conv on an even size. Written as explicit `pads`
 *   [top, left, bottom, right], never `auto_pad`. A conv with explicit symmetric padding p (the engine's `Conv2d.pad`,
 *   ResNet-18's stride-2 3×3 convs under `stridePad` 'symmetric') writes pads [p, p, p, p].
 *   Kernels HWIO `[kh, kw, in, out]` → OIHW `[out, in, kh, kw]`.
 * - Depthwise conv: tfjs kernel `[kh, kw, C, m]` (output channel c·m + j) → Conv with `group = C` and weights
 *   `[C·m, 1, kh, kw]`.
 * - BatchNorm: inference form with the running statistics and the engine's ε (`BN_EPSILON`).
 * - Bilinear resize: every resize the engine does is `tf.image.resizeBilinear(x, size, alignCorners = true)`
 *   (`seg/blocks.ts` resize, `upscale.ts` bilinear ×r) → Resize `mode = linear`,
 *   `coordinate_transformation_mode = align_corners`, written with `scales` [1, 1, h'/h, w'/w] (exact ratios,
 *   checked) so the batch stays symbolic.
 * - PixelShuffle (`techniques/pixelShuffle.ts`): out[h·r+i, w·r+j, c] = in[h, w, (i·r + j)·C + c] — the
 *   depth-column-row order, i.e. DepthToSpace `mode = DCR`.
 * - Dense: Gemm with the `[in, out]` kernel as B (transB = 0) and the bias as C.
 */
import { BN_EPSILON } from '../models/layers';
import type { ParamStore } from '../models/params';
import type { OnnxGraph } from './onnxGraph';

/** A parameter read back from a ParamStore: its tfjs shape and float32 values (row-major). */
export interface WeightTensor {
  shape: readonly number[];
  values: Float32Array;
}

/** Every trainable variable and BN running statistic of a store, by its dotted name. */
export type WeightMap = ReadonlyMap<string, WeightTensor>;

/** Read every variable of a store (async `data()`, so it works on the GPU backends too). */
export async function readWeights(store: ParamStore): Promise<WeightMap> {
  const out = new Map<string, WeightTensor>();
  for (const [name, v] of [...store.trainable, ...store.state]) {
    out.set(name, { shape: [...v.shape], values: Float32Array.from(await v.data<'float32'>()) });
  }
  return out;
}

/** A graph value: its name and static NCHW size (the batch is the symbolic `N`). */
export interface Value {
  name: string;
  c: number;
  h: number;
  w: number;
}

/** The graph under construction and the weights its initializers come from. */
export interface Ctx {
  g: OnnxGraph;
  weights: WeightMap;
}

/** A weight by name; throws one sentence naming it when the model lacks it. */
export function weight(ctx: Ctx, name: string): WeightTensor {
  const w = ctx.weights.get(name);
  if (!w) throw new Error(`The model has no parameter '${name}' to export.`);
  return w;
}

/** Whether the model has a parameter (e.g. an optional projection shortcut). */
export const hasWeight = (ctx: Ctx, name: string): boolean => ctx.weights.has(name);

/** tfjs 'same' padding along one axis: [before, after] with the odd pixel after. */
export function samePads(n: number, k: number, stride: number): [number, number] {
  const out = Math.ceil(n / stride);
  const total = Math.max((out - 1) * stride + k - n, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** HWIO `[kh, kw, in, out]` values → OIHW `[out, in, kh, kw]`. */
export function hwioToOihw(w: WeightTensor): { dims: number[]; values: Float32Array } {
  const [kh, kw, ci, co] = w.shape as [number, number, number, number];
  const out = new Float32Array(w.values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = w.values[((y * kw + x) * ci + i) * co + o]!;
  return { dims: [co, ci, kh, kw], values: out };
}

/** Depthwise `[kh, kw, C, m]` → grouped-conv weights `[C·m, 1, kh, kw]` (output channel c·m + j, as tfjs orders them). */
export function depthwiseToOihw(w: WeightTensor): { dims: number[]; values: Float32Array } {
  const [kh, kw, c, m] = w.shape as [number, number, number, number];
  const out = new Float32Array(w.values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let ch = 0; ch < c; ch++) for (let j = 0; j < m; j++) out[((ch * m + j) * kh + y) * kw + x] = w.values[((y * kw + x) * c + ch) * m + j]!;
  return { dims: [c * m, 1, kh, kw], values: out };
}

export interface ConvOptions {
  stride?: number;
  /** Name of a bias vector `[out]` (the 1×1 classifiers and SE convs). */
  bias?: string;
  /** A tfjs depthwise kernel `[kh, kw, C, m]`. */
  depthwise?: boolean;
  /** Explicit zero padding on every side (PyTorch `padding=p`); absent: tfjs 'same'. */
  pad?: number;
}

/** tfjs `conv2d` / `depthwiseConv2d` with 'same' padding (equal to 'valid' for 1×1) or `opts.pad` on every side → Conv with explicit pads. */
export function conv(ctx: Ctx, x: Value, kernel: string, opts: ConvOptions = {}): Value {
  const stride = opts.stride ?? 1;
  const w = weight(ctx, kernel);
  const [kh, kw, cin] = w.shape as [number, number, number, number];
  if (cin !== x.c) throw new Error(`Export: ${kernel} reads ${cin} channels but its input has ${x.c}.`);
  const oihw = opts.depthwise ? depthwiseToOihw(w) : hwioToOihw(w);
  const p = opts.pad;
  const [top, bottom] = p === undefined ? samePads(x.h, kh, stride) : [p, p];
  const [left, right] = p === undefined ? samePads(x.w, kw, stride) : [p, p];
  const inputs = [x.name, ctx.g.addFloat(kernel, oihw.dims, oihw.values)];
  if (opts.bias) inputs.push(ctx.g.addFloat(opts.bias, [oihw.dims[0]!], weight(ctx, opts.bias).values));
  const name = ctx.g.add(
    'Conv',
    inputs,
    {
      kernel_shape: { ints: [kh, kw] },
      strides: { ints: [stride, stride] },
      pads: { ints: [top, left, bottom, right] },
      dilations: { ints: [1, 1] },
      group: { i: opts.depthwise ? cin : 1 },
    },
    kernel.replace(/\.kernel$/, ''),
  );
  // 'same': ⌈n/s⌉; explicit: ⌊(n + 2p − k)/s⌋ + 1 (also ⌈n/2⌉ for ResNet's 3×3 stride 2, pad 1)
  const out = (n: number, k: number) => (p === undefined ? Math.ceil(n / stride) : Math.floor((n + 2 * p - k) / stride) + 1);
  return { name, c: oihw.dims[0]!, h: out(x.h, kh), w: out(x.w, kw) };
}

/** Inference BN from `${prefix}.gamma|beta|runningMean|runningVar`, ε = BN_EPSILON. */
export function batchNorm(ctx: Ctx, x: Value, prefix: string): Value {
  const p = (v: string) => ctx.g.addFloat(`${prefix}.${v}`, [x.c], weight(ctx, `${prefix}.${v}`).values);
  const name = ctx.g.add('BatchNormalization', [x.name, p('gamma'), p('beta'), p('runningMean'), p('runningVar')], { epsilon: { f: BN_EPSILON } }, prefix);
  return { ...x, name };
}

/** An elementwise unary op (Relu, Sigmoid) keeping the shape. */
export function unary(ctx: Ctx, op: 'Relu' | 'Sigmoid', x: Value): Value {
  return { ...x, name: ctx.g.add(op, [x.name]) };
}

/** Swish x·sigmoid(x) (no Swish op in the default domain). */
export function swish(ctx: Ctx, x: Value): Value {
  return { ...x, name: ctx.g.add('Mul', [x.name, ctx.g.add('Sigmoid', [x.name])], {}, 'swish') };
}

/** Elementwise Add / Mul (the second may broadcast, e.g. an SE gate `[N, C, 1, 1]`); the result has `a`'s shape. */
export function binary(ctx: Ctx, op: 'Add' | 'Mul', a: Value, b: Value): Value {
  return { ...a, name: ctx.g.add(op, [a.name, b.name]) };
}

/** Sum of several same-shape values (tf.addN). */
export function sum(ctx: Ctx, xs: readonly Value[]): Value {
  if (xs.length === 1) return xs[0]!;
  return {
    ...xs[0]!,
    name: ctx.g.add(
      'Sum',
      xs.map((x) => x.name),
    ),
  };
}

/** Channel concat (NHWC axis 3 = NCHW axis 1). */
export function concat(ctx: Ctx, xs: readonly Value[]): Value {
  return {
    ...xs[0]!,
    c: xs.reduce((n, x) => n + x.c, 0),
    name: ctx.g.add(
      'Concat',
      xs.map((x) => x.name),
      { axis: { i: 1 } },
    ),
  };
}

/** `tf.image.resizeBilinear(x, [h, w], alignCorners = true)` → Resize linear / align_corners with exact scales. */
export function resizeBilinear(ctx: Ctx, x: Value, h: number, w: number): Value {
  if (x.h === h && x.w === w) return x;
  const [sh, sw] = [h / x.h, w / x.w];
  if (Math.floor(x.h * sh) !== h || Math.floor(x.w * sw) !== w) throw new Error(`Export: cannot write a resize ${x.h}×${x.w} → ${h}×${w} with exact scales.`);
  const scales = ctx.g.addFloat('resize.scales', [4], Float32Array.from([1, 1, sh, sw]));
  const name = ctx.g.add('Resize', [x.name, '', scales], { mode: { s: 'linear' }, coordinate_transformation_mode: { s: 'align_corners' } }, 'resize');
  return { ...x, name, h, w };
}

/** PixelShuffle ×r (the engine's (i·r + j)·C + c channel order) → DepthToSpace DCR. */
export function pixelShuffle(ctx: Ctx, x: Value, r: number): Value {
  if (x.c % (r * r) !== 0) throw new Error(`Export: PixelShuffle ×${r} needs channels divisible by ${r * r}, got ${x.c}.`);
  const name = ctx.g.add('DepthToSpace', [x.name], { blocksize: { i: r }, mode: { s: 'DCR' } }, 'pixelshuffle');
  return { name, c: x.c / (r * r), h: x.h * r, w: x.w * r };
}

/** `tf.maxPool(x, 2, 2, 'valid')` → MaxPool 2×2 stride 2, zero pads. */
export function maxPool2(ctx: Ctx, x: Value): Value {
  const name = ctx.g.add('MaxPool', [x.name], { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] }, pads: { ints: [0, 0, 0, 0] } });
  return { ...x, name, h: Math.floor(x.h / 2), w: Math.floor(x.w / 2) };
}

/** `tf.mean(x, [1, 2], keepDims = true)` → GlobalAveragePool `[N, C, 1, 1]`. */
export function globalAvgPool(ctx: Ctx, x: Value): Value {
  return { ...x, name: ctx.g.add('GlobalAveragePool', [x.name], {}, 'gap'), h: 1, w: 1 };
}

/**
 * Flatten `[N, C, H, W]` → `[N, C·H·W]` in NCHW order, then the dense layer (tfjs flattens NHWC, so the kernel
 * rows p·C + c are reordered to c·H·W + p first; for H = W = 1 that is the identity). Returns the logits name.
 */
export function flattenDense(ctx: Ctx, x: Value, kernel: string, bias: string): string {
  const k = weight(ctx, kernel);
  const [rows, out] = k.shape as [number, number];
  const spatial = x.h * x.w;
  if (rows !== x.c * spatial) throw new Error(`Export: ${kernel} has ${rows} rows but the flattened input has ${x.c * spatial} features.`);
  const values = new Float32Array(k.values.length);
  for (let p = 0; p < spatial; p++)
    for (let c = 0; c < x.c; c++) values.set(k.values.subarray((p * x.c + c) * out, (p * x.c + c + 1) * out), (c * spatial + p) * out);
  const flat = ctx.g.add('Flatten', [x.name], { axis: { i: 1 } });
  return ctx.g.add('Gemm', [flat, ctx.g.addFloat(kernel, [rows, out], values), ctx.g.addFloat(bias, [out], weight(ctx, bias).values)], {}, 'fc');
}

export type Activation = 'relu' | 'swish' | 'none';

/** conv (`kernel`, HWIO) → BN (`bn` prefix) → optional activation. */
export function convBnNamed(ctx: Ctx, x: Value, kernel: string, bn: string, act: Activation, stride = 1): Value {
  const y = batchNorm(ctx, conv(ctx, x, kernel, { stride }), bn);
  return act === 'relu' ? unary(ctx, 'Relu', y) : act === 'swish' ? swish(ctx, y) : y;
}

/** The engine's conv-BN unit named `${prefix}.conv.kernel` + `${prefix}.bn.*` (seg ConvUnit, affinity ConvBn). */
export function convBn(ctx: Ctx, x: Value, prefix: string, act: Activation, stride = 1): Value {
  return convBnNamed(ctx, x, `${prefix}.conv.kernel`, `${prefix}.bn`, act, stride);
}

/**
 * ResNet BasicBlock (`models/resnet18.ts` basicBlock): relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), the
 * shortcut a 1×1 conv + BN where the model has `${name}.shortcut.conv.kernel`, else the identity. `conv1Pad`: conv1's
 * explicit padding on every side (`resnet18.ts` conv1Pad: 1 for a strided block of a 'symmetric' ResNet-18), else 'same'.
 */
export function basicBlock(ctx: Ctx, x: Value, name: string, stride: number, conv1Pad?: number): Value {
  const c1 = conv(ctx, x, `${name}.conv1.kernel`, conv1Pad === undefined ? { stride } : { stride, pad: conv1Pad });
  const h = unary(ctx, 'Relu', batchNorm(ctx, c1, `${name}.bn1`));
  const main = batchNorm(ctx, conv(ctx, h, `${name}.conv2.kernel`), `${name}.bn2`);
  const skip = hasWeight(ctx, `${name}.shortcut.conv.kernel`)
    ? batchNorm(ctx, conv(ctx, x, `${name}.shortcut.conv.kernel`, { stride }), `${name}.shortcut.bn`)
    : x;
  return unary(ctx, 'Relu', binary(ctx, 'Add', main, skip));
}
