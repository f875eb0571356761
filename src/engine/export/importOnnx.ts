/**
 * ONNX import of the files `exportOnnx` writes (issue #14 item 5): the inverse of the export. The model's
 * architecture is read from `metadata_props` (`workbench.architecture`), checked as the workbench's own loaders check
 * it (schema, input size, layer sizes, weight count), rebuilt with the engine's builders, and every parameter the
 * export embeds is read back from its initializer, its transform undone (OIHW → HWIO kernels, grouped conv →
 * depthwise, the dense rows' NCHW order → NHWC; BN γ, β, running mean and variance as they are).
 *
 * The transforms are not re-derived here: the rebuilt model is exported once more with every parameter's values set
 * to their own flat indices (0, 1, 2, … exact in float32 below 2^24), so each initializer of that trace says, element
 * by element, which parameter element it holds. Whatever the exporter does to a parameter, the import undoes exactly.
 * Parameters the export leaves out (a Segment model's training-only auxiliary heads) keep their fresh initialisation.
 *
 * Refused with one sentence (and nothing built left behind): bytes that are not an ONNX model, a model without the
 * workbench's metadata, an unknown or oversized architecture, a missing, extra, wrongly shaped or non-float32
 * initializer, or a constant (e.g. `resize.scales`) that differs from the one the architecture implies.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as onnxModule from 'onnx-proto';
import type { ChannelStats } from '../data/batcher';
import { buildAffinityNet } from '../models/affinity/affinityNet';
import { AFFINITY_MODEL_FORMAT, parseAffinityModelJson } from '../models/affinity/affinitySerialize';
import type { Classifier } from '../models/model';
import { disposeParams } from '../models/params';
import { buildModel, modelLayout } from '../models/registry';
import { buildSegModel } from '../models/seg/registry';
import { SEG_MODEL_FORMAT, parseSegModelJson } from '../models/seg/segSerialize';
import { MAX_MODEL_INPUT_SIZE, MAX_MODEL_SCALARS, MODEL_FORMAT, parseModelJson } from '../models/serialize';
import { buildOnnx, type ExportableModel } from './exportOnnx';
import { decodeOnnxModel } from './onnxGraph';
import type { WeightMap, WeightTensor } from './onnxLayers';

/** The model family of an imported file (the workbench's three file formats). */
export type OnnxModelFormat = 'classifier' | 'segmentation' | 'affinity';

/** A model rebuilt from an ONNX file the workbench wrote. */
export interface ImportedOnnx {
  format: OnnxModelFormat;
  model: ExportableModel;
  /** The file's `metadata_props` (`workbench.model`, `workbench.architecture`, `input_mean`, …). */
  metadata: Record<string, string>;
  /** `input_mean` / `input_std` of the metadata (0–1 scale), null where the file says none was recorded. */
  normalization: ChannelStats | null;
}

/** Largest channel count, block count or class count an imported architecture may declare (as the library's JSON imports). */
export const MAX_ONNX_ARCHITECTURE_NUMBER = 4096;
/** Largest single parameter the index trace can map exactly (float32 integers). */
const MAX_TRACED_TENSOR = 1 << 24;

const NOT_WORKBENCH = 'it is not an ONNX file the workbench wrote';
const FLOAT = 1;

const fmt = (n: number) => n.toLocaleString('en-US');
const sizeOf = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const dimsText = (dims: readonly number[]) => `[${dims.join(', ')}]`;

function largestNumber(v: unknown, skip: readonly string[] = []): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : Infinity;
  if (Array.isArray(v)) return v.reduce((m: number, x) => Math.max(m, largestNumber(x)), 0);
  if (typeof v === 'object' && v !== null) return Object.entries(v).reduce((m: number, [k, x]) => (skip.includes(k) ? m : Math.max(m, largestNumber(x))), 0);
  return 0;
}

