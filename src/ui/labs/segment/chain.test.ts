import { describe, expect, it } from 'vitest';
import type { HyperparamChange } from '../../../protocol/events';
import { SEGMENT_LAB, type SegConfig, type SegSlot, type SegZooEntry } from '../../../protocol/labs/segment';
import {
  chainConfigProblem,
  chainProgress,
  chainStageOf,
  chainStageConfigs,
  newChain,
  nextStage,
  parseChain,
  parsePlan,
  planSetsAnything,
  shippedPlan,
  stageConfig,
  trainingMacs,
  withLiveChanges,
  zooMacs,
  type ChainPlan,
  type ChainState,
} from './chain';

const form = (over: Partial<SegConfig> = {}): SegConfig => ({ ...SEGMENT_LAB.defaults(), dataset: 'ds-camvid', steps: 100, ...over });
const configs = (f: SegConfig, plan: ChainPlan = {}) => chainStageConfigs(f, plan).map((s) => s.config);

/** Forward MACs per slot, round numbers: teacher 50, tutor 24, students 18 and 20. */
const MACS: Record<SegSlot, number> = { teacher: 50, tutor: 24, 'student-bilinear': 18, 'student-pixelshuffle': 20 };
const macs = (slot: SegSlot) => MACS[slot];

/** A chain whose first `done` stages are done (with measured seconds per step), the next running as run 'run-k'. */
function chainAt(done: number, secondsPerStep: (number | null)[] = []): ChainState {
  const c = newChain(form(), 0);
  c.stages = c.stages.map((s, i) =>
    i < done
      ? { ...s, status: 'done', runId: `run-${i}`, secondsPerStep: secondsPerStep[i] ?? null }
      : i === done
        ? { ...s, status: 'running', runId: `run-${i}` }
        : s,
  );
  return c;
}

function entry(slot: SegSlot, size: 'low' | 'high', m: number): SegZooEntry {
  return {
    slot,
    size,
    params: 1,
    trainingParams: 1,
    macs: m,
    upscaleParams: 0,
    upscaleMacs: 0,
    chain: 'none',
    steps: 1,
    seed: 1,
    mIoU: 0.5,
    dataset: 'streets',
    classNames: [],
    palette: [],
    origin: 'shipped',
  };
}

