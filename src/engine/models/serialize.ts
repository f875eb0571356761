/**
 * Model export/import in the tfjs weights format: a model.json (architecture + weights manifest) and
 * one little-endian float32 weights.bin holding every trainable variable and BN running statistic,
 * in manifest order, each named by its ParamStore key (HWIO conv kernels, [in, out] dense kernel).
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Architecture, Classifier } from './model';
import { disposeParams } from './params';
import { buildModel } from './registry';

export const MODEL_FORMAT = 'prune-distill-workbench';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32';
}

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
    .array(z.object({ paths: z.array(z.string()), weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.literal('float32') })) }))
    .min(1),
});

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** Write a classifier as model.json + weights.bin (float32, trainable then BN running stats; HWIO kernels). */
export async function serializeModel(model: Classifier): Promise<SerializedModel> {
  const vars = [...model.store.trainable, ...model.store.state];
  const weights: WeightSpec[] = vars.map(([name, v]) => ({ name, shape: [...v.shape], dtype: 'float32' }));
  const data = new Float32Array(vars.reduce((n, [, v]) => n + v.size, 0));
  let offset = 0;
  for (const [, v] of vars) {
    data.set((await v.data()) as Float32Array, offset);
    offset += v.size;
  }
  return {
    modelJson: { format: MODEL_FORMAT, architecture: structuredClone(model.architecture), weightsManifest: [{ paths: ['weights.bin'], weights }] },
    weightData: data.buffer,
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
  const bytes = specs.reduce((n, s) => n + 4 * size(s.shape), 0);
  if (weightData.byteLength !== bytes) throw new Error(`The weight file has ${weightData.byteLength} bytes but the manifest describes ${bytes}.`);
  let model: Classifier;
  try {
    model = buildModel(json.architecture);
  } catch (e) {
    throw new Error(`The architecture in model.json cannot be built: ${(e as Error).message}`);
  }
  try {
    const byName = new Map<string, WeightSpec>();
    for (const s of specs) {
      if (byName.has(s.name)) throw new Error(`The weights manifest lists '${s.name}' twice.`);
      byName.set(s.name, s);
    }
    const targets = new Map([...model.store.trainable, ...model.store.state]);
    for (const [name, v] of targets) {
      const s = byName.get(name);
      if (!s) throw new Error(`The weights manifest lacks '${name}', which this ${json.architecture.model} architecture needs.`);
      if (!same(s.shape, v.shape)) throw new Error(`Weight '${name}' has shape [${s.shape.join(', ')}] but the architecture needs [${v.shape.join(', ')}].`);
    }
    const extra = specs.find((s) => !targets.has(s.name));
    if (extra) throw new Error(`The weights manifest lists '${extra.name}', which this ${json.architecture.model} architecture does not have.`);
    let offset = 0;
    for (const s of specs) {
      const n = size(s.shape);
      const t = tf.tensor(new Float32Array(weightData, offset * 4, n).slice(), s.shape, 'float32');
      targets.get(s.name)!.assign(t);
      t.dispose();
      offset += n;
    }
  } catch (e) {
    disposeParams(model.store);
    throw e;
  }
  return model;
}
