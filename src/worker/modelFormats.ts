/**
 * The model library's bridge to the engine's four file formats (classifier, Segment, Affinity, Detect): what a lab hands the
 * library to keep (a serialiser with the model's metadata), loading a stored or imported file back into a model
 * (validated by the engine's loaders), and the metadata of a loaded model. Every JSON the library writes carries a
 * `library` block (the ModelInfo without id, date and size) beside the format's own fields, which the loaders ignore.
 */
import {
  AFFINITY_MODEL_FORMAT,
  DETECT_MODEL_FORMAT,
  MAX_MODEL_INPUT_SIZE,
  MAX_MODEL_SCALARS,
  MODEL_FORMAT,
  SEG_MEAN,
  SEG_MODEL_FORMAT,
  SEG_STD,
  affinityNetCost,
  detectCost,
  disposeParams,
  importOnnx,
  loadAffinityNet,
  loadDetector,
  loadModel,
  loadSegModel,
  modelCost,
  segCost,
  serializeAffinityNet,
  serializeDetector,
  serializeModel,
  serializeSegModel,
  type AffinityNet,
  type Classifier,
  type DetectModel,
  type ExportableModel,
  type SegModel,
  type SegProvenance,
} from '../engine';
import { detectDatasetDisplayName } from '../protocol/labs/detect';
import { SEG_SIZES, SEG_SIZE_PIXELS, slotOf } from '../protocol/labs/segment';
import { modelMetaSchema, type ModelFormat, type ModelMeta, type ModelNormalization } from '../protocol/models';

/** What a lab hands the library: the model's metadata and how to serialise it (`await data()` reads, no tensor kept). */
export interface ModelToKeep {
  meta: ModelMeta;
  /** The workbench JSON (without the `library` block) and the float32 weights. */
  serialize(): Promise<{ json: Record<string, unknown>; weights: ArrayBuffer }>;
  /** Called once serialisation is over, whether it worked or not (e.g. to dispose the finished session). */
  release?(): void;
}

/** The fields every lab fills in; params, MACs, family and input size come from the model. */
export type MetaOf = Omit<ModelMeta, 'family' | 'params' | 'macs' | 'inputSize' | 'name'> & { name?: string };

/** The Segment lab's fixed ImageNet normalisation on the 0–1 scale (the Detect lab's detectors take the same input). */
export const SEG_NORMALIZATION: ModelNormalization = {
  mean: SEG_MEAN.map((v) => v / 255) as [number, number, number],
  std: SEG_STD.map((v) => v / 255) as [number, number, number],
};

/** "vgg16 rgsm compact · Shapes & textures (built-in)": the name a kept model starts with. */
export function defaultName(m: Pick<ModelMeta, 'family' | 'datasetName' | 'provenance'>): string {
  const p = m.provenance;
  const qualifiers = [p.slot && !m.family.endsWith(p.slot) ? p.slot : '', p.method ?? '', p.compact ? 'compact' : ''].filter((q) => q !== '');
  return `${[m.family, ...qualifiers].join(' ')} · ${m.datasetName}`;
}

const complete = (base: MetaOf, model: Omit<ModelMeta, keyof MetaOf>): ModelMeta => {
  const value = base.metric.value;
  const meta = { ...base, ...model, metric: { ...base.metric, value: value !== null && Number.isFinite(value) ? value : null }, name: base.name ?? '' };
  return { ...meta, name: meta.name || defaultName(meta) };
};

/** The metadata of a classifier (VGG-16 / ResNet-18, dense or compact). */
export function classifierMeta(model: Classifier, base: MetaOf): ModelMeta {
  const a = model.architecture;
  const cost = modelCost(model);
  return complete(base, { family: a.model, params: cost.params, macs: cost.macs, inputSize: { height: a.inputSize, width: a.inputSize } });
}

/** The metadata of a Segment-lab model (inference params and MACs: the auxiliary heads are left out). */
export function segMeta(model: SegModel, base: MetaOf): ModelMeta {
  const c = segCost(model).inference;
  return complete(base, {
    family: model.architecture.model,
    params: c.params,
    macs: c.macs,
    inputSize: { height: model.inputHeight, width: model.inputWidth },
  });
}

