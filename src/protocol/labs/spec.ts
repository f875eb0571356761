/**
 * What a lab declares once (DESIGN.md, "Labs are plug-ins"): its settings (numbers from NumberSpecs,
 * choices, switches, ids), the series its runs report, the payloads beside them (extras), and the
 * types of its lab-only calls and pushes. Everything else (config schema, defaults, the forgiving
 * normaliser of hand-edited links, live keys and their schema) is derived here from the declaration.
 */
import { z } from 'zod';
import { normalizeNumber, numberSchema, type NumberSpec } from '../numberSpec';

/** A setting with a fixed list of values. */
export interface EnumField<T extends string = string> {
  readonly kind: 'enum';
  readonly label: string;
  readonly options: readonly T[];
  readonly default: T;
  /** How each value is shown in a form (the value itself when absent). */
  readonly optionLabels?: Readonly<Record<T, string>>;
}

/** `v` when it is one of `options` (an enum field's values, read back from storage or a file), else undefined. */
export function oneOf<T extends string>(options: readonly T[], v: unknown): T | undefined {
  return (options as readonly unknown[]).includes(v) ? (v as T) : undefined;
}

/** An on/off setting. */
export interface BooleanField {
  readonly kind: 'boolean';
  readonly label: string;
  readonly default: boolean;
}

/** A string id matched by a pattern (a dataset id). */
export interface IdField {
  readonly kind: 'id';
  readonly label: string;
  readonly default: string;
  readonly pattern: RegExp;
  /** What a valid value is, for messages ("a dataset id"). */
  readonly what: string;
  /** The zod message of a bad value. */
  readonly message: string;
}

export type Field = NumberSpec | EnumField | BooleanField | IdField;
export type Fields = Readonly<Record<string, Field>>;

type FieldValue<F> = F extends EnumField<infer T> ? T : F extends BooleanField ? boolean : F extends IdField ? string : number;
/** The run config a lab's fields describe. */
export type ConfigOf<Fs> = { -readonly [K in keyof Fs]: FieldValue<Fs[K]> };
/** The keys of the lab's numeric settings that may change mid-run. */
export type LiveKeyOf<Fs> = { [K in keyof Fs]: Fs[K] extends { readonly live: true } ? K : never }[keyof Fs] & string;
/** The keys of the lab's numeric settings. */
export type NumberKeyOf<Fs> = { [K in keyof Fs]: Fs[K] extends NumberSpec ? K : never }[keyof Fs] & string;

/** A payload a run reports beside its series, and how the UI folds successive payloads into one state. */
export interface ExtraSpec<P, S> {
  readonly reduce: (prev: S | undefined, payload: P) => S;
  /** Only the latest payload of a throttle window matters (the worker drops older queued ones). */
  readonly latestOnly: boolean;
}
export type PayloadOf<E> = E extends ExtraSpec<infer P, infer _S> ? P : never;
export type ExtraStateOf<E> = E extends ExtraSpec<infer _P, infer S> ? S : never;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Extras = Readonly<Record<string, ExtraSpec<any, any>>>;

/** Declare an extra: a payload type P folded into a state S. */
export function extra<P, S>(reduce: (prev: S | undefined, payload: P) => S, opts: { latestOnly?: boolean } = {}): ExtraSpec<P, S> {
  return { reduce, latestOnly: opts.latestOnly ?? false };
}

/** A type carried by a lab spec for the type checker only (lab-only calls and pushes); its value is undefined. */
export function phantom<T>(): T {
  return undefined as unknown as T;
}

/** A cross-field rule a config broke: the field to change, why, and the change that restores the rule. */
export interface RuleBreak<C> {
  key: keyof C & string;
  message: string;
  fix: Partial<C>;
}

export interface LabDeclaration<Id extends string, Fs extends Fields, S extends string, X extends Extras, Calls, Pushes, Attachments = Record<never, never>> {
  readonly id: Id;
  readonly title: string;
  readonly fields: Fs;
  /** The series its runs report (beside the engine's memory series). */
  readonly series: readonly S[];
  readonly extras: X;
  /** Cross-field rules (e.g. the teacher trains without a distillation source). */
  readonly rules?: (c: ConfigOf<Fs>) => RuleBreak<ConfigOf<Fs>>[];
  /** Types only: the lab-only calls the worker answers (EngineApi.call), and what it pushes outside runs. */
  readonly calls: Calls;
  readonly pushes: Pushes;
  /** Types only: what the lab's UI may attach to a saved run after it ended (e.g. the Prune lab's compaction). */
  readonly attachments?: Attachments;
}

export interface NormalizeResult<C> {
  config: C;
  /** One human sentence per value that was clamped, rounded or replaced. */
  issues: string[];
}

/** A declared lab with everything derived from its declaration. */
export interface LabSpec<
  Id extends string,
  Fs extends Fields,
  S extends string,
  X extends Extras,
  Calls,
  Pushes,
  Attachments = Record<never, never>,
