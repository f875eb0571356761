/**
 * Affinity-lab models as files: a JSON (format, JSON architecture, provenance, weights manifest) + one float32 weight buffer
 * (trainable variables then BN running statistics, manifest order; HWIO conv kernels, [k,k,C,1] depthwise kernels).
 */
import { z } from 'zod';
import { disposeParams } from '../params';
import { packWeights, unpackWeights, type WeightSpec } from '../weightsFile';
import { buildAffinityNet, type AffinityArchitecture, type AffinityNet } from './affinityNet';

export const AFFINITY_MODEL_FORMAT = 'pdw-affinity-model';

export interface AffinityModelJson {
  format: typeof AFFINITY_MODEL_FORMAT;
  architecture: AffinityArchitecture;
  /** Where the weights came from (run id, dataset, steps, accuracy, ...): free-form JSON. */
  provenance: Record<string, unknown>;
  weights: WeightSpec[];
}

const int = z.number().int().positive();
const architectureSchema = z.object({
  kind: z.literal('affinity-net'),
  role: z.enum(['teacher', 'student']),
  width: z.number().positive(),
  numClasses: int,
  inputSize: int.refine((n) => n % 8 === 0, 'expected a multiple of 8'),
  stem: int,
  stages: z.array(z.object({ channels: int, repeats: int, expand: int, kernel: z.union([z.literal(3), z.literal(5)]) })).length(4),
  head: int,
});
const jsonSchema = z.object({
  format: z.literal(AFFINITY_MODEL_FORMAT),
  architecture: architectureSchema,
  provenance: z.record(z.string(), z.unknown()),
  weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.literal('float32') })).min(1),
});

/** Write an AffinityNet with its provenance as JSON + one float32 weight buffer. */
export async function serializeAffinityNet(net: AffinityNet, provenance: Record<string, unknown>): Promise<{ json: AffinityModelJson; weights: ArrayBuffer }> {
  const { weights, data } = await packWeights(net.store);
  return {
    json: { format: AFFINITY_MODEL_FORMAT, architecture: structuredClone(net.architecture), provenance: structuredClone(provenance), weights },
    weights: data,
  };
}

/** Parse and check an Affinity model JSON; throws one clear sentence. */
export function parseAffinityModelJson(json: unknown): AffinityModelJson {
  const format = typeof json === 'object' && json !== null ? (json as { format?: unknown }).format : undefined;
  if (format !== AFFINITY_MODEL_FORMAT) {
    throw new Error(`This is not an Affinity-lab model: its format is ${JSON.stringify(format ?? null)}, expected "${AFFINITY_MODEL_FORMAT}".`);
  }
  const parsed = jsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`The Affinity model JSON is invalid at ${issue.path.join('.') || 'its root'}: ${issue.message}.`);
  }
  return parsed.data;
}

/** Rebuild an AffinityNet from its JSON + weights; validates everything, leaks nothing on failure. */
export function loadAffinityNet(json: unknown, weights: ArrayBuffer): { net: AffinityNet; provenance: Record<string, unknown> } {
  const parsed = parseAffinityModelJson(json);
  let net: AffinityNet;
  try {
    net = buildAffinityNet(parsed.architecture, 0);
  } catch (e) {
    throw new Error(`The architecture in the Affinity model JSON cannot be built: ${(e as Error).message}`);
  }
  try {
    unpackWeights(net.store, parsed.weights, weights, `Affinity ${parsed.architecture.role}`);
  } catch (e) {
    disposeParams(net.store);
    throw e;
  }
  return { net, provenance: parsed.provenance };
}