/** The metadata of an Affinity-lab network. */
export function affinityMeta(net: AffinityNet, base: MetaOf): ModelMeta {
  const a = net.architecture;
  const c = affinityNetCost(a);
  return complete(base, { family: `affinity-${a.role}`, params: c.params, macs: c.macs, inputSize: { height: a.inputSize, width: a.inputSize } });
}

/** The metadata of a Detect-lab detector (family 'detr-mobilenetv3-small'; params and MACs of every part, heads on every decoder layer). */
export function detectMeta(model: DetectModel, base: MetaOf): ModelMeta {
  const a = model.architecture;
  const c = detectCost(model);
  return complete(base, { family: a.model, params: c.params, macs: c.macs, inputSize: { height: a.inputHeight, width: a.inputWidth } });
}

/** A classifier to keep: the tfjs-style model.json with its normalisation, class names and dataset (as the Prune lab's export writes them). */
export function classifierToKeep(model: Classifier, meta: ModelMeta, release?: () => void, around?: <T>(f: () => Promise<T>) => Promise<T>): ModelToKeep {
  const write = async () => {
    const { modelJson, weightData } = await serializeModel(model);
    const json = { ...modelJson, normalization: meta.normalization, classNames: meta.classNames, trainedOn: meta.datasetName };
    return { json, weights: weightData };
  };
  return { meta, serialize: () => (around ? around(write) : write()), ...(release ? { release } : {}) };
}

/** A Segment-lab model to keep, with its zoo provenance. */
export function segToKeep(model: SegModel, provenance: SegProvenance, meta: ModelMeta, release?: () => void): ModelToKeep {
  return {
    meta,
    serialize: async () => {
      const { json, weights } = await serializeSegModel(model, provenance);
      return { json: { ...json }, weights };
    },
    ...(release ? { release } : {}),
  };
}

/** An Affinity-lab network to keep, with the provenance the lab's teacher slot reads. */
export function affinityToKeep(net: AffinityNet, provenance: Record<string, unknown>, meta: ModelMeta, release?: () => void): ModelToKeep {
  return {
    meta,
    serialize: async () => {
      const { json, weights } = await serializeAffinityNet(net, provenance);
      return { json: { ...json }, weights };
    },
    ...(release ? { release } : {}),
  };
}

/**
 * A Detect-lab detector to keep, with the provenance its zoo reads back (dataset, datasetName, steps, seed, ap50, ap, origin;
 * see DetectZoo).
 */
export function detectToKeep(model: DetectModel, provenance: Record<string, unknown>, meta: ModelMeta, release?: () => void): ModelToKeep {
  return {
    meta,
    serialize: async () => {
      const { json, weights } = await serializeDetector(model, provenance);
      return { json: { ...json }, weights };
    },
    ...(release ? { release } : {}),
  };
}

/** The file format a model JSON declares, or null. */
export function formatOf(json: unknown): ModelFormat | null {
  const format = typeof json === 'object' && json !== null ? (json as { format?: unknown }).format : undefined;
  if (format === MODEL_FORMAT) return 'classifier';
  if (format === SEG_MODEL_FORMAT) return 'segmentation';
  if (format === AFFINITY_MODEL_FORMAT) return 'affinity';
  if (format === DETECT_MODEL_FORMAT) return 'detection';
  return null;
}

/** A model rebuilt from its files, with what the library needs of it; `dispose()` frees its variables. Detectors are not ONNX-exportable. */
export type LoadedModel = ({ format: Exclude<ModelFormat, 'detection'>; model: ExportableModel } | { format: 'detection'; model: DetectModel }) & {
  /** The metadata the model's architecture and file give (the `library` block where valid, else derived from the format). */
  meta: ModelMeta;
  dispose(): void;
};

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown, d: string) => (typeof v === 'string' ? v : d);
const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : null);
const strings = (v: unknown) => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : []);