/** Check the architecture's sizes and schema (the file loaders' checks) and build the model; throws a sentence. */
function rebuild(architecture: unknown): { format: OnnxModelFormat; model: ExportableModel } {
  if (typeof architecture !== 'object' || architecture === null || Array.isArray(architecture))
    throw new Error(`Its workbench.architecture is not a JSON object: ${NOT_WORKBENCH}.`);
  const a = architecture as Record<string, unknown>;
  for (const key of ['inputSize', 'inputHeight', 'inputWidth']) {
    const v = a[key];
    if (typeof v === 'number' && v > MAX_MODEL_INPUT_SIZE)
      throw new Error(
        `Its architecture declares an input of ${fmt(v)} pixels; the workbench loads models of at most ${MAX_MODEL_INPUT_SIZE}×${MAX_MODEL_INPUT_SIZE}.`,
      );
  }
  const big = largestNumber(a, ['inputSize', 'inputHeight', 'inputWidth']);
  if (big > MAX_ONNX_ARCHITECTURE_NUMBER)
    throw new Error(
      `Its architecture declares a layer size or count of ${fmt(big)}; the workbench loads architectures whose numbers are at most ${fmt(MAX_ONNX_ARCHITECTURE_NUMBER)}.`,
    );
  const built = (what: string, build: () => ExportableModel) => {
    try {
      return build();
    } catch (e) {
      throw new Error(`Its ${what} architecture cannot be built: ${(e as Error).message}`);
    }
  };
  if (a.kind === 'affinity-net') {
    const dummy = [{ name: 'w', shape: [1], dtype: 'float32' }];
    const { architecture: arch } = parseAffinityModelJson({ format: AFFINITY_MODEL_FORMAT, architecture: a, provenance: {}, weights: dummy });
    return { format: 'affinity', model: built('Affinity', () => buildAffinityNet(arch, 0)) };
  }
  if (typeof a.model === 'string' && a.model.startsWith('seg-')) {
    const classes = typeof a.numClasses === 'number' && Number.isInteger(a.numClasses) && a.numClasses > 0 ? a.numClasses : 1;
    const provenance = {
      slot: '',
      chain: '',
      size: 'low',
      dataset: '',
      classNames: Array.from({ length: classes }, (_, i) => `class ${i}`),
      palette: [],
      steps: 0,
      seed: 0,
      mIoU: 0,
      seconds: 0,
      origin: '',
    };
    const dummy = [{ name: 'w', shape: [1], dtype: 'float32' }];
    const { architecture: arch } = parseSegModelJson({ format: SEG_MODEL_FORMAT, architecture: a, provenance, weights: dummy });
    return { format: 'segmentation', model: built('segmentation', () => buildSegModel(arch)) };
  }
  if (a.model === 'vgg16' || a.model === 'resnet18') {
    const { architecture: arch } = parseModelJson({ format: MODEL_FORMAT, architecture: a, weightsManifest: [{ paths: [], weights: [] }] });
    let scalars: number;
    try {
      const layout = modelLayout(arch);
      scalars = layout.convs.reduce((n, c) => n + sizeOf(c.kernelShape) + 4 * c.kernelShape[3], 0) + (layout.dense.inFeatures + 1) * layout.dense.outFeatures;
    } catch (e) {
      throw new Error(`Its classifier architecture cannot be built: ${(e as Error).message}`);
    }
    if (scalars > MAX_MODEL_SCALARS)
      throw new Error(`Its architecture has ${fmt(scalars)} weights; the workbench loads models of at most ${fmt(MAX_MODEL_SCALARS)}.`);
    return { format: 'classifier', model: built('classifier', (): Classifier => buildModel(arch)) };
  }
  const named = typeof a.model === 'string' ? `"${a.model}"` : typeof a.kind === 'string' ? `"${a.kind}"` : 'none';
  throw new Error(`Its architecture (${named}) is not one the workbench trains.`);
}

/** An initializer's float32 values (raw little-endian bytes or `float_data`). */
function floatsOf(
  t: { dataType?: number | null; rawData?: Uint8Array | null; floatData?: number[] | null; name?: string | null },
  count: number,
): Float32Array {
  if (t.dataType !== FLOAT) throw new Error(`Its initializer '${t.name ?? ''}' is not float32.`);
  const raw = t.rawData;
  if (raw && raw.byteLength > 0) {
    if (raw.byteLength !== 4 * count) throw new Error(`Its initializer '${t.name ?? ''}' holds ${raw.byteLength} bytes for ${fmt(count)} values.`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true));
  }
  const f = t.floatData ?? [];
  if (f.length !== count) throw new Error(`Its initializer '${t.name ?? ''}' holds ${fmt(f.length)} values for ${fmt(count)}.`);
  return Float32Array.from(f);
}

type Initializer = onnxModule.onnx.ITensorProto;

const dimsOf = (t: Initializer): number[] => (t.dims ?? []).map((d) => Number(d));

