/**
 * Segment-lab models as files: `<name>.json` (format, JSON architecture, provenance, weights manifest)
 * + `<name>.bin` (float32: trainable variables then BN running statistics, manifest order; HWIO kernels).
 * The shipped demo weights in public/models/segment/ are in this format.
 */
import { z } from 'zod';
import { disposeParams } from '../params';
import { packWeights, unpackWeights, type WeightSpec } from '../weightsFile';
import type { UpscaleName } from '../../../protocol/labs/segment';
import { buildSegModel } from './registry';
import type { SegArchitecture, SegModel } from './segModel';

export const SEG_MODEL_FORMAT = 'pdw-segmentation-model';

/** Where a model's weights came from: how it was trained and how good it is. */
export interface SegProvenance {
  /** 'teacher' | 'tutor' | 'student-bilinear' | 'student-pixelshuffle'. */
  slot: string;
  /** The distillation chain it was trained with ('none', 'teacher-student', 'teacher-tutor-student'). */
  chain: string;
  size: 'low' | 'high';
  dataset: string;
  classNames: string[];
  palette: [number, number, number][];
  steps: number;
  seed: number;
  /** Validation mIoU at the end of training (0–1). */
  mIoU: number;
  /** Wall-clock seconds of training. */
  seconds: number;
  /** Who trained it: 'npm run pretrain:segment' or a run id. */
  origin: string;
}

export interface SegModelJson {
  format: typeof SEG_MODEL_FORMAT;
  architecture: SegArchitecture;
  provenance: SegProvenance;
  weights: WeightSpec[];
}

const int = z.number().int().positive();
const cells = z.array(z.object({ op: z.enum(['conv', 'conv2', 'zoomed']), down: z.boolean() }));
const plan = z.object({ stem: z.tuple([int, int, int]), c16: int, c32: int, head: int, branchA: cells, branchB: cells });
const common = { numClasses: int, inputHeight: int, inputWidth: int };
/** The upscaling variants a saved student or tutor may name (protocol's UPSCALES; a test keeps the two equal). */
export const SAVED_UPSCALES = ['bilinear', 'ps-agg', 'ps-head', 'ps-both', 'ps-head4', 'pixelshuffle'] as const satisfies readonly UpscaleName[];
const upscale = z.enum(SAVED_UPSCALES);
const architectureSchema = z.discriminatedUnion('model', [
  z.object({ model: z.literal('seg-student'), ...common, upscale, plan }),
  z.object({ model: z.literal('seg-tutor'), ...common, upscale, plan, hr: int }),
  z.object({
    model: z.literal('seg-teacher'),
    ...common,
    stem: int,
    streams: z.tuple([int, int, int, int]),
    blocks: int,
    modules: z.tuple([int, int, int, int]),
    refine: int.optional(),
    refineFull: int.optional(),
  }),
]);
const colour = z.tuple([z.number().int(), z.number().int(), z.number().int()]);
const jsonSchema = z.object({
  format: z.literal(SEG_MODEL_FORMAT),
  architecture: architectureSchema,
  provenance: z.object({
    slot: z.string(),
    chain: z.string(),
    size: z.enum(['low', 'high']),
    dataset: z.string(),
    classNames: z.array(z.string()).min(1),
    palette: z.array(colour),
    steps: z.number().int().nonnegative(),
    seed: z.number().int(),
    mIoU: z.number(),
    seconds: z.number(),
    origin: z.string(),
  }),
  weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.literal('float32') })).min(1),
});

/** Write a segmentation model with its provenance as JSON + one float32 weight buffer. */
export async function serializeSegModel(model: SegModel, provenance: SegProvenance): Promise<{ json: SegModelJson; weights: ArrayBuffer }> {
  const { weights, data } = await packWeights(model.store);
  return {
    json: { format: SEG_MODEL_FORMAT, architecture: structuredClone(model.architecture), provenance: structuredClone(provenance), weights },
    weights: data,
  };
}

/** Parse and check a segmentation model JSON; throws one clear sentence. */
export function parseSegModelJson(json: unknown): SegModelJson {
  const format = typeof json === 'object' && json !== null ? (json as { format?: unknown }).format : undefined;
  if (format !== SEG_MODEL_FORMAT)
    throw new Error(`This is not a Segment-lab model: its format is ${JSON.stringify(format ?? null)}, expected "${SEG_MODEL_FORMAT}".`);
  const parsed = jsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`The segmentation model JSON is invalid at ${issue.path.join('.') || 'its root'}: ${issue.message}.`);
  }
  const p = parsed.data;
  if (p.provenance.classNames.length !== p.architecture.numClasses) {
    throw new Error(`The model predicts ${p.architecture.numClasses} classes but its provenance names ${p.provenance.classNames.length}.`);
  }
  return p as SegModelJson;
}

/** Rebuild a segmentation model from its JSON + weights; validates everything, leaks nothing on failure. */
export function loadSegModel(json: unknown, weights: ArrayBuffer): { model: SegModel; provenance: SegProvenance } {
  const parsed = parseSegModelJson(json);
  let model: SegModel;
  try {
    model = buildSegModel(parsed.architecture);
  } catch (e) {
    throw new Error(`The architecture in the segmentation model JSON cannot be built: ${(e as Error).message}`);
  }
  try {
    unpackWeights(model.store, parsed.weights, weights, parsed.architecture.model);
  } catch (e) {
    disposeParams(model.store);
    throw e;
  }
  return { model, provenance: parsed.provenance };
}