function normalizationIn(v: unknown): ModelNormalization | null {
  const n = modelMetaSchema.shape.normalization.safeParse(v);
  return n.success ? n.data : null;
}

/**
 * Rebuild the model of a workbench JSON + weights with the engine's loaders (architecture known, shapes equal, weights
 * complete); throws the loader's sentence. Params, MACs, family and input size always come from the built model.
 */
export function loadStored(json: Record<string, unknown>, weights: ArrayBuffer): LoadedModel {
  const format = formatOf(json);
  const block = modelMetaSchema.safeParse(json.library);
  const given = block.success ? block.data : null;
  if (format === 'classifier') {
    const model = loadModel(json, weights);
    const meta = classifierMeta(model, {
      lab: given?.lab === 'prune' ? 'prune' : 'train',
      metric: given?.metric ?? { name: 'test accuracy', value: null },
      dataset: given?.dataset ?? '',
      datasetName: given?.datasetName ?? str(json.trainedOn, 'unknown dataset'),
      classNames: given?.classNames ?? strings(json.classNames),
      normalization: given?.normalization ?? normalizationIn(json.normalization),
      provenance: given?.provenance ?? { runId: null, steps: null, seed: null },
      ...(given ? { name: given.name } : {}),
    });
    return { format, model, meta, dispose: () => disposeParams(model.store) };
  }
  if (format === 'segmentation') {
    const { model, provenance: p } = loadSegModel(json, weights);
    const meta = segMeta(model, {
      lab: 'segment',
      metric: given?.metric ?? { name: 'mIoU', value: num(p.mIoU) },
      dataset: given?.dataset ?? p.dataset,
      datasetName: given?.datasetName ?? p.dataset,
      classNames: p.classNames,
      normalization: SEG_NORMALIZATION,
      provenance: given?.provenance ?? { runId: p.origin, steps: p.steps, seed: p.seed, slot: p.slot, chain: p.chain },
      ...(given ? { name: given.name } : {}),
    });
    return { format, model, meta, dispose: () => disposeParams(model.store) };
  }
  if (format === 'affinity') {
    const { net, provenance: p } = loadAffinityNet(json, weights);
    const meta = affinityMeta(net, {
      lab: 'affinity',
      metric: given?.metric ?? { name: 'test accuracy', value: num(p.testAccuracy) },
      dataset: given?.dataset ?? str(p.dataset, ''),
      datasetName: given?.datasetName ?? str(p.datasetName, str(p.dataset, 'unknown dataset')),
      classNames: given?.classNames ?? strings(p.classNames),
      normalization: given?.normalization ?? normalizationIn(p.normalization),
      provenance: given?.provenance ?? { runId: typeof p.origin === 'string' ? p.origin : null, steps: int(p.steps), seed: null, role: net.architecture.role },
      ...(given ? { name: given.name } : {}),
    });
    return { format, model: net, meta, dispose: () => disposeParams(net.store) };
  }
  if (format === 'detection') {
    const { model, provenance: p } = loadDetector(json, weights);
    const meta = detectMeta(model, {
      lab: 'detect',
      metric: given?.metric ?? { name: 'AP@0.5', value: num(p.ap50) },
      dataset: given?.dataset ?? str(p.dataset, ''),
      datasetName: given?.datasetName ?? str(p.datasetName, detectDatasetDisplayName(str(p.dataset, 'unknown dataset'))),
      classNames: ['person'],
      normalization: SEG_NORMALIZATION,
      provenance: given?.provenance ?? {
        runId: typeof p.origin === 'string' && p.origin !== 'shipped' ? p.origin : null,
        steps: int(p.steps),
        seed: int(p.seed),
        encoder: model.architecture.encoder.kind,
      },
      ...(given ? { name: given.name } : {}),
    });
    return { format, model, meta, dispose: () => disposeParams(model.store) };
  }
  const declared = typeof json.format === 'string' ? `"${json.format}"` : 'none';
  throw new Error(`It is not a workbench model (its format is ${declared}): choose a .json the workbench wrote.`);
}

