/**
 * Model export/import in the tfjs weights format: a model.json (architecture + weights manifest) and
 * one little-endian float32 weights.bin holding every trainable variable and BN running statistic,
 * in manifest order, each named by its ParamStore key (HWIO conv kernels, [in, out] dense kernel).
 */
import { z } from 'zod';
import type { Architecture, Classifier } from './model';
import { disposeParams } from './params';
import { buildModel } from './registry';
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
  z.object({ model: z.literal('resnet18'), ...common, channels: z.object({ stages: z.array(count).length(4), inner: z.array(count).length(8) }) }),
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

/** Rebuild a classifier from model.json + weights.bin (the manifest's groups concatenated); validates everything first. */
export function loadModel(modelJson: unknown, weightData: ArrayBuffer): Classifier {
  const json = parseModelJson(modelJson);
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
