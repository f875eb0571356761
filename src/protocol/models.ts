/**
 * The model library (issue #14): every model a run trains is kept in IndexedDB in its workbench file format, listed in
 * one place, renamed, deleted, downloaded (JSON + weights), exported to ONNX and imported back. These are the types the
 * UI and the worker share; the zod schema checks a stored record and the `library` block a model's JSON carries.
 */
import { z } from 'zod';
import type { Outcome } from './errors';

/** The labs whose runs leave a model. */
export const MODEL_LABS = ['train', 'prune', 'segment', 'affinity', 'detect'] as const;
export type ModelLab = (typeof MODEL_LABS)[number];

/** How good a model is: test accuracy (classifiers, 0–1), mIoU (segmentation, 0–1) or person AP@0.5 (detectors, 0–1); null when it was never measured. */
export interface ModelMetric {
  name: 'test accuracy' | 'mIoU' | 'AP@0.5';
  value: number | null;
}

/** Per-channel mean and std on the 0–1 pixel scale: the model expects input = (pixel / 255 − mean) / std. */
export interface ModelNormalization {
  mean: [number, number, number];
  std: [number, number, number];
}

/** Where a model came from. */
export interface ModelProvenance {
  /** The run that trained it (null for an imported file that named none). */
  runId: string | null;
  /** Training steps done. */
  steps: number | null;
  seed: number | null;
  /** Segment lab: the zoo slot ('teacher', 'tutor', 'student-bilinear', 'student-pixelshuffle') and the distillation chain. */
  slot?: string;
  chain?: string;
  /** Prune lab: whether dead channels were removed (the compact net) and the pruning method. */
  compact?: boolean;
  method?: string;
  /** Affinity lab: teacher or student. */
  role?: 'teacher' | 'student';
  /** Detect lab: the encoder kind ('transformer', 'conv', 'dwconv', 'none'). */
  encoder?: string;
  /** The file it was imported from, if it was. */
  importedFrom?: string;
}

/** One kept model, as the library lists it. */
export interface ModelInfo {
  /** 'm-…', the IndexedDB key. */
  id: string;
  lab: ModelLab;
  /** Architecture family: 'vgg16', 'resnet18', 'seg-teacher', 'seg-tutor', 'seg-student', 'affinity-teacher', 'affinity-student', 'detr-mobilenetv3-small'. */
  family: string;
  /** The user-editable name. */
  name: string;
  /** Inference parameters (a Segment model's training-only auxiliary heads excluded). */
  params: number;
  /** Multiply-accumulates of one forward pass at `inputSize`; null where unknown. */
  macs: number | null;
  metric: ModelMetric;
  /** The dataset it was trained on: id and display name. */
  dataset: string;
  datasetName: string;
  classNames: string[];
  /** The H×W the model was built for. */
  inputSize: { height: number; width: number };
  normalization: ModelNormalization | null;
  provenance: ModelProvenance;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** Stored size: the JSON's UTF-8 bytes plus the weights'. */
  bytes: number;
  /** A model the workbench ships (public/models/): listed, downloadable and exportable, never renamed or deleted. */
  shipped?: boolean;
}

/** The workbench file format of a model: a JSON (architecture, weights manifest, `library` block) and its float32 weights. */
export type ModelFormat = 'classifier' | 'segmentation' | 'affinity' | 'detection';

/** A file as bytes, with its name (downloads and imports). */
export interface ModelFile {
  name: string;
  bytes: ArrayBuffer;
}

/** A stored model's two files, named after it: `<base>.json` and `<base>.bin`. */
export interface ModelFiles {
  json: ModelFile;
  weights: ModelFile;
}

export type ModelListResult = ModelInfo[];
/** A model's files for download (the JSON carries the library's current name and metadata). */
export type ModelFilesResult = Outcome<{ info: ModelInfo; files: ModelFiles }>;
/** A model as one `.onnx` file (opset 13, NCHW input, logits output, normalisation in metadata_props). */
export type ModelOnnxResult = Outcome<{ info: ModelInfo; file: ModelFile }>;
/** The imported model as stored, or why nothing was stored. */
export type ModelImportResult = Outcome<{ model: ModelInfo }>;
/** A rename or delete. */
export type ModelChangeResult = Outcome;

const finite = z.number().refine(Number.isFinite, 'expected a finite number');
const triple = z.tuple([finite, finite, finite]);
const count = z.number().int().nonnegative();

/** A ModelInfo without the fields the store assigns (id, createdAt, bytes): the `library` block a stored model's JSON carries. */
export const modelMetaSchema = z.object({
  lab: z.enum(MODEL_LABS),
  family: z.string().min(1),
  name: z.string(),
  params: count,
  macs: count.nullable(),
  metric: z.object({ name: z.enum(['test accuracy', 'mIoU', 'AP@0.5']), value: finite.nullable() }),
  dataset: z.string(),
  datasetName: z.string(),
  classNames: z.array(z.string()),
  inputSize: z.object({ height: z.number().int().positive(), width: z.number().int().positive() }),
  normalization: z.object({ mean: triple, std: triple }).nullable(),
  provenance: z.object({
    runId: z.string().nullable(),
    steps: count.nullable(),
    seed: z.number().int().nullable(),
    slot: z.string().optional(),
    chain: z.string().optional(),
    compact: z.boolean().optional(),
    method: z.string().optional(),
    role: z.enum(['teacher', 'student']).optional(),
    encoder: z.string().optional(),
    importedFrom: z.string().optional(),
  }),
});

/** A whole stored ModelInfo record. */
export const modelInfoSchema = modelMetaSchema.extend({
  id: z.string().regex(/^m-[a-z0-9-]+$/),
  createdAt: finite,
  bytes: count,
  shipped: z.boolean().optional(),
});

/** The id prefix of a shipped model (public/models/): `m-shipped-segment-low-teacher`, `m-shipped-affinity-teacher`, `m-shipped-detect-conv`. */
export const SHIPPED_MODEL_PREFIX = 'm-shipped-';

export type ModelMeta = Omit<ModelInfo, 'id' | 'createdAt' | 'bytes' | 'shipped'>;
