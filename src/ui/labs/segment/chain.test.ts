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
  trainingMacs,
  withLiveChanges,
  zooMacs,
  type ChainState,
} from './chain';

const form = (over: Partial<SegConfig> = {}): SegConfig => ({ ...SEGMENT_LAB.defaults(), dataset: 'ds-camvid', steps: 100, ...over });

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
    const c = chainStageConfigs(form({ model: 'student', upscale: 'ps-head4', affinityLoss: 'ffa', classBalance: 'median-frequency', size: 'high', lr: 0.02 }));
    expect(c.map((x) => [x.model, x.chain, x.upscale, x.affinityLoss])).toEqual([
      ['teacher', 'none', 'bilinear', 'none'],
      ['tutor', 'teacher-student', 'bilinear', 'ffa'],
      ['student', 'teacher-tutor-student', 'bilinear', 'ffa'],
      ['student', 'teacher-tutor-student', 'ps-head4', 'ffa'],
    ]);
    for (const x of c) expect([x.dataset, x.size, x.steps, x.classBalance, x.lr]).toEqual(['ds-camvid', 'high', 100, 'median-frequency', 0.02]);
    // A bilinear form still trains a PixelShuffle student: variant (a).
    expect(chainStageConfigs(form({ upscale: 'bilinear' }))[3]!.upscale).toBe('ps-agg');
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
