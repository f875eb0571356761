/**
 * "Train the chain" (issue #15 item 5), the pure part: the stages of the recipe the shipped zoo came from (teacher →
 * optionally the teacher's second phase, trained on from its own weights → tutor distilled from it → both students
 * distilled through the tutor), each stage's config from the form's settings and the per-stage plan, the chain's saved
 * state, and its progress and ETA over the whole chain. The driver (chainDriver.ts) runs the stages.
 */
import type { HyperparamChange } from '../../../protocol/events';
import { oneOf } from '../../../protocol/labs/spec';
import {
  SEGMENT_LAB,
  SEG_SIZES,
  SEG_TEACHER_HEADS,
  SEG_SIZE_PIXELS,
  type SegAffinityLoss,
  type SegClassBalance,
  type SegConfig,
  type SegTeacherHead,
  type SegSizeName,
  type SegSlot,
  type SegZooInfo,
} from '../../../protocol/labs/segment';

/**
 * The stages, in the order they run: each fills the zoo slot of its name, the teacher's second phase ('teacher-finetune':
 * trained on from the first phase's weights, as the shipped teacher was) the teacher's slot. The second phase runs only
 * when the plan gives it steps.
 */
export const CHAIN_STAGES = ['teacher', 'teacher-finetune', 'tutor', 'student-bilinear', 'student-pixelshuffle'] as const;
export type ChainStageId = (typeof CHAIN_STAGES)[number];

/** The zoo slot a stage fills. */
export function stageSlot(id: ChainStageId): SegSlot {
  return id === 'teacher-finetune' ? 'teacher' : id;
}

/** Whether a stage trains the teacher (its first or second phase). */
export const isTeacherStage = (id: ChainStageId): boolean => stageSlot(id) === 'teacher';

/** pending: not run yet (or to run again); running: its run is going; done: its model holds its zoo slot. */
export type ChainStageStatus = 'pending' | 'running' | 'done' | 'stopped' | 'error';
export type ChainStatus = 'running' | 'paused' | 'failed' | 'done';

export interface ChainStage {
  id: ChainStageId;
  /** The zoo slot it fills (stageSlot(id)). */
  slot: SegSlot;
  config: SegConfig;
  status: ChainStageStatus;
  /** The run of its latest try (null before the first). */
  runId: string | null;
  /** Measured seconds per training step (its run's smoothed step time), once it ran; the ETA of later stages scales from it. */
  secondsPerStep: number | null;
}

export interface ChainState {
  version: 1;
  startedAt: number;
  status: ChainStatus;
  stages: ChainStage[];
  /** What happened last, in a sentence (why it paused or failed, or that it is done); null while all goes well. */
  message: string | null;
}

/** Which zoo slot a stage distils from (frozen): the tutor from the teacher, both students from the tutor. */
export function stageSource(slot: SegSlot): SegSlot | null {
  return slot === 'teacher' ? null : slot === 'tutor' ? 'teacher' : 'tutor';
}

/**
 * What a stage may set apart from the form: its steps, class balancing, learning rate and Lovász-softmax weight, (distilled
 * stages) its affinity term and (teacher stages) the teacher's head.
 */
export interface StageSettings {
  steps: number;
  classBalance: SegClassBalance;
  affinityLoss: SegAffinityLoss;
  lr: number;
  lovaszWeight: number;
  teacherHead: SegTeacherHead;
  seed: number;
}
/**
 * Per-stage settings that differ from the form's (a stage or key left out takes the form's value; the teacher's second
 * phase takes the first phase's, and runs only when its steps are set).
 */
export type ChainPlan = Partial<Record<ChainStageId, Partial<StageSettings>>>;

/** The keys a plan may set, in the order the stage table shows them. */
export const STAGE_SETTING_KEYS = [
  'steps',
  'classBalance',
  'affinityLoss',
  'lr',
  'lovaszWeight',
  'teacherHead',
  'seed',
] as const satisfies readonly (keyof StageSettings)[];

