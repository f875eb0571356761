import { describe, expect, it } from 'vitest';
import { pretrainPlan } from './pretrainSegment';
import { parseSegArgs } from './segment';

/** Each run's arguments as segment.ts reads them, with its slot and phase. */
function runs(args: string[]) {
  const plan = pretrainPlan(['outDir=/tmp/zoo', ...args]);
  return plan.runs.map((r) => {
    const keys = r.args.map((a) => a.slice(0, a.indexOf('=')));
    expect(new Set(keys).size, `${r.slot}: a key given twice in ${r.args.join(' ')}`).toBe(keys.length);
    return { slot: r.slot, finetune: r.finetune === true, a: parseSegArgs(r.args) };
  });
}

describe('pretrainPlan (npm run pretrain:segment)', () => {
  it("runs the shipped recipe by default: the teacher's two phases, the tutor from it, both students through the tutor", () => {
    const r = runs([]);
    expect(r.map((x) => [x.slot, x.finetune])).toEqual([
      ['teacher', false],
      ['teacher', true],
      ['tutor', false],
      ['student-bilinear', false],
      ['student-pixelshuffle', false],
    ]);
    const [t1, t2, tutor, sb, sp] = r.map((x) => x.a);
    expect(t1).toMatchObject({
      model: 'teacher',
      chain: 'none',
      width: 0.5,
      refine: 0,
      refineFull: 0,
      steps: 3000,
      seed: 1,
      classBalance: 'sqrt-median-frequency',
    });
    expect(t1!.init).toBeUndefined();
    expect(t1!.hyperparams).toMatchObject({ lr: 0.05, lovaszWeight: 0 });
    expect(t2).toMatchObject({
      model: 'teacher',
      init: '/tmp/zoo/low/teacher.json',
      out: '/tmp/zoo/low/teacher.json',
      refine: 32,
      refineFull: 16,
      steps: 1600,
      seed: 1,
    });
    expect(t2!.hyperparams).toMatchObject({ lr: 0.01, lovaszWeight: 3 });
    expect(tutor).toMatchObject({ model: 'tutor', chain: 'teacher-student', source: '/tmp/zoo/low/teacher.json', steps: 6400, seed: 1 });
    for (const [s, upscale] of [
      [sb, 'bilinear'],
      [sp, 'ps-agg'],
    ] as const) {
      expect(s).toMatchObject({ model: 'student', upscale, chain: 'teacher-tutor-student', source: '/tmp/zoo/low/tutor.json', steps: 6400, seed: 1 });
      expect(s).toMatchObject({ classBalance: 'median-frequency', affinity: 'ffa', style: 'realistic', trainSize: 3000, dataSeed: 1, size: 'low' });
      expect(s!.init).toBeUndefined();
    }
  });

  it('gives the tutor alone the seed tutorSeed names', () => {
    expect(runs(['tutorSeed=3']).map((x) => [x.slot, x.a.seed])).toEqual([
      ['teacher', 1],
      ['teacher', 1],
      ['tutor', 3],
      ['student-bilinear', 1],
      ['student-pixelshuffle', 1],
    ]);
  });

  it("gives each student a second phase from its own weights after its first when studentFinetuneSteps is set, as the teacher's", () => {
    const r = runs(['slots=student-bilinear,student-pixelshuffle', 'studentFinetuneSteps=3200', 'studentFinetuneLr=0.02', 'studentFinetuneLovasz=2']);
    expect(r.map((x) => [x.slot, x.finetune])).toEqual([
      ['student-bilinear', false],
      ['student-bilinear', true],
      ['student-pixelshuffle', false],
      ['student-pixelshuffle', true],
    ]);
    for (const slot of ['student-bilinear', 'student-pixelshuffle']) {
      const [first, second] = r.filter((x) => x.slot === slot).map((x) => x.a);
      expect(first).toMatchObject({ steps: 6400, hyperparams: expect.objectContaining({ lr: 0.05, lovaszWeight: 0 }) });
      expect(second).toMatchObject({ init: `/tmp/zoo/low/${slot}.json`, out: `/tmp/zoo/low/${slot}.json`, steps: 3200, evalEvery: 1600 });
      expect(second!.hyperparams).toMatchObject({ lr: 0.02, lovaszWeight: 2 });
      // Still distilled through the tutor, with the first phase's losses and seed.
      expect(second).toMatchObject({ source: '/tmp/zoo/low/tutor.json', chain: 'teacher-tutor-student', affinity: 'ffa', upscale: first!.upscale, seed: 1 });
    }
  });

  it('runs only the slots asked for, and no second phase for 0 steps', () => {
    expect(runs(['slots=tutor', 'teacherFinetuneSteps=0']).map((x) => x.slot)).toEqual(['tutor']);
    expect(runs(['slots=teacher', 'teacherFinetuneSteps=0']).map((x) => x.finetune)).toEqual([false]);
    expect(runs(['slots=teacher', 'teacherHead=refined', 'teacherFinetuneHead=full']).map((x) => [x.a.refine, x.a.refineFull])).toEqual([
      [32, 0],
      [32, 16],
    ]);
    expect(runs(['slots=teacher', 'teacherFinetuneHead=refined']).map((x) => [x.a.refine, x.a.refineFull])).toEqual([
      [0, 0],
      [32, 0],
    ]);
  });

  it('refuses bad settings in a sentence', () => {
    expect(() => pretrainPlan(['teacherHead=full', 'teacherFinetuneHead=refined'])).toThrow(/cannot drop heads/);
    expect(() => pretrainPlan(['studentFinetuneSteps=-1'])).toThrow(/studentFinetuneSteps/);
    expect(() => pretrainPlan(['studentFinetuneLr=0'])).toThrow(/studentFinetuneLr > 0/);
    expect(() => pretrainPlan(['teacherFinetuneLovasz=-1'])).toThrow(/teacherFinetuneLovasz must be ≥ 0/);
    expect(() => pretrainPlan(['slots=teacher,pupil'])).toThrow(/slots=pupil/);
    expect(() => pretrainPlan(['backend=tpu'])).toThrow(/backend=tpu is not a backend/);
  });
});
