/**
 * Detect-lab models as files: a JSON (format, JSON architecture, provenance, weights manifest) + one float32 weight buffer
 * (trainable variables then BN running statistics, manifest order; HWIO conv kernels, [k,k,C,1] depthwise kernels, [in, out]
 * linear kernels).
 */
import { z } from 'zod';
import { disposeParams } from '../params';
import { MAX_MODEL_INPUT_SIZE, MAX_MODEL_SCALARS } from '../serialize';
import { packWeights, unpackWeights, type WeightSpec } from '../weightsFile';
import { DETECT_ENCODERS, type DetectArchitecture } from './detectArch';
import { buildDetector, type DetectModel } from './detector';
import { detectParamCount } from './detectParamCount';

/** The `format` field of a Detect-lab model JSON. */
export const DETECT_MODEL_FORMAT = 'pdw-detection-model';

export interface DetectModelJson {
  format: typeof DETECT_MODEL_FORMAT;
  architecture: DetectArchitecture;
  /** Where the weights came from (run id, dataset, steps, AP, ...): free-form JSON. */
  provenance: Record<string, unknown>;
  weights: WeightSpec[];
}

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const side = int(32, MAX_MODEL_INPUT_SIZE).refine((n) => n % 32 === 0, 'expected a multiple of 32');
const architectureSchema = z.object({
  model: z.literal('detr-mobilenetv3-small'),
  inputHeight: side,
  inputWidth: side,
  widthMultiplier: z.number().positive().max(4),
  d: int(4, 1024).refine((n) => n % 4 === 0, 'expected a multiple of 4'),
  encoder: z.object({ kind: z.enum(DETECT_ENCODERS), layers: int(0, 12), heads: int(1, 64), ffn: int(1, 8192) }),
  decoder: z.object({ layers: int(1, 12), heads: int(1, 64), ffn: int(1, 8192), queries: int(1, 1000) }),
});
const jsonSchema = z.object({
  format: z.literal(DETECT_MODEL_FORMAT),
  architecture: architectureSchema,
  provenance: z.record(z.string(), z.unknown()),
  weights: z
    .array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()).max(4), dtype: z.literal('float32') }))
    .min(1)
    .max(10_000),
});

/** Write a detector with its provenance as JSON + one float32 weight buffer. */
export async function serializeDetector(model: DetectModel, provenance: Record<string, unknown>): Promise<{ json: DetectModelJson; weights: ArrayBuffer }> {
  const { weights, data } = await packWeights(model.store);
  return {
    json: { format: DETECT_MODEL_FORMAT, architecture: structuredClone(model.architecture), provenance: structuredClone(provenance), weights },
    weights: data,
  };
}

/** Parse and check a Detect model JSON (limits: input ≤ MAX_MODEL_INPUT_SIZE; architecture and manifest ≤ MAX_MODEL_SCALARS weights, checked before anything is built); throws one clear sentence. */
export function parseDetectModelJson(json: unknown): DetectModelJson {
  const format = typeof json === 'object' && json !== null ? (json as { format?: unknown }).format : undefined;
  if (format !== DETECT_MODEL_FORMAT) {
    throw new Error(`This is not a Detect-lab model: its format is ${JSON.stringify(format ?? null)}, expected "${DETECT_MODEL_FORMAT}".`);
  }
  const parsed = jsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`The Detect model JSON is invalid at ${issue.path.join('.') || 'its root'}: ${issue.message}.`);
  }
  const scalars = Math.max(
    detectParamCount(parsed.data.architecture).total,
    parsed.data.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0),
  );
  if (scalars > MAX_MODEL_SCALARS) {
    throw new Error(
      `The Detect model has ${scalars.toLocaleString('en-US')} weights; the workbench loads models of at most ${MAX_MODEL_SCALARS.toLocaleString('en-US')}.`,
    );
  }
  return parsed.data;
}

/** Rebuild a detector from its JSON + weights; validates everything, leaks nothing on failure. */
export function loadDetector(json: unknown, weights: ArrayBuffer): { model: DetectModel; provenance: Record<string, unknown> } {
  const parsed = parseDetectModelJson(json);
  let model: DetectModel;
  try {
    model = buildDetector(parsed.architecture, 0);
  } catch (e) {
    throw new Error(`The architecture in the Detect model JSON cannot be built: ${(e as Error).message}`);
  }
  try {
    unpackWeights(model.store, parsed.weights, weights, 'detector');
  } catch (e) {
    disposeParams(model.store);
    throw e;
  }
  return { model, provenance: parsed.provenance };
}
