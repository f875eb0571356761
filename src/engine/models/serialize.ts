/**
 * Model export/import in the tfjs weights format: a model.json (architecture + weights manifest) and
 * one little-endian float32 weights.bin holding every trainable variable and BN running statistic,
 * in manifest order, each named by its ParamStore key (HWIO conv kernels, [in, out] dense kernel).
 */
import { z } from 'zod';
import type { Architecture, Classifier } from './model';
import { disposeParams } from './params';
import { buildModel, modelLayout } from './registry';
import { packWeights, unpackWeights, type WeightSpec } from './weightsFile';

export type { WeightSpec } from './weightsFile';

export const MODEL_FORMAT = 'prune-distill-workbench';

export interface ModelJson {
  format: typeof MODEL_FORMAT;
  architecture: Architecture;
  weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
}

export interface SerializedModel {
  modelJson: ModelJson;
  weightData: ArrayBuffer;
}

const count = z.number().int().positive();
const common = { numClasses: count, inputSize: count };
const architectureSchema = z.discriminatedUnion('model', [
  z.object({ model: z.literal('vgg16'), ...common, channels: z.array(count).length(13) }),
  z.object({
    model: z.literal('resnet18'),
    ...common,
    channels: z.object({ stages: z.array(count).length(4), inner: z.array(count).length(8) }),
    // absent in files written before the field existed: those models were trained with tfjs 'same' (bottom/right) padding
    stridePad: z.enum(['same', 'symmetric']).default('same'),
  }),
]);
const modelJsonSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  architecture: architectureSchema,
  weightsManifest: z
    .array(
      z.object({
        paths: z.array(z.string()),
        weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.literal('float32') })),
      }),
    )
    .min(1),
});

/** Write a classifier as model.json + weights.bin (float32, trainable then BN running stats; HWIO kernels). */
export async function serializeModel(model: Classifier): Promise<SerializedModel> {
  const { weights, data } = await packWeights(model.store);
  return {
    modelJson: { format: MODEL_FORMAT, architecture: structuredClone(model.architecture), weightsManifest: [{ paths: ['weights.bin'], weights }] },
    weightData: data,
  };
}

/** Parse and check a model.json; throws an Error with one clear sentence. */
export function parseModelJson(json: unknown): ModelJson {
  const format = typeof json === 'object' && json !== null ? (json as { format?: unknown }).format : undefined;
  if (format !== MODEL_FORMAT) {
    throw new Error(`This is not a Prune & Distill Workbench model: its format is ${JSON.stringify(format ?? null)}, expected "${MODEL_FORMAT}".`);
  }
  const parsed = modelJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`The model.json is invalid at ${issue.path.join('.') || 'its root'}: ${issue.message}.`);
  }
  return parsed.data;
}

/** Largest input side a loaded model may declare (the workbench's images are 32×32 to 256 wide; a crafted 100000 would make a dense layer of billions of weights). */
export const MAX_MODEL_INPUT_SIZE = 1024;
/** Most scalars (weights + BN statistics) a loaded model may have: twice a full-width VGG-16 (15 M); building that many takes a second or two, not minutes. */
export const MAX_MODEL_SCALARS = 32_000_000;

const scalarsOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Refuse, before anything is built, a model that is absurdly large or whose weight file cannot match its manifest:
 * an uploaded model.json must not block the worker for a minute building variables. Counts from the layout alone
 * (HWIO conv kernels, one BN of 4 vectors after each conv, the dense kernel and bias); throws one clear sentence.
 */
function checkModelSize(json: ModelJson, weightData: ArrayBuffer): void {
  const arch = json.architecture;
  if (arch.inputSize > MAX_MODEL_INPUT_SIZE) {
    throw new Error(
      `The model.json declares an input size of ${arch.inputSize}×${arch.inputSize}; the workbench loads models of at most ${MAX_MODEL_INPUT_SIZE}×${MAX_MODEL_INPUT_SIZE}.`,
    );
  }
  let scalars: number;
  try {
    const layout = modelLayout(arch);
    scalars = layout.convs.reduce((n, c) => n + scalarsOf(c.kernelShape) + 4 * c.kernelShape[3], 0) + (layout.dense.inFeatures + 1) * layout.dense.outFeatures;
  } catch (e) {
    throw new Error(`The architecture in model.json cannot be built: ${(e as Error).message}`);
  }
  if (scalars > MAX_MODEL_SCALARS) {
    throw new Error(
      `The architecture in model.json has ${scalars.toLocaleString('en-US')} weights; the workbench loads models of at most ${MAX_MODEL_SCALARS.toLocaleString('en-US')}.`,
    );
  }
  const bytes = json.weightsManifest.reduce((n, g) => n + g.weights.reduce((m, w) => m + 4 * scalarsOf(w.shape), 0), 0);
  if (weightData.byteLength !== bytes) throw new Error(`The weight file has ${weightData.byteLength} bytes but the manifest describes ${bytes}.`);
}

/** Rebuild a classifier from model.json + weights.bin (the manifest's groups concatenated); validates everything (sizes included) before building. */
export function loadModel(modelJson: unknown, weightData: ArrayBuffer): Classifier {
  const json = parseModelJson(modelJson);
  checkModelSize(json, weightData);
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  let model: Classifier;
  try {
    model = buildModel(json.architecture);
  } catch (e) {
    throw new Error(`The architecture in model.json cannot be built: ${(e as Error).message}`);
  }
  try {
    unpackWeights(model.store, specs, weightData, json.architecture.model);
  } catch (e) {
    disposeParams(model.store);
    throw e;
  }
  return model;
}