/** Whether a stage takes a setting: the affinity term only a distilled stage, the teacher's head only a teacher stage. */
export function stageTakes(id: ChainStageId, key: keyof StageSettings): boolean {
  if (key === 'affinityLoss') return !isTeacherStage(id);
  if (key === 'teacherHead') return isTeacherStage(id);
  return true;
}

/** Whether the plan runs the teacher's second phase (it gives it steps). */
export const runsSecondPhase = (plan: ChainPlan): boolean => plan['teacher-finetune']?.steps !== undefined;

/**
 * A stage's config from the form's and the plan's, whether the chain runs it or not: every stage takes the data, size,
 * flip, class balancing, batch size, steps, losses, optimiser, evaluation and seed settings of the form, then its own
 * settings (steps, class balancing, affinity term, lr, Lovász weight, teacher head, seed) from the plan where it sets them (those a stage does not take are ignored); the teacher trains on labels alone
 * (no KD, no affinity term); its second phase takes the first phase's plan, then its own, and trains on from the zoo's
 * teacher (the first phase's model, which holds the slot by then); the tutor is distilled from the teacher and both
 * students through the tutor (α, T and the affinity term apply to these three); the tutor and the bilinear student
 * upsample bilinearly, the PixelShuffle student with the form's variant (variant (a) when the form says bilinear).
 */
export function stageConfig(form: SegConfig, plan: ChainPlan, id: ChainStageId): SegConfig {
  const ps = form.upscale === 'bilinear' ? 'ps-agg' : form.upscale;
  const own = (stage: ChainStageId): Partial<SegConfig> => {
    const p = plan[stage] ?? {};
    const out: Partial<SegConfig> = {};
    for (const k of STAGE_SETTING_KEYS) if (p[k] !== undefined && stageTakes(stage, k)) (out as Record<string, unknown>)[k] = p[k];
    return out;
  };
  const teacher = { model: 'teacher', chain: 'none', upscale: 'bilinear', affinityLoss: 'none' } as const;
  switch (id) {
    case 'teacher':
      return { ...form, ...own('teacher'), ...teacher, startFrom: 'fresh' };
    case 'teacher-finetune':
      return { ...form, ...own('teacher'), ...own('teacher-finetune'), ...teacher, startFrom: 'zoo' };
    case 'tutor':
      return { ...form, ...own('tutor'), model: 'tutor', chain: 'teacher-student', upscale: 'bilinear', startFrom: 'fresh' };
    case 'student-bilinear':
      return { ...form, ...own(id), model: 'student', chain: 'teacher-tutor-student', upscale: 'bilinear', startFrom: 'fresh' };
    case 'student-pixelshuffle':
      return { ...form, ...own(id), model: 'student', chain: 'teacher-tutor-student', upscale: ps, startFrom: 'fresh' };
  }
}

/** The stages the chain runs (the second phase only when the plan gives it steps), each with its config. */
export function chainStageConfigs(form: SegConfig, plan: ChainPlan = {}): { id: ChainStageId; config: SegConfig }[] {
  return CHAIN_STAGES.filter((id) => id !== 'teacher-finetune' || runsSecondPhase(plan)).map((id) => ({ id, config: stageConfig(form, plan, id) }));
}

/** Whether a plan sets anything (an empty one: every stage as the form). */
export function planSetsAnything(plan: ChainPlan): boolean {
  return Object.values(plan).some((p) => p && Object.values(p).some((v) => v !== undefined));
}

/**
 * The plan the shipped zoo was trained with, from the zoo's shipped models at a size (the other size's when this one has
 * none): each stage's steps, and its class balancing, affinity term, teacher head and seed where its manifest names them; a
 * teacher with a second phase gives the first phase's steps and head (plain when the second phase added the refinement,
 * refined when it added only the full-resolution stage)
 * and the second phase's steps, lr, Lovász-softmax weight and head. Null when the zoo holds no shipped model (they were
 * replaced, or none loaded). The form's other settings (teacher width, training images, batch, first-phase lr…) are not
 * part of a plan; the README names the shipped zoo's.
 */
