/**
 * Test helpers for the ONNX export: non-trivial parameters (BN statistics, biases, ICNR kernels), seeded NHWC inputs,
 * layout conversion, and a run of the exported bytes in ONNX Runtime (onnxruntime-web's wasm build, single-threaded,
 * in Node) compared with the engine's inference forward.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-web';
import type { ParamStore } from '../models/params';
import type { decodeOnnxModel } from './onnxGraph';
import { mulberry32, normal } from '../random';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

/**
 * Make every parameter a BN export could get wrong non-trivial: γ ∈ [0.5, 1.5], β and running mean ∈ [−0.3, 0.3],
 * running variance ∈ [0.5, 2]; biases (zero at init) ∈ [−0.2, 0.2]; PixelShuffle 1×1 kernels (ICNR: r² identical
 * filter groups, blind to the DCR/CRD channel order) redrawn He-normal.
 */
export function randomiseState(store: ParamStore, seed: number): void {
  const rng = mulberry32(seed);
  const set = (v: tf.Variable, draw: () => number) => {
    const t = tf.tensor(Float32Array.from({ length: v.size }, draw), v.shape);
    v.assign(t);
    t.dispose();
  };
  const uniform = (lo: number, hi: number) => () => lo + (hi - lo) * rng();
  for (const [name, v] of [...store.trainable, ...store.state]) {
    if (name.endsWith('.gamma')) set(v, uniform(0.5, 1.5));
    else if (name.endsWith('.beta') || name.endsWith('.runningMean')) set(v, uniform(-0.3, 0.3));
    else if (name.endsWith('.runningVar')) set(v, uniform(0.5, 2));
    else if (name.endsWith('.bias')) set(v, uniform(-0.2, 0.2));
    else if (name.endsWith('.pw.kernel')) set(v, () => normal(rng) * Math.sqrt(2 / v.shape[2]!));
  }
}

/**
 * Move the BN running statistics towards real batch statistics: `steps` training-mode forwards (momentum 0.1) on a
 * seeded batch, after `randomiseState`. The running stats end as a mix of the random ones and the batch moments, so
 * they stay non-trivial while keeping deep nets' activations (and logits) at a realistic scale.
 */
export function calibrateBn(
  trainingForward: (x: tf.Tensor4D) => tf.Tensor | tf.Tensor[] | object,
  shape: [number, number, number],
  seed: number,
  steps = 8,
): void {
  const x = randomImages(2, shape[0], shape[1], seed);
  for (let i = 0; i < steps; i++) tf.tidy(() => void trainingForward(x));
  x.dispose();
}

/** A seeded N(0, 1) NHWC input `[b, h, w, 3]` (already "normalised"). */
export function randomImages(b: number, h: number, w: number, seed: number): tf.Tensor4D {
  const rng = mulberry32(seed);
  return tf.tensor4d(
    Float32Array.from({ length: b * h * w * 3 }, () => normal(rng)),
    [b, h, w, 3],
  );
}

/** NHWC values → NCHW values. */
export function nhwcToNchw(x: Float32Array, [b, h, w, c]: readonly number[]): Float32Array {
  const out = new Float32Array(x.length);
  for (let n = 0; n < b!; n++)
    for (let y = 0; y < h!; y++)
      for (let z = 0; z < w!; z++) for (let k = 0; k < c!; k++) out[((n * c! + k) * h! + y) * w! + z] = x[((n * h! + y) * w! + z) * c! + k]!;
  return out;
}

/** Run the exported model on NCHW `input` in ONNX Runtime; returns the `logits` output. */
export async function runOrt(bytes: Uint8Array, input: Float32Array, dims: readonly number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ input: new ort.Tensor('float32', input, dims) });
    const logits = out.logits;
    if (!logits) throw new Error('The ONNX model has no logits output.');
    return { data: logits.data as Float32Array, dims: logits.dims };
  } finally {
    await session.release();
  }
}

/** Two logits of one pixel closer than this (× max(1, max|logit|)) in the engine's output are a tie at float32 precision. */
export const TIE = 1e-6;

/**
 * Max |a − b| over NCHW (or NC) logits, max |a|, and the per-image/per-pixel argmax: `agree` = same class; `ties` = a
 * different class where the engine's own two logits are within TIE (an exact tie that float rounding breaks either way).
 */
export function compareLogits(
  a: Float32Array,
  b: Float32Array,
  dims: readonly number[],
): { maxAbs: number; scale: number; agree: number; ties: number; total: number } {
  if (a.length !== b.length) throw new Error(`Cannot compare ${a.length} logits with ${b.length}.`);
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(a[i]!));
  }
  const [n, k] = dims as [number, number];
  const spatial = dims.slice(2).reduce((p, q) => p * q, 1);
  const argmax = (x: Float32Array, i: number, p: number) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (x[(i * k + c) * spatial + p]! > x[(i * k + best) * spatial + p]!) best = c;
    return best;
  };
  let agree = 0;
  let ties = 0;
  for (let i = 0; i < n; i++)
    for (let p = 0; p < spatial; p++) {
      const [ca, cb] = [argmax(a, i, p), argmax(b, i, p)];
      if (ca === cb) agree++;
      else if (Math.abs(a[(i * k + ca) * spatial + p]! - a[(i * k + cb) * spatial + p]!) <= TIE * Math.max(1, scale)) ties++;
    }
  return { maxAbs, scale, agree, ties, total: n * spatial };
}

/** Element count of every float initializer that holds a model parameter (the Resize scales left out). */
export function parameterFloats(model: {
  graph?: { initializer?: { name?: string | null; dims?: (number | { toNumber(): number })[] | null }[] | null } | null;
}): number {
  return (model.graph?.initializer ?? [])
    .filter((t) => !t.name?.startsWith('resize.scales'))
    .reduce((n, t) => n + (t.dims ?? []).reduce<number>((p, d) => p * Number(d), 1), 0);
}

type DecodedModel = ReturnType<typeof decodeOnnxModel>;
type DecodedValue = NonNullable<NonNullable<DecodedModel['graph']>['input']>[number];
type DecodedNode = NonNullable<NonNullable<DecodedModel['graph']>['node']>[number];

/** The decoded graph's nodes, inputs and outputs (empty lists where absent). */
export function graphOf(model: DecodedModel): { nodes: DecodedNode[]; inputs: DecodedValue[]; outputs: DecodedValue[] } {
  const g = model.graph;
  if (!g) throw new Error('The ONNX model has no graph.');
  return { nodes: g.node ?? [], inputs: g.input ?? [], outputs: g.output ?? [] };
}

/** A graph input/output's dims: numbers, or the symbolic names (e.g. 'N'). */
export function dimsOf(v: DecodedValue): (number | string)[] {
  return (v.type?.tensorType?.shape?.dim ?? []).map((d) => d.dimParam || Number(d.dimValue));
}

/** An int attribute of a node (undefined when absent). */
export function intAttr(node: DecodedNode, name: string): number | undefined {
  const a = (node.attribute ?? []).find((x) => x.name === name);
  return a?.i === undefined || a.i === null ? undefined : Number(a.i);
}