> extends LabDeclaration<Id, Fs, S, X, Calls, Pushes, Attachments> {
  /** The strict zod schema of a run config (the worker validates every start with it). */
  readonly schema: z.ZodType<ConfigOf<Fs>>;
  readonly liveKeys: readonly LiveKeyOf<Fs>[];
  /** A partial change of live settings (strict: other keys are refused). */
  readonly liveSchema: z.ZodType<Partial<Record<LiveKeyOf<Fs>, number>>>;
  /** The numeric settings by key. */
  readonly numbers: Readonly<Record<NumberKeyOf<Fs>, NumberSpec>>;
  defaults(): ConfigOf<Fs>;
  /** Turn untrusted input (URL hash, stored run) into a valid config, reporting every correction. */
  normalize(raw: Record<string, unknown>): NormalizeResult<ConfigOf<Fs>>;
}

const isNumberSpec = (f: Field): f is NumberSpec => !('kind' in f);

function fieldSchema(f: Field): z.ZodType {
  if (isNumberSpec(f)) return numberSchema(f);
  switch (f.kind) {
    case 'enum':
      return z.enum(f.options as [string, ...string[]]);
    case 'boolean':
      return z.boolean();
    case 'id':
      return z.string().regex(f.pattern, f.message);
  }
}

function normalizeField(key: string, f: Field, v: unknown, issues: string[]): unknown {
  if (isNumberSpec(f)) return normalizeNumber(key, f, v, issues);
  switch (f.kind) {
    case 'enum':
      if (typeof v === 'string' && (f.options as readonly string[]).includes(v)) return v;
      issues.push(`${key}: "${String(v)}" is not one of ${f.options.join(', ')}; using ${f.default}.`);
      return f.default;
    case 'boolean':
      if (v === true || v === 'true' || v === '1') return true;
      if (v === false || v === 'false' || v === '0') return false;
      issues.push(`${key}: "${String(v)}" is not true or false; using ${f.default}.`);
      return f.default;
    case 'id':
      if (typeof v === 'string' && f.pattern.test(v)) return v;
      issues.push(`${key}: "${String(v)}" is not ${f.what}; using ${f.default}.`);
      return f.default;
  }
}

/** Derive a lab's schema, defaults, live keys and normaliser from its declaration. */
export function defineLab<
  const Id extends string,
  const Fs extends Fields,
  const S extends string,
  const X extends Extras,
  Calls,
  Pushes,
  Attachments = Record<never, never>,
>(d: LabDeclaration<Id, Fs, S, X, Calls, Pushes, Attachments>): LabSpec<Id, Fs, S, X, Calls, Pushes, Attachments> {
  type C = ConfigOf<Fs>;
  const keys = Object.keys(d.fields);
  const shape = Object.fromEntries(keys.map((k) => [k, fieldSchema(d.fields[k]!)]));
  const schema = z
    .object(shape)
    .strict()
    .superRefine((c, ctx) => {
      for (const b of d.rules?.(c as C) ?? []) ctx.addIssue({ code: 'custom', path: [b.key], message: b.message });
    }) as unknown as z.ZodType<C>;
  const liveKeys = keys.filter((k) => {
    const f = d.fields[k]!;
    return isNumberSpec(f) && f.live === true;
  }) as LiveKeyOf<Fs>[];
  const liveSchema = z
    .object(Object.fromEntries(liveKeys.map((k) => [k, shape[k]!])))
    .partial()
    .strict() as unknown as z.ZodType<Partial<Record<LiveKeyOf<Fs>, number>>>;
  const numbers = Object.fromEntries(keys.filter((k) => isNumberSpec(d.fields[k]!)).map((k) => [k, d.fields[k]])) as Record<NumberKeyOf<Fs>, NumberSpec>;
  const defaults = (): C => Object.fromEntries(keys.map((k) => [k, d.fields[k]!.default])) as C;
  const normalize = (raw: Record<string, unknown>): NormalizeResult<C> => {
    const issues: string[] = [];
    const base = defaults() as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = k in raw && raw[k] !== undefined ? normalizeField(k, d.fields[k]!, raw[k], issues) : base[k];
    for (const k of Object.keys(raw)) if (!(k in d.fields)) issues.push(`Unknown setting "${k}" was ignored.`);
    for (const b of d.rules?.(out as C) ?? []) {
      issues.push(`${b.key}: ${b.message}; using ${Object.values(b.fix).map(String).join(', ')}.`);
      Object.assign(out, b.fix);
    }
    return { config: schema.parse(out), issues };
  };
  return { ...d, schema, liveKeys, liveSchema, numbers, defaults, normalize };
}

/** Serialise a config to a hash fragment like `#model=vgg16&width=0.25&…`. */
export function configToHash(config: object): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(config)) params.set(k, String(v));
  return `#${params.toString()}`;
}

/** Parse a hash fragment into a valid config of `lab`, with a sentence for every value that had to change. */
export function hashToConfigOf<C>(lab: { normalize(raw: Record<string, unknown>): NormalizeResult<C> }, hash: string): NormalizeResult<C> {
  const raw: Record<string, unknown> = {};
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  try {
    for (const [k, v] of new URLSearchParams(body)) raw[k] = v;
  } catch {
    return { ...lab.normalize({}), issues: ["The link's settings could not be read; the defaults are used."] };
  }
  return lab.normalize(raw);
}