export function shippedPlan(zoo: SegZooInfo | null, size: SegSizeName): ChainPlan | null {
  for (const sz of [size, ...SEG_SIZES.filter((s) => s !== size)]) {
    const plan: ChainPlan = {};
    for (const e of zoo?.entries ?? [])
      if (e.size === sz && e.origin === 'shipped' && (CHAIN_STAGES as readonly string[]).includes(e.slot)) {
        // A teacher with a second phase counts both phases' steps; the chain's teacher stage is the first phase.
        const ft = e.slot === 'teacher' ? e.recipe?.finetune : undefined;
        const steps = e.steps - (ft?.steps ?? 0);
        const p: Partial<StageSettings> = steps >= 1 ? { steps } : {};
        if (e.recipe?.seed !== undefined) p.seed = e.recipe.seed;
        if (e.recipe?.classBalance) p.classBalance = e.recipe.classBalance;
        if (e.slot !== 'teacher' && e.recipe?.affinityLoss) p.affinityLoss = e.recipe.affinityLoss;
        const head = e.recipe?.teacherHead;
        if (e.slot === 'teacher' && head) p.teacherHead = ft?.addsRefine ? 'plain' : ft?.addsRefineFull ? 'refined' : head;
        plan[e.slot] = p;
        if (ft && ft.steps >= 1)
          plan['teacher-finetune'] = { steps: ft.steps, lr: ft.lr, lovaszWeight: ft.lovaszWeight, ...(head ? { teacherHead: head } : {}) };
      }
    if (planSetsAnything(plan)) return plan;
  }
  return null;
}

/** A plan read back from storage: only known stages and keys (those the stage takes) with values the lab's fields accept; {} when the text is not one. */
export function parsePlan(text: string | null): ChainPlan {
  if (!text) return {};
  try {
    const v = JSON.parse(text) as Record<string, Record<string, unknown>>;
    const f = SEGMENT_LAB.fields;
    const plan: ChainPlan = {};
    const inRange = (x: unknown, r: { min: number; max: number }, integer = false) =>
      typeof x === 'number' && Number.isFinite(x) && (!integer || Number.isInteger(x)) && x >= r.min && x <= r.max ? x : undefined;
    for (const id of CHAIN_STAGES) {
      const p = v?.[id];
      if (!p || typeof p !== 'object') continue;
      const read: Partial<StageSettings> = {
        steps: inRange(p.steps, f.steps, true),
        classBalance: oneOf(f.classBalance.options, p.classBalance) ?? undefined,
        affinityLoss: oneOf(f.affinityLoss.options, p.affinityLoss) ?? undefined,
        lr: inRange(p.lr, f.lr),
        lovaszWeight: inRange(p.lovaszWeight, f.lovaszWeight),
        teacherHead: oneOf(f.teacherHead.options, p.teacherHead) ?? undefined,
        seed: inRange(p.seed, f.seed, true),
      };
      const out: Partial<StageSettings> = {};
      for (const k of STAGE_SETTING_KEYS) if (read[k] !== undefined && stageTakes(id, k)) (out as Record<string, unknown>)[k] = read[k];
      if (Object.keys(out).length) plan[id] = out;
    }
    return plan;
  } catch {
    return {};
  }
}

/** Why the form's settings cannot make a chain (the first stage config the lab's schema refuses), or null. */
export function chainConfigProblem(form: SegConfig, plan: ChainPlan = {}): string | null {
  const stages = chainStageConfigs(form, plan);
  for (const { id, config } of stages) {
    const parsed = SEGMENT_LAB.schema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return `The ${id} stage's setting ${issue?.path.join('.') || 'config'}: ${issue?.message ?? 'invalid'}.`;
    }
  }
  const [first, second] = stages.map((s) => s.config);
  const rank = (h: SegTeacherHead) => SEG_TEACHER_HEADS.indexOf(h);
  if (runsSecondPhase(plan) && rank(second!.teacherHead) < rank(first!.teacherHead))
    return `The teacher's second phase cannot drop heads its first phase trains (${first!.teacherHead} → ${second!.teacherHead}): give it the first phase's head or one with more (plain → refined → full).`;
  return null;
}

