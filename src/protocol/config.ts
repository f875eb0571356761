/** Run configuration: schema, defaults, and a forgiving normaliser for hand-edited input. */
import { z } from 'zod';
import { BUILTIN_DATASET_ID, DATASET_ID_PATTERN } from './datasets';
import { SEG_PARAMS, type SegParamKey } from './segment';
import { TRAIN_PARAMS, type NumberSpec, type TrainParamKey, type LiveKey, LIVE_KEYS, formatWidth } from './params';

export const MODELS = ['vgg16', 'resnet18'] as const;
export type ModelName = (typeof MODELS)[number];

/** Prune lab choices (TECHNIQUES.md §1). */
export const PRUNE_METHODS = ['none', 'gl-penalty', 'gl-prox', 'rgsm'] as const;
export type PruneMethodName = (typeof PRUNE_METHODS)[number];
export const PROX_KINDS = ['hard', 'soft'] as const;
export const GROUPINGS = ['input', 'output'] as const;
export const LR_SCHEDULES = ['step', 'cosine', 'constant'] as const;

/** The labs that run training in the worker. */
export const LABS = ['train', 'prune'] as const;
export type LabName = (typeof LABS)[number];

function numberSchema(spec: NumberSpec) {
  let s = z.number().finite().min(spec.min).max(spec.max);
  if (spec.integer) s = s.int();
  if (spec.choices) {
    const choices = spec.choices;
    return s.refine((v) => choices.some((c) => Math.abs(c - v) < 1e-9), { message: `must be one of ${choices.join(', ')}` });
  }
  return s;
}

const shape = Object.fromEntries((Object.keys(TRAIN_PARAMS) as TrainParamKey[]).map((k) => [k, numberSchema(TRAIN_PARAMS[k])])) as unknown as Record<
  TrainParamKey,
  z.ZodType<number>
>;

export const TrainConfigSchema = z
  .object({
    model: z.enum(MODELS),
    /** 'shapes' (built-in) or the id of an imported dataset. */
    dataset: z.string().regex(DATASET_ID_PATTERN, 'must be "shapes" or an imported dataset id'),
    /** Random crop (padding 4) and horizontal flip of every training image. */
    augment: z.boolean(),
    method: z.enum(PRUNE_METHODS),
    prox: z.enum(PROX_KINDS),
    grouping: z.enum(GROUPINGS),
    schedule: z.enum(LR_SCHEDULES),
    ...shape,
  })
  .strict();
export type TrainConfig = z.infer<typeof TrainConfigSchema>;

export const LiveHyperparamsSchema = z
  .object(
    Object.fromEntries(LIVE_KEYS.map((k) => [k, k in shape ? shape[k as TrainParamKey] : numberSchema(SEG_PARAMS[k as SegParamKey])])) as Record<
      LiveKey,
      z.ZodType<number>
    >,
  )
  .partial()
  .strict();
export type LiveHyperparams = Record<LiveKey, number>;

export function defaultConfig(): TrainConfig {
  const nums = Object.fromEntries((Object.keys(TRAIN_PARAMS) as TrainParamKey[]).map((k) => [k, TRAIN_PARAMS[k].default])) as Record<TrainParamKey, number>;
  return { model: 'vgg16', dataset: BUILTIN_DATASET_ID, augment: true, method: 'rgsm', prox: 'hard', grouping: 'input', schedule: 'step', ...nums };
}

export interface NormalizeResult {
  config: TrainConfig;
  /** One human sentence per value that was clamped, rounded or replaced by its default. */
  issues: string[];
}

/** Coerce one raw value to a spec: parse, round, clamp, snap to a choice. */
export function normalizeNumber(key: string, spec: NumberSpec, raw: unknown, issues: string[]): number {
  const v = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(v)) {
    issues.push(`${spec.label} (${key}): "${String(raw)}" is not a number; using the default ${spec.default}.`);
    return spec.default;
  }
  let out = spec.integer ? Math.round(v) : v;
  if (out < spec.min || out > spec.max) {
    const clamped = Math.min(spec.max, Math.max(spec.min, out));
    issues.push(`${spec.label} (${key}): ${v} is outside ${spec.min}…${spec.max}; clamped to ${clamped}.`);
    out = clamped;
  }
  if (spec.choices) {
    const nearest = spec.choices.reduce((a, b) => (Math.abs(Math.log(b / out)) < Math.abs(Math.log(a / out)) ? b : a));
    if (Math.abs(nearest - out) > 1e-9) {
      issues.push(`${spec.label} (${key}): ${v} is not offered; using ${key === 'width' ? formatWidth(nearest) : nearest}.`);
    }
    out = nearest;
  }
  return out;
}

/** Turn untrusted input (URL hash, stored run) into a valid config, reporting every correction. */
export function normalizeConfig(raw: Record<string, unknown>): NormalizeResult {
  const issues: string[] = [];
  const base = defaultConfig();
  const nums = {} as Record<TrainParamKey, number>;
  for (const key of Object.keys(TRAIN_PARAMS) as TrainParamKey[]) {
    nums[key] = key in raw ? normalizeNumber(key, TRAIN_PARAMS[key], raw[key], issues) : base[key];
  }
  const pickEnum = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const v = raw[key];
    if (v === undefined) return fallback;
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    issues.push(`${key}: "${String(v)}" is not one of ${allowed.join(', ')}; using ${fallback}.`);
    return fallback;
  };
  const config: TrainConfig = {
    model: pickEnum('model', MODELS, base.model),
    dataset: pickDataset(raw.dataset, base.dataset, issues),
    augment: pickBoolean('augment', raw.augment, base.augment, issues),
    method: pickEnum('method', PRUNE_METHODS, base.method),
    prox: pickEnum('prox', PROX_KINDS, base.prox),
    grouping: pickEnum('grouping', GROUPINGS, base.grouping),
    schedule: pickEnum('schedule', LR_SCHEDULES, base.schedule),
    ...nums,
  };
  const known = new Set<string>(['model', 'dataset', 'augment', 'method', 'prox', 'grouping', 'schedule', ...Object.keys(TRAIN_PARAMS)]);
  for (const key of Object.keys(raw)) if (!known.has(key)) issues.push(`Unknown setting "${key}" was ignored.`);
  return { config: TrainConfigSchema.parse(config), issues };
}

function pickDataset(v: unknown, fallback: string, issues: string[]): string {
  if (v === undefined) return fallback;
  if (typeof v === 'string' && DATASET_ID_PATTERN.test(v)) return v;
  issues.push(`dataset: "${String(v)}" is not a dataset id; using ${fallback}.`);
  return fallback;
}

function pickBoolean(key: string, v: unknown, fallback: boolean, issues: string[]): boolean {
  if (v === undefined) return fallback;
  if (v === true || v === 'true' || v === '1') return true;
  if (v === false || v === 'false' || v === '0') return false;
  issues.push(`${key}: "${String(v)}" is not true or false; using ${fallback}.`);
  return fallback;
}