/**
 * Read the architecture and weights of an ONNX file the workbench wrote (see the file comment); throws one sentence
 * naming what is wrong. The caller owns the returned model (`disposeParams(model.store)`).
 */
export async function importOnnx(bytes: Uint8Array): Promise<ImportedOnnx> {
  let decoded: ReturnType<typeof decodeOnnxModel>;
  try {
    decoded = decodeOnnxModel(bytes);
  } catch {
    throw new Error(`It cannot be read as an ONNX model: ${NOT_WORKBENCH}.`);
  }
  const metadata: Record<string, string> = {};
  for (const p of decoded.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';
  const archText = metadata['workbench.architecture'];
  if (!decoded.graph || archText === undefined) throw new Error(`It has no workbench.architecture in its metadata: ${NOT_WORKBENCH}.`);
  let architecture: unknown;
  try {
    architecture = JSON.parse(archText);
  } catch {
    throw new Error(`Its workbench.architecture is not JSON: ${NOT_WORKBENCH}.`);
  }
  const { format, model } = rebuild(architecture);
  try {
    await assignWeights(model, decoded.graph.initializer ?? []);
    return { format, model, metadata, normalization: normalizationOf(metadata) };
  } catch (e) {
    disposeParams(model.store);
    throw e;
  }
}

function normalizationOf(meta: Record<string, string>): ChannelStats | null {
  try {
    const mean: unknown = JSON.parse(meta.input_mean ?? 'null');
    const std: unknown = JSON.parse(meta.input_std ?? 'null');
    const triple = (v: unknown): v is [number, number, number] =>
      Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
    return triple(mean) && triple(std) ? { mean, std } : null;
  } catch {
    return null;
  }
}

/** Map every initializer back onto the rebuilt model's parameters through the index trace; throws a sentence. */
async function assignWeights(model: ExportableModel, initializers: readonly Initializer[]): Promise<void> {
  const params = new Map([...model.store.trainable, ...model.store.state]);
  const indexWeights = new Map<string, WeightTensor>();
  for (const [name, v] of params) {
    if (v.size > MAX_TRACED_TENSOR)
      throw new Error(`Its parameter '${name}' has ${fmt(v.size)} values; the import reads parameters of at most ${fmt(MAX_TRACED_TENSOR)}.`);
    indexWeights.set(name, { shape: [...v.shape], values: Float32Array.from({ length: v.size }, (_, i) => i) });
  }
  const trace = decodeOnnxModel(buildOnnx(model, indexWeights as WeightMap)).graph?.initializer ?? [];
  const given = new Map<string, Initializer>();
  for (const t of initializers) {
    const name = t.name ?? '';
    if (given.has(name)) throw new Error(`It has two initializers named '${name}'.`);
    given.set(name, t);
  }
  const expected = new Set(trace.map((t) => t.name ?? ''));
  const extra = [...given.keys()].filter((n) => !expected.has(n));
  if (extra.length > 0)
    throw new Error(
      `It has ${extra.length === 1 ? 'a weight' : `${extra.length} weights`} the architecture does not have: '${extra.slice(0, 3).join("', '")}'.`,
    );
  const values = new Map<string, Float32Array>();
  for (const t of trace) {
    const name = t.name ?? '';
    const dims = dimsOf(t);
    const file = given.get(name);
    if (!file) throw new Error(`It lacks the weight '${name}' ${dimsText(dims)} of its architecture: the weights are incomplete.`);
    const got = dimsOf(file);
    if (got.length !== dims.length || got.some((d, i) => d !== dims[i]))
      throw new Error(`Its weight '${name}' has shape ${dimsText(got)} where the architecture needs ${dimsText(dims)}.`);
    const data = floatsOf(file, sizeOf(dims));
    const index = floatsOf(t, sizeOf(dims));
    const param = params.get(name);
    if (!param) {
      // a constant of the graph (e.g. resize.scales): it must be the one the architecture implies
      if (data.some((v, i) => v !== index[i])) throw new Error(`Its constant '${name}' differs from the one its architecture implies.`);
      continue;
    }
    const out = new Float32Array(param.size);
    for (let k = 0; k < index.length; k++) out[index[k]!] = data[k]!;
    values.set(name, out);
  }
  for (const [name, v] of values) {
    const t = tf.tensor(v, params.get(name)!.shape, 'float32');
    params.get(name)!.assign(t);
    t.dispose();
  }
}