export function newChain(form: SegConfig, now: number, plan: ChainPlan = {}): ChainState {
  return {
    version: 1,
    startedAt: now,
    status: 'running',
    message: null,
    stages: chainStageConfigs(form, plan).map(({ id, config }) => ({ id, slot: stageSlot(id), config, status: 'pending', runId: null, secondsPerStep: null })),
  };
}

/**
 * A live setting moved during stage k's run (its recorded hyperparameter changes, oldest first) carries on to the rest of
 * the chain: stage k's own config (a Resume after a Stop reruns it with the sliders' values) and every later stage not
 * done that had stage k's value of that key take each changed key's latest value; a later stage set apart with its own
 * value (the second phase's lr and Lovász weight, a stage's own lr in the plan) keeps it. Keys a Segment config lacks
 * are ignored. The new stages, or null when nothing differs (so followers are not woken for nothing).
 */
export function withLiveChanges(state: ChainState, k: number, changes: readonly HyperparamChange[]): ChainStage[] | null {
  const latest = new Map<string, number>();
  for (const c of changes) latest.set(c.key, c.to);
  if (latest.size === 0) return null;
  const base = state.stages[k]?.config as Record<string, unknown> | undefined;
  let changed = false;
  const stages = state.stages.map((st, i) => {
    if (i < k || st.status === 'done') return st;
    const config: Record<string, unknown> = { ...st.config };
    let differs = false;
    for (const [key, to] of latest)
      if (key in config && config[key] !== to && (i === k || config[key] === base?.[key])) {
        config[key] = to;
        differs = true;
      }
    if (!differs) return st;
    changed = true;
    return { ...st, config: config as unknown as SegConfig };
  });
  return changed ? stages : null;
}

/** The first stage not done (where the chain goes on), or -1 when every stage is done. */
export function nextStage(state: ChainState): number {
  return state.stages.findIndex((s) => s.status !== 'done');
}

/**
 * A chain read back from storage, or null when the text is not one (another version, damaged, stages out of order, a
 * config the schema refuses). A chain saved before the second phase existed (its stages without ids) reads as one
 * without it.
 */
export function parseChain(text: string | null): ChainState | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Partial<ChainState>;
    if (v.version !== 1 || !Array.isArray(v.stages)) return null;
    if (!['running', 'paused', 'failed', 'done'].includes(v.status as string)) return null;
    const ids = v.stages.map((s) => (s?.id ?? s?.slot) as ChainStageId);
    const expected = CHAIN_STAGES.filter((id) => id !== 'teacher-finetune' || ids.includes(id));
    if (ids.length !== expected.length || ids.some((id, i) => id !== expected[i])) return null;
    const stages: ChainStage[] = [];
    for (const [i, s] of v.stages.entries()) {
      const id = ids[i]!;
      const parsed = SEGMENT_LAB.schema.safeParse(s?.config);
      if (!parsed.success || s.slot !== stageSlot(id)) return null;
      if (!['pending', 'running', 'done', 'stopped', 'error'].includes(s.status)) return null;
      stages.push({
        id,
        slot: s.slot,
        config: parsed.data as SegConfig,
        status: s.status,
        runId: typeof s.runId === 'string' ? s.runId : null,
        secondsPerStep: typeof s.secondsPerStep === 'number' && s.secondsPerStep > 0 ? s.secondsPerStep : null,
      });
    }
    return {
      version: 1,
      startedAt: typeof v.startedAt === 'number' ? v.startedAt : 0,
      status: v.status!,
      stages,
      message: typeof v.message === 'string' ? v.message : null,
    };
  } catch {
    return null;
  }
}

/** The MACs per image of each slot's model at a size, from the zoo: its model at that size, else at the other size scaled by the pixel count. */
export function zooMacs(zoo: SegZooInfo | null, size: SegConfig['size']): (slot: SegSlot) => number | null {
  const pixels = (s: SegConfig['size']) => SEG_SIZE_PIXELS[s].height * SEG_SIZE_PIXELS[s].width;
  return (slot) => {
    const here = zoo?.entries.find((e) => e.slot === slot && e.size === size);
    if (here) return here.macs;
    for (const other of SEG_SIZES) {
      const e = zoo?.entries.find((x) => x.slot === slot && x.size === other);
      if (e) return (e.macs * pixels(size)) / pixels(other);
    }
    return null;
  };
}