/** Largest model JSON the library reads (a real one is a few kB to ~100 kB: architecture and weights manifest). */
export const MAX_MODEL_JSON_BYTES = 4_000_000;
/** Largest weights file: the classifier loader's scalar limit in float32. */
export const MAX_MODEL_WEIGHT_BYTES = 4 * MAX_MODEL_SCALARS;
/** Largest channel count, block count or other whole number a Segment or Affinity architecture may declare (the widest shipped layer has a few hundred). */
export const MAX_ARCHITECTURE_NUMBER = 4096;

const fmt = (n: number) => n.toLocaleString('en-US');

/** The file sizes an import may have, checked before anything is read: a sentence naming the file, or null. */
export function importFileSizeProblem(json: { name: string; bytes: number }, weights: { name: string; bytes: number }): string | null {
  if (json.bytes > MAX_MODEL_JSON_BYTES)
    return `${json.name} is ${fmt(json.bytes)} bytes; a model's .json the workbench reads has at most ${fmt(MAX_MODEL_JSON_BYTES)}: it is not a workbench model's .json.`;
  if (weights.bytes > MAX_MODEL_WEIGHT_BYTES)
    return `${weights.name} is ${fmt(weights.bytes)} bytes; the workbench loads models of at most ${fmt(MAX_MODEL_SCALARS)} weights (${fmt(MAX_MODEL_WEIGHT_BYTES)} bytes).`;
  return null;
}

/**
 * What a Segment or Affinity JSON declares, checked before the engine's loader builds anything (the classifier loader
 * has its own limits, the same ones): input size, every whole number of the architecture, and the manifest's weight
 * count. A sentence naming the file, or null.
 */
export function importArchitectureProblem(fileName: string, json: Record<string, unknown>): string | null {
  const format = formatOf(json);
  if (format !== 'segmentation' && format !== 'affinity') return null;
  const arch = json.architecture;
  if (typeof arch === 'object' && arch !== null) {
    const a = arch as Record<string, unknown>;
    for (const key of ['inputHeight', 'inputWidth', 'inputSize']) {
      const v = a[key];
      if (typeof v === 'number' && v > MAX_MODEL_INPUT_SIZE)
        return `${fileName} declares an input ${key === 'inputSize' ? 'size' : key === 'inputHeight' ? 'height' : 'width'} of ${fmt(v)}; the workbench loads models of at most ${MAX_MODEL_INPUT_SIZE}×${MAX_MODEL_INPUT_SIZE}.`;
    }
    const big = largestNumber(a, ['inputHeight', 'inputWidth', 'inputSize']);
    if (big > MAX_ARCHITECTURE_NUMBER)
      return `${fileName} declares a layer size or block count of ${fmt(big)}; the workbench loads architectures whose numbers are at most ${fmt(MAX_ARCHITECTURE_NUMBER)}.`;
  }
  const weights = json.weights;
  if (Array.isArray(weights)) {
    let scalars = 0;
    for (const w of weights) {
      const shape = (w as { shape?: unknown } | null)?.shape;
      if (Array.isArray(shape) && shape.every((d) => typeof d === 'number')) scalars += (shape as number[]).reduce((x, y) => x * y, 1);
    }
    if (scalars > MAX_MODEL_SCALARS) return `${fileName} describes ${fmt(scalars)} weights; the workbench loads models of at most ${fmt(MAX_MODEL_SCALARS)}.`;
  }
  return null;
}

/** The largest number anywhere in a JSON value (keys in `skip` left out at the top level). */
function largestNumber(v: unknown, skip: readonly string[] = []): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : Infinity;
  if (Array.isArray(v)) return v.reduce((m: number, x) => Math.max(m, largestNumber(x)), 0);
  if (typeof v === 'object' && v !== null) return Object.entries(v).reduce((m: number, [k, x]) => (skip.includes(k) ? m : Math.max(m, largestNumber(x))), 0);
  return 0;
}

/** Largest `.onnx` file the library reads: a workbench JSON's and its weights' limits together. */
export const MAX_MODEL_ONNX_BYTES = MAX_MODEL_JSON_BYTES + MAX_MODEL_WEIGHT_BYTES;

