/**
 * The lab list (DESIGN.md, "Labs are plug-ins"). Adding a lab adds one entry here; everything the
 * other layers need to name labs generically (LabName, configs, live keys, series, extras, lab-only
 * calls and pushes, the URL-hash codec) is derived from this list.
 */
import { AFFINITY_LAB } from './affinity';
import { DETECT_LAB } from './detect';
import { PRUNE_LAB } from './prune';
import { SEGMENT_LAB } from './segment';
import { configToHash, hashToConfigOf, type ConfigOf, type ExtraStateOf, type LiveKeyOf, type NormalizeResult, type PayloadOf } from './spec';
import { TRAIN_LAB } from './train';

export const LABS = [TRAIN_LAB, PRUNE_LAB, SEGMENT_LAB, AFFINITY_LAB, DETECT_LAB] as const;

type AnyLab = (typeof LABS)[number];
export type LabName = AnyLab['id'];
export type LabSpecOf<L extends LabName> = Extract<AnyLab, { id: L }>;
export const LAB_NAMES: readonly LabName[] = LABS.map((l) => l.id);

export function isLabName(v: unknown): v is LabName {
  return typeof v === 'string' && (LAB_NAMES as readonly string[]).includes(v);
}

/** The spec of a lab by name. */
export function labSpec<L extends LabName>(lab: L): LabSpecOf<L> {
  return LABS.find((l) => l.id === lab) as LabSpecOf<L>;
}

/** A lab's run config. */
export type LabConfig<L extends LabName> = ConfigOf<LabSpecOf<L>['fields']>;
export type LabConfigs = { [L in LabName]: LabConfig<L> };
/** Any lab's run config, tagged with its lab. */
export type AnyLabConfig = { [L in LabName]: { lab: L; config: LabConfig<L> } }[LabName];

/** The live keys of a lab, and of all labs. */
export type LabLiveKey<L extends LabName> = LiveKeyOf<LabSpecOf<L>['fields']>;
export type LiveKey = { [L in LabName]: LabLiveKey<L> }[LabName];
export type LiveHyperparams = Record<LiveKey, number>;

/** Series the step loop reports for every lab: engine memory after each step (live tensors, MB in tensors, MB of webgpu buffers). */
export const COMMON_SERIES = ['memory.tensors', 'memory.mb', 'memory.gpuAllocatedMb'] as const;
export type SeriesName = (typeof COMMON_SERIES)[number] | AnyLab['series'][number];

type ExtrasOf<L extends LabName> = LabSpecOf<L>['extras'];
type ExtraKindOf<L extends LabName> = keyof ExtrasOf<L> & string;
/** A payload a run reports beside its series (e.g. the Prune lab's per-layer sparsity), tagged with its kind. */
export type LabExtra = { [L in LabName]: { [K in ExtraKindOf<L>]: { kind: K; payload: PayloadOf<ExtrasOf<L>[K]> } }[ExtraKindOf<L>] }[LabName];
export type ExtraKind = LabExtra['kind'];
/** What the UI keeps of a lab's extras (each kind folded by its spec's reducer). */
export type LabExtrasState<L extends LabName> = { -readonly [K in ExtraKindOf<L>]?: ExtraStateOf<ExtrasOf<L>[K]> };

/** Fold one extra into a run's extras state with its lab's reducer. */
export function reduceExtra(lab: LabName, state: Readonly<Record<string, unknown>>, e: LabExtra): Record<string, unknown> {
  const spec = labSpec(lab).extras as Readonly<Record<string, { reduce(prev: unknown, payload: unknown): unknown }>>;
  const x = spec[e.kind];
  return x ? { ...state, [e.kind]: x.reduce(state[e.kind], e.payload) } : state;
}

/** Extra kinds of which only the latest queued payload matters. */
export const LATEST_ONLY_EXTRAS: ReadonlySet<string> = new Set(
  LABS.flatMap((l) => Object.entries(l.extras as Readonly<Record<string, { latestOnly: boolean }>>).flatMap(([k, x]) => (x.latestOnly ? [k] : []))),
);

/** A lab's lab-only calls (EngineApi.call) and the things its worker pushes outside runs (e.g. the Segment lab's zoo). */
export type LabCalls<L extends LabName> = LabSpecOf<L>['calls'];
export type LabPushes<L extends LabName> = LabSpecOf<L>['pushes'];
/** A push from a lab's worker side: one named value that replaces the last one. */
export type LabPush = {
  [L in LabName]: { [K in keyof LabPushes<L> & string]: { lab: L; name: K; value: LabPushes<L>[K] } }[keyof LabPushes<L> & string];
}[LabName];

/** What a lab's UI may attach to a saved run (declared in its spec). */
export type LabAttachments<L extends LabName> = NonNullable<LabSpecOf<L>['attachments']>;

/** The config of `lab` from a URL hash, reporting every correction. */
export function hashToConfig<L extends LabName>(lab: L, hash: string): NormalizeResult<LabConfig<L>> {
  return hashToConfigOf(labSpec(lab) as unknown as { normalize(raw: Record<string, unknown>): NormalizeResult<LabConfig<L>> }, hash);
}

export { configToHash };
export { TRAIN_LAB, PRUNE_LAB, SEGMENT_LAB, AFFINITY_LAB, DETECT_LAB };
export type { TrainConfig } from './train';
export type { PruneConfig } from './prune';
export type { SegConfig } from './segment';
export type { AffinityConfig } from './affinity';
export type { DetectConfig } from './detect';
export type { ModelName } from './classifyFields';