describe('Train the chain: stages', () => {
  it('runs teacher (labels) → tutor (from the teacher) → both students (through the tutor), with the form’s other settings', () => {
    const c = configs(form({ model: 'student', upscale: 'ps-head4', affinityLoss: 'ffa', classBalance: 'median-frequency', size: 'high', lr: 0.02 }));
    expect(c.map((x) => [x.model, x.chain, x.upscale, x.affinityLoss])).toEqual([
      ['teacher', 'none', 'bilinear', 'none'],
      ['tutor', 'teacher-student', 'bilinear', 'ffa'],
      ['student', 'teacher-tutor-student', 'bilinear', 'ffa'],
      ['student', 'teacher-tutor-student', 'ps-head4', 'ffa'],
    ]);
    for (const x of c) expect([x.dataset, x.size, x.steps, x.classBalance, x.lr]).toEqual(['ds-camvid', 'high', 100, 'median-frequency', 0.02]);
    // A bilinear form still trains a PixelShuffle student: variant (a).
    expect(configs(form({ upscale: 'bilinear' }))[3]!.upscale).toBe('ps-agg');
    // Without second-phase steps in the plan the teacher trains once, from fresh weights.
    expect(chainStageConfigs(form()).map((s) => [s.id, s.config.startFrom])).toEqual([
      ['teacher', 'fresh'],
      ['tutor', 'fresh'],
      ['student-bilinear', 'fresh'],
      ['student-pixelshuffle', 'fresh'],
    ]);
    // Every stage passes the lab's schema and rules (the teacher's chain and affinity term are turned off, not refused).
    expect(chainConfigProblem(form({ model: 'teacher', chain: 'none', affinityLoss: 'fa' }))).toBeNull();
    expect(chainConfigProblem(form({ steps: 0 }))).toMatch(/^The teacher stage's setting steps: /);
  });

  it('goes on from the first stage not done, and reads back only a well-formed saved chain', () => {
    const c = chainAt(2);
    expect(nextStage(c)).toBe(2);
    expect(nextStage({ ...c, stages: c.stages.map((s) => ({ ...s, status: 'done' as const })) })).toBe(-1);
    expect(parseChain(JSON.stringify(c))).toEqual(c);
    expect(parseChain(null)).toBeNull();
    expect(parseChain('{not json')).toBeNull();
    expect(parseChain(JSON.stringify({ ...c, version: 2 }))).toBeNull();
    expect(parseChain(JSON.stringify({ ...c, stages: c.stages.slice(1) }))).toBeNull();
    expect(parseChain(JSON.stringify({ ...c, stages: c.stages.map((s) => ({ ...s, config: { ...s.config, steps: -1 } })) }))).toBeNull();
  });
});

describe('Train the chain: per-stage settings', () => {
  const plan: ChainPlan = {
    teacher: { steps: 3000, classBalance: 'sqrt-median-frequency', affinityLoss: 'ffa' },
    tutor: { steps: 800, classBalance: 'sqrt-median-frequency' },
    'student-bilinear': { steps: 3200, affinityLoss: 'ffa' },
    'student-pixelshuffle': { steps: 3200, classBalance: 'none', affinityLoss: 'fa' },
  };

  it('a stage takes its own steps, class balancing and affinity term from the plan, the rest from the form; a teacher never an affinity term', () => {
    const c = configs(form({ classBalance: 'median-frequency', affinityLoss: 'none', lr: 0.02 }), plan);
    expect(c.map((x) => [x.model, x.steps, x.classBalance, x.affinityLoss])).toEqual([
      ['teacher', 3000, 'sqrt-median-frequency', 'none'],
      ['tutor', 800, 'sqrt-median-frequency', 'none'],
      ['student', 3200, 'median-frequency', 'ffa'],
      ['student', 3200, 'none', 'fa'],
    ]);
    for (const x of c) expect([x.dataset, x.lr]).toEqual(['ds-camvid', 0.02]);
    // A key set to undefined is the form's; the chain's state keeps each stage's own config.
    expect(configs(form(), { tutor: { steps: undefined } })[1]!.steps).toBe(100);
    expect(newChain(form(), 0, plan).stages.map((s) => s.config.steps)).toEqual([3000, 800, 3200, 3200]);
    // A plan's bad value is refused by the lab's schema, naming the stage.
    expect(chainConfigProblem(form(), { tutor: { steps: 0 } })).toMatch(/^The tutor stage's setting steps: /);
    expect(planSetsAnything({})).toBe(false);
    expect(planSetsAnything({ tutor: {} })).toBe(false);
    expect(planSetsAnything({ tutor: { steps: 5 } })).toBe(true);
  });

  it('reads back from storage only known stages and keys with values the lab accepts', () => {
    const expected = { ...plan, teacher: { steps: 3000, classBalance: 'sqrt-median-frequency' } };
    expect(parsePlan(JSON.stringify(plan))).toEqual(expected);
    expect(parsePlan(null)).toEqual({});
    expect(parsePlan('{oops')).toEqual({});
    expect(parsePlan('null')).toEqual({});
    expect(
      parsePlan(
        JSON.stringify({
          ghost: { steps: 5 },
          tutor: { steps: 2.5, classBalance: 'focal', affinityLoss: 'ffa', lr: 2, lovaszWeight: -1, teacherHead: 'refined', momentum: 0.5 },
          teacher: { steps: 0, affinityLoss: 'ffa' },
        }),
      ),
    ).toEqual({ tutor: { affinityLoss: 'ffa' } });
    // The second phase's keys; a head only for the teacher's stages, an affinity term never.
    const second = { steps: 1600, lr: 0.01, lovaszWeight: 3, teacherHead: 'refined' };
    expect(parsePlan(JSON.stringify({ teacher: { teacherHead: 'plain' }, 'teacher-finetune': { ...second, affinityLoss: 'fa' } }))).toEqual({
      teacher: { teacherHead: 'plain' },
      'teacher-finetune': second,
    });
  });

  it('the shipped recipe comes from the zoo’s shipped models (their steps and manifest recipes), at the size or else the other one', () => {
    const shipped = (slot: SegSlot, size: 'low' | 'high', steps: number, recipe?: SegZooEntry['recipe']): SegZooEntry => ({
      ...entry(slot, size, 1),
      steps,
      ...(recipe ? { recipe } : {}),
    });
    const zoo = {
      entries: [
        shipped('teacher', 'low', 3000, { classBalance: 'sqrt-median-frequency', teacherWidth: '1/2' }),
        shipped('tutor', 'low', 800, { classBalance: 'sqrt-median-frequency', affinityLoss: 'none', seed: 2 }),
        shipped('student-bilinear', 'low', 3200, { classBalance: 'median-frequency', affinityLoss: 'ffa' }),
        { ...shipped('student-pixelshuffle', 'low', 99), origin: 'run-7' },
      ],
      shippedError: null,
      loading: false,
    };
    const low = {
      teacher: { steps: 3000, classBalance: 'sqrt-median-frequency' },
      tutor: { steps: 800, classBalance: 'sqrt-median-frequency', affinityLoss: 'none', seed: 2 },
      'student-bilinear': { steps: 3200, classBalance: 'median-frequency', affinityLoss: 'ffa' },
    };
    expect(shippedPlan(zoo, 'low')).toEqual(low);
    // No shipped model at the high size: the low size's recipe.
    expect(shippedPlan(zoo, 'high')).toEqual(low);
    // An old manifest without recipes still gives the steps.
    expect(shippedPlan({ ...zoo, entries: [shipped('tutor', 'high', 500)] }, 'high')).toEqual({ tutor: { steps: 500 } });
    expect(shippedPlan({ ...zoo, entries: [] }, 'low')).toBeNull();
    // A teacher with a second phase: its model counts 3,000 + 1,600 steps, the chain's teacher stage is the first phase.
    const twoPhases = shipped('teacher', 'low', 4600, { classBalance: 'sqrt-median-frequency', finetune: { steps: 1600, lr: 0.01, lovaszWeight: 3 } });
    expect(shippedPlan({ ...zoo, entries: [twoPhases] }, 'low')).toEqual({
      teacher: { steps: 3000, classBalance: 'sqrt-median-frequency' },
      'teacher-finetune': { steps: 1600, lr: 0.01, lovaszWeight: 3 },
    });
    // One whose second phase added the refinement head: the first phase plain, the second refined.
    const refined = shipped('teacher', 'low', 4600, {
      teacherHead: 'refined',
      finetune: { steps: 1600, lr: 0.01, lovaszWeight: 3, addsRefine: true },
    });
    expect(shippedPlan({ ...zoo, entries: [refined] }, 'low')).toEqual({
      teacher: { steps: 3000, teacherHead: 'plain' },
      'teacher-finetune': { steps: 1600, lr: 0.01, lovaszWeight: 3, teacherHead: 'refined' },
    });
    // One whose second phase added only the full-resolution stage: the first phase refined; both heads: plain.
    const full = (ft: Partial<NonNullable<SegZooEntry['recipe']>['finetune']>) =>
      shipped('teacher', 'low', 4600, { teacherHead: 'full', finetune: { steps: 1600, lr: 0.01, lovaszWeight: 3, ...ft } });
    expect(shippedPlan({ ...zoo, entries: [full({ addsRefineFull: true })] }, 'low')?.teacher).toEqual({ steps: 3000, teacherHead: 'refined' });
    expect(shippedPlan({ ...zoo, entries: [full({ addsRefine: true, addsRefineFull: true })] }, 'low')).toEqual({
      teacher: { steps: 3000, teacherHead: 'plain' },
      'teacher-finetune': { steps: 1600, lr: 0.01, lovaszWeight: 3, teacherHead: 'full' },
    });
    expect(shippedPlan(null, 'low')).toBeNull();
    // A stage's seed (this zoo's tutor trained with seed 2) reaches its config; the others keep the form's.
    const configs = chainStageConfigs(form({ seed: 1 }), shippedPlan(zoo, 'low')!);
    expect(configs.map((s) => [s.id, s.config.seed])).toEqual([
      ['teacher', 1],
      ['tutor', 2],
      ['student-bilinear', 1],
      ['student-pixelshuffle', 1],
    ]);
    // A teacher's seed reaches its second phase too (the second phase takes the first phase's plan).
    const seeded = shippedPlan(
      { ...zoo, entries: [shipped('teacher', 'low', 4600, { seed: 3, finetune: { steps: 1600, lr: 0.01, lovaszWeight: 3 } })] },
      'low',
    )!;
    expect(
      chainStageConfigs(form({ seed: 1 }), seeded)
        .slice(0, 2)
        .map((s) => s.config.seed),
    ).toEqual([3, 3]);
    expect(parsePlan(JSON.stringify({ tutor: { seed: 2 }, 'student-bilinear': { seed: 1.5 }, 'student-pixelshuffle': { seed: -1 } }))).toEqual({
      tutor: { seed: 2 },
    });
  });
});

describe('Train the chain: the teacher’s second phase', () => {
  const plan: ChainPlan = {
    teacher: { steps: 3000, classBalance: 'sqrt-median-frequency', teacherHead: 'plain' },
    'teacher-finetune': { steps: 1600, lr: 0.01, lovaszWeight: 3, teacherHead: 'refined' },
    tutor: { steps: 800 },
  };

  it('runs after the first phase when the plan gives it steps: the teacher’s slot, trained on from the zoo’s teacher with the first phase’s settings, then its own', () => {
    const stages = chainStageConfigs(form({ lr: 0.05, lovaszWeight: 0 }), plan);
    expect(stages.map((s) => s.id)).toEqual(['teacher', 'teacher-finetune', 'tutor', 'student-bilinear', 'student-pixelshuffle']);
    const [first, second] = stages.map((s) => s.config);
    expect([first!.steps, first!.startFrom, first!.lr, first!.lovaszWeight, first!.teacherHead]).toEqual([3000, 'fresh', 0.05, 0, 'plain']);
    expect([second!.model, second!.chain, second!.affinityLoss]).toEqual(['teacher', 'none', 'none']);
    expect([second!.steps, second!.startFrom, second!.lr, second!.lovaszWeight, second!.teacherHead, second!.classBalance]).toEqual([
      1600,
      'zoo',
      0.01,
      3,
      'refined',
      'sqrt-median-frequency',
    ]);
    const c = newChain(form(), 0, plan);
    expect(c.stages.map((s) => [s.id, s.slot])).toEqual([
      ['teacher', 'teacher'],
      ['teacher-finetune', 'teacher'],
      ['tutor', 'tutor'],
      ['student-bilinear', 'student-bilinear'],
      ['student-pixelshuffle', 'student-pixelshuffle'],
    ]);
    expect(chainConfigProblem(form(), plan)).toBeNull();
    // Its other keys alone do not run it; settings a stage does not take are ignored.
    expect(chainStageConfigs(form(), { 'teacher-finetune': { lr: 0.01 } }).map((s) => s.id)).not.toContain('teacher-finetune');
    expect(stageConfig(form(), { teacher: { affinityLoss: 'ffa' }, tutor: { teacherHead: 'plain' } }, 'tutor').teacherHead).toBe(form().teacherHead);
  });

  it('refuses a second phase that would drop the first phase’s refinement head (its weights could not be carried)', () => {
    const drop: ChainPlan = { teacher: { teacherHead: 'refined' }, 'teacher-finetune': { steps: 10, teacherHead: 'plain' } };
    expect(chainConfigProblem(form(), drop)).toMatch(/cannot drop heads its first phase trains \(refined → plain\)/);
    expect(chainConfigProblem(form(), { teacher: { teacherHead: 'full' }, 'teacher-finetune': { steps: 10, teacherHead: 'refined' } })).toMatch(
      /\(full → refined\)/,
    );
    expect(chainConfigProblem(form(), { teacher: { teacherHead: 'refined' }, 'teacher-finetune': { steps: 10, teacherHead: 'full' } })).toBeNull();
    // The second phase's own bad value names its stage.
    expect(chainConfigProblem(form(), { 'teacher-finetune': { steps: 10, lr: 5 } })).toMatch(/^The teacher-finetune stage's setting lr: /);
  });

  it('a saved five-stage chain reads back; one saved before the second phase existed (no stage ids) reads as four; stages out of order do not', () => {
    const c = newChain(form(), 0, plan);
    expect(parseChain(JSON.stringify(c))).toEqual(c);
    const four = newChain(form(), 0);
    const old = { ...four, stages: four.stages.map(({ id: _id, ...rest }) => rest) };
    expect(parseChain(JSON.stringify(old))).toEqual(four);
    expect(parseChain(JSON.stringify({ ...c, stages: [c.stages[1], c.stages[0], ...c.stages.slice(2)] }))).toBeNull();
    expect(parseChain(JSON.stringify({ ...c, stages: c.stages.map((s, i) => (i === 1 ? { ...s, slot: 'tutor' } : s)) }))).toBeNull();
  });

  it('progress and ETA count both phases: the second phase costs as the teacher per step', () => {
    const c = newChain(form(), 0, plan);
    c.stages = c.stages.map((s, i) =>
      i === 0 ? { ...s, status: 'done', runId: 'run-0', secondsPerStep: 0.75 } : i === 1 ? { ...s, status: 'running', runId: 'run-1' } : s,
    );
    const p = chainProgress(c, { runId: 'run-1', step: 600, secondsPerStep: 0.75, etaSeconds: 750 }, macs);
    expect(p.stage).toBe(1);
    // 3,000 + 1,600 + 800 + 100 + 100 steps; 3,000 + 600 done.
    expect([p.stepsDone, p.stepsTotal]).toEqual([3600, 5600]);
    // 750 + 800 × 0.005 × 122 (= 488) + 100 × 0.005 × 78 (= 39) + 100 × 0.005 × 84 (= 42) = 1,319 s.
    expect(p.etaSeconds).toBeCloseTo(1319, 9);
    expect([...chainStageOf(c)]).toEqual([
      ['run-0', 'chain stage 1/5'],
      ['run-1', 'chain stage 2/5'],
    ]);
  });
});

describe('Train the chain: live settings carry on', () => {
  const change = (step: number, key: HyperparamChange['key'], from: number, to: number): HyperparamChange => ({ step, key, from, to });

  it('a slider moved during stage k sets its latest value in stage k and every later stage not done; earlier and done stages keep theirs', () => {
    const c = chainAt(1); // teacher done, tutor running
    const lr0 = c.stages[0]!.config.lr;
    const out = withLiveChanges(c, 1, [change(3, 'lr', lr0, 0.01), change(5, 'ohemThreshold', 0.7, 0.9), change(8, 'lr', 0.01, 0.02)])!;
    expect(out.map((s) => [s.config.lr, s.config.ohemThreshold])).toEqual([
      [lr0, 0.7],
      [0.02, 0.9],
      [0.02, 0.9],
      [0.02, 0.9],
    ]);
    // Everything else stays as it was (the stage's model, chain and upscaling are not live).
    expect(out.map((s) => [s.config.model, s.config.chain, s.config.upscale, s.status])).toEqual(
      c.stages.map((s) => [s.config.model, s.config.chain, s.config.upscale, s.status]),
    );
    // A stage already done after k (a resumed chain) keeps its config.
    const doneLater = { ...c, stages: c.stages.map((s, i) => (i === 3 ? { ...s, status: 'done' as const } : s)) };
    expect(withLiveChanges(doneLater, 1, [change(1, 'lr', lr0, 0.01)])![3]!.config.lr).toBe(lr0);
  });

  it('a later stage set apart with its own value keeps it: the second phase’s lr and Lovász weight', () => {
    const c = newChain(form({ lr: 0.05, lovaszWeight: 0 }), 0, { 'teacher-finetune': { steps: 50, lr: 0.01, lovaszWeight: 3 }, tutor: { lr: 0.02 } });
    c.stages = c.stages.map((s, i) => (i === 0 ? { ...s, status: 'running', runId: 'run-0' } : s));
    const out = withLiveChanges(c, 0, [change(3, 'lr', 0.05, 0.04), change(4, 'lovaszWeight', 0, 1)])!;
    expect(out.map((s) => [s.id, s.config.lr, s.config.lovaszWeight])).toEqual([
      ['teacher', 0.04, 1],
      ['teacher-finetune', 0.01, 3],
      ['tutor', 0.02, 1],
      ['student-bilinear', 0.04, 1],
      ['student-pixelshuffle', 0.04, 1],
    ]);
    // Moved again: the stages that followed follow on; the ones set apart still keep theirs.
    const again = withLiveChanges({ ...c, stages: out }, 0, [change(3, 'lr', 0.05, 0.04), change(6, 'lr', 0.04, 0.03)])!;
    expect(again.map((s) => s.config.lr)).toEqual([0.03, 0.01, 0.02, 0.03, 0.03]);
  });

  it('nothing to carry gives null: no changes, values already equal, or keys a Segment config lacks', () => {
    const c = chainAt(1);
    expect(withLiveChanges(c, 1, [])).toBeNull();
    expect(withLiveChanges(c, 1, [change(1, 'lr', 1, c.stages[1]!.config.lr)])).toBeNull();
    expect(withLiveChanges(c, 1, [change(1, 'lambda1', 0, 0.3)])).toBeNull();
  });
});

describe('Train the chain: progress and ETA over the whole chain', () => {
  it('training MACs: 3 × the model’s forward + the frozen source’s forward', () => {
    expect(trainingMacs('teacher', macs)).toBe(150);
    expect(trainingMacs('tutor', macs)).toBe(3 * 24 + 50); // 122
    expect(trainingMacs('student-bilinear', macs)).toBe(3 * 18 + 24); // 78
    expect(trainingMacs('student-pixelshuffle', macs)).toBe(3 * 20 + 24); // 84
    expect(trainingMacs('tutor', (s) => (s === 'teacher' ? null : 1))).toBeNull();
  });

  it('in the tutor stage: its own ETA plus the students’ steps × its time per step scaled by MACs', () => {
    // Tutor at step 40 of 100, 0.61 s per step: 0.61 / 122 = 0.005 s per step per training MAC unit.
    const p = chainProgress(chainAt(1, [0.75]), { runId: 'run-1', step: 40, secondsPerStep: 0.61, etaSeconds: 40 }, macs);
    expect(p.stage).toBe(1);
    expect(p.stepsDone).toBe(140);
    expect(p.stepsTotal).toBe(400);
    expect(p.fraction).toBeCloseTo(0.35, 12);
    expect(p.basis).toBe('current');
    expect(p.scaled).toBe(true);
    // 40 (the run's own ETA) + 100 × 0.005 × 78 (= 39) + 100 × 0.005 × 84 (= 42) = 121 s.
    expect(p.etaSeconds).toBeCloseTo(121, 9);
  });

  it('before the stage in progress timed a step: from the latest finished stage’s step time', () => {
    // Teacher done at 0.75 s per step: 0.75 / 150 = 0.005; the tutor preparing (no step yet, no ETA of its own).
    const p = chainProgress(chainAt(1, [0.75]), { runId: 'run-1', step: 0, secondsPerStep: null, etaSeconds: null }, macs);
    expect(p.basis).toBe('finished');
    expect(p.stepsDone).toBe(100);
    // 100 × 0.005 × 122 (= 61) + 39 + 42 = 142 s.
    expect(p.etaSeconds).toBeCloseTo(142, 9);
  });

  it('without every stage’s MACs: later stages as fast per step as the measured one; nothing measured: no ETA', () => {
    const noTutor = (s: SegSlot) => (s === 'tutor' ? null : MACS[s]);
    // Teacher at step 40 of 100, 0.5 s per step, no ETA of its own yet: 60 × 0.5 + 3 × 100 × 0.5 = 180 s.
    const p = chainProgress(chainAt(0), { runId: 'run-0', step: 40, secondsPerStep: 0.5, etaSeconds: null }, noTutor);
    expect(p.scaled).toBe(false);
    expect(p.etaSeconds).toBeCloseTo(180, 9);
    expect(chainProgress(chainAt(0), { runId: 'run-0', step: 0, secondsPerStep: null, etaSeconds: null }, macs).etaSeconds).toBeNull();
  });

  it('counts the live run only when it is the running stage’s; a paused chain has no ETA; a done one is full', () => {
    const other = chainProgress(chainAt(1, [0.75]), { runId: 'someone-else', step: 70, secondsPerStep: 1, etaSeconds: 5 }, macs);
    expect(other.stepsDone).toBe(100);
    expect(other.basis).toBe('finished');
    const paused = chainProgress({ ...chainAt(1, [0.75]), status: 'paused' }, { runId: 'run-1', step: 40, secondsPerStep: 0.61, etaSeconds: 40 }, macs);
    expect(paused.stepsDone).toBe(100);
    expect(paused.etaSeconds).toBeNull();
    const done = chainAt(4);
    const all = chainProgress({ ...done, status: 'done' }, null, macs);
    expect([all.stage, all.stepsDone, all.fraction, all.etaSeconds]).toEqual([-1, 400, 1, null]);
  });

  it('MACs from the zoo: the size’s model, else the other size’s scaled by the pixel count', () => {
    const zoo = { entries: [entry('teacher', 'low', 1000), entry('teacher', 'high', 4100), entry('tutor', 'low', 500)], shippedError: null, loading: false };
    expect(zooMacs(zoo, 'high')('teacher')).toBe(4100);
    expect(zooMacs(zoo, 'high')('tutor')).toBe(2000); // 128×256 has 4× the pixels of 64×128
    expect(zooMacs(zoo, 'low')('student-bilinear')).toBeNull();
    expect(zooMacs(null, 'low')('teacher')).toBeNull();
  });
});

describe('Train the chain: its runs in the runs table', () => {
  it('names each stage run "chain stage k/4" by its run id, and nothing without a chain', () => {
    // Stages 1 and 2 done (runs run-0, run-1), stage 3 running (run-2), stage 4 not started.
    expect([...chainStageOf(chainAt(2))]).toEqual([
      ['run-0', 'chain stage 1/4'],
      ['run-1', 'chain stage 2/4'],
      ['run-2', 'chain stage 3/4'],
    ]);
    expect(chainStageOf(null).size).toBe(0);
  });
});