/** MACs of one training image of a stage: forward + backward ≈ 3 × the model's forward, plus the frozen source's forward. */
export function trainingMacs(slot: SegSlot, macs: (slot: SegSlot) => number | null): number | null {
  const own = macs(slot);
  const source = stageSource(slot);
  const src = source ? macs(source) : 0;
  return own === null || src === null ? null : 3 * own + src;
}

/** What the chain needs of the live Segment run (the one of the stage in progress, if it is). */
export interface LiveStage {
  runId: string;
  step: number;
  /** Smoothed seconds per training step (null before a step was timed). */
  secondsPerStep: number | null;
  /** The run's own ETA (its steps and evaluations left), null while estimating. */
  etaSeconds: number | null;
}

export interface ChainProgress {
  /** The stage in progress or to run next (0-based), -1 when all are done. */
  stage: number;
  stepsDone: number;
  stepsTotal: number;
  fraction: number;
  /** Seconds left over the whole chain, null while no step time was measured (or while the chain does not run). */
  etaSeconds: number | null;
  /** Where the step time comes from: the stage in progress, the latest finished stage, or nowhere yet. */
  basis: 'current' | 'finished' | null;
  /** Whether later stages are scaled by their training MACs (false: assumed as fast per step as the measured one). */
  scaled: boolean;
}

/**
 * Progress over the whole chain: the steps of the finished stages plus the live stage's, of all stages' steps. ETA: the
 * live stage's own ETA (steps and evaluations left), plus for each stage not started its steps × the measured seconds
 * per step × (its training MACs / the measured stage's training MACs); the measured stage is the one in progress, or
 * the latest finished one before the first step of the next is timed. Evaluations of later stages are not counted.
 */
export function chainProgress(state: ChainState, live: LiveStage | null, macs: (slot: SegSlot) => number | null): ChainProgress {
  const stages = state.stages;
  const stepsTotal = stages.reduce((a, s) => a + s.config.steps, 0);
  const k = nextStage(state);
  const cur = k >= 0 ? stages[k]! : null;
  const running = state.status === 'running';
  const here = running && cur && live && cur.status === 'running' && live.runId === cur.runId ? live : null;
  const stepsDone = stages.reduce((a, s) => a + (s.status === 'done' ? s.config.steps : 0), 0) + (here ? Math.min(here.step, cur!.config.steps) : 0);
  const fraction = stepsTotal > 0 ? stepsDone / stepsTotal : 0;

  const costs = stages.map((s) => trainingMacs(s.slot, macs));
  const scaled = costs.every((c) => c !== null && c > 0);
  const cost = (i: number) => (scaled ? costs[i]! : 1);
  let unit: number | null = null;
  let basis: ChainProgress['basis'] = null;
  if (here?.secondsPerStep) {
    unit = here.secondsPerStep / cost(k);
    basis = 'current';
  } else {
    for (let i = stages.length - 1; i >= 0; i--) {
      const s = stages[i]!;
      if (s.status === 'done' && s.secondsPerStep) {
        unit = s.secondsPerStep / cost(i);
        basis = 'finished';
        break;
      }
    }
  }
  let etaSeconds: number | null = null;
  if (running && cur && unit !== null) {
    const u = unit;
    const step = here?.step ?? 0;
    etaSeconds = here?.etaSeconds ?? Math.max(0, cur.config.steps - step) * u * cost(k);
    for (let i = k + 1; i < stages.length; i++) if (stages[i]!.status !== 'done') etaSeconds += stages[i]!.config.steps * u * cost(i);
  }
  return { stage: k, stepsDone, stepsTotal, fraction, etaSeconds, basis, scaled };
}

/** "chain stage k/n" for each run of the latest "Train the chain" (its stages' runs), by run id. */
export function chainStageOf(chain: ChainState | null): Map<string, string> {
  const m = new Map<string, string>();
  chain?.stages.forEach((s, i) => {
    if (s.runId) m.set(s.runId, `chain stage ${i + 1}/${chain.stages.length}`);
  });
  return m;
}