/** The size an `.onnx` import may have, checked before anything is read: a sentence naming the file, or null. */
export function importOnnxSizeProblem(file: { name: string; bytes: number }): string | null {
  if (file.bytes <= MAX_MODEL_ONNX_BYTES) return null;
  return `${file.name} is ${fmt(file.bytes)} bytes; the workbench loads models of at most ${fmt(MAX_MODEL_SCALARS)} weights (an .onnx of at most ${fmt(MAX_MODEL_ONNX_BYTES)} bytes).`;
}

/** Provenance `origin` (Segment, Affinity JSON) of a model imported from ONNX. */
export const ONNX_IMPORT_ORIGIN = 'imported ONNX';

/**
 * An `.onnx` file the workbench wrote, as the library stores a kept model of its lab: rebuilt by the engine's
 * `importOnnx` (architecture known, shapes equal, weights complete), written in the lab's workbench format and loaded
 * back through `loadStored`, with the metadata the file gives (normalisation; class names and dataset are not in an
 * ONNX file: "class i" and "imported ONNX"). Throws one sentence (not naming the file).
 */
export async function storedFromOnnx(bytes: Uint8Array, fileName: string): Promise<{ json: Record<string, unknown>; weights: ArrayBuffer; meta: ModelMeta }> {
  const imported = await importOnnx(bytes);
  const { model } = imported;
  const classNames = Array.from({ length: model.numClasses }, (_, i) => `class ${i}`);
  const normalization: ModelNormalization | null = imported.format === 'segmentation' ? SEG_NORMALIZATION : imported.normalization;
  let files: { json: Record<string, unknown>; weights: ArrayBuffer };
  try {
    if (imported.format === 'classifier') {
      const { modelJson, weightData } = await serializeModel(model as Classifier);
      files = { json: { ...modelJson, normalization, classNames, trainedOn: ONNX_IMPORT_ORIGIN }, weights: weightData };
    } else if (imported.format === 'segmentation') {
      const seg = model as SegModel;
      const a = seg.architecture;
      const size = SEG_SIZES.find((s) => SEG_SIZE_PIXELS[s].height === seg.inputHeight && SEG_SIZE_PIXELS[s].width === seg.inputWidth) ?? 'low';
      const kind = a.model === 'seg-student' ? 'student' : a.model === 'seg-tutor' ? 'tutor' : 'teacher';
      const provenance: SegProvenance = {
        slot: slotOf(kind, a.model === 'seg-teacher' ? 'bilinear' : a.upscale),
        chain: '',
        size,
        dataset: '',
        classNames,
        palette: classNames.map((_, i) => [(i * 67 + 40) % 256, (i * 131 + 90) % 256, (i * 199 + 160) % 256] as [number, number, number]),
        steps: 0,
        seed: 0,
        mIoU: 0,
        seconds: 0,
        origin: ONNX_IMPORT_ORIGIN,
      };
      const { json, weights } = await serializeSegModel(seg, provenance);
      files = { json: { ...json }, weights };
    } else {
      const net = model as AffinityNet;
      const provenance = { origin: ONNX_IMPORT_ORIGIN, role: net.architecture.role, classNames, normalization };
      const { json, weights } = await serializeAffinityNet(net, provenance);
      files = { json: { ...json }, weights };
    }
  } finally {
    disposeParams(model.store);
  }
  const loaded = loadStored(files.json, files.weights);
  loaded.dispose();
  const p = loaded.meta.provenance;
  const meta: ModelMeta = {
    ...loaded.meta,
    name:
      fileName
        .replace(/\.onnx$/i, '')
        .trim()
        .slice(0, 120) || loaded.meta.name,
    metric: { ...loaded.meta.metric, value: null },
    dataset: '',
    datasetName: ONNX_IMPORT_ORIGIN,
    classNames,
    normalization,
    provenance: {
      runId: null,
      steps: null,
      seed: null,
      ...(p.slot !== undefined ? { slot: p.slot } : {}),
      ...(p.role !== undefined ? { role: p.role } : {}),
      importedFrom: fileName,
    },
  };
  return { ...files, meta };
}
