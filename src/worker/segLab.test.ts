import { describe, expect, it } from 'vitest';
import { createSegModel, disposeParams, serializeSegModel } from '../engine';
import { SEGMENT_LAB, SEG_TEACHER_REFINE, type SegConfig } from '../protocol/labs/segment';
import { testEngine } from './engineApi.fixture';
import { agreement } from './segLab';
import { manifestRecipe, SegZoo } from './segZoo';

const tiny = (over: Partial<SegConfig> = {}): SegConfig => ({
  ...SEGMENT_LAB.defaults(),
  trainSize: 16,
  testSize: 4,
  batchSize: 2,
  steps: 2,
  evalEvery: 2,
  ...over,
});

const engine = (files: Record<string, ArrayBuffer> = {}) => testEngine({ labs: { segment: { zoo: new SegZoo(async (path) => files[path] ?? null) } } });

describe('Segment lab through the worker seam (cpu backend)', () => {
  it('refuses a chain without its source, trains teacher then a distilled student into the zoo, and predicts with both', async () => {
    const { api, events, waitEnd } = await engine();
    const zoo0 = await api.call('segment', 'zoo', []);
    expect(zoo0.entries).toEqual([]);
    expect(zoo0.shippedError).toMatch(/No shipped demo weights/);

    expect((await api.start('segment', tiny({ model: 'student', chain: 'teacher-student' }), 's0')).ok).toBe(true);
    expect(await waitEnd('s0')).toBe('error');
    const err = events.find((e) => e.type === 'error' && e.runId === 's0');
    expect(err?.type === 'error' && err.error.message).toMatch(/no teacher for the low input size .*train one first/);

    expect((await api.start('segment', tiny({ model: 'teacher', chain: 'none', teacherWidth: '1/4', teacherHead: 'plain' }), 't1')).ok).toBe(true);
    expect(await waitEnd('t1')).toBe('done');
    const evals = events.flatMap((e) => (e.type === 'extra' && e.extra.kind === 'segEval' && e.runId === 't1' ? [e.extra.payload] : []));
    expect(evals.map((r) => r.step)).toEqual([2]);
    expect(evals[0]!.classNames).toHaveLength(8);
    expect(evals[0]!.mIoU).toBeGreaterThanOrEqual(0);
    const zoos = events.flatMap((e) => (e.type === 'push' && e.push.lab === 'segment' ? [e.push.value] : []));
    expect(zoos.at(-1)?.entries.map((e) => [e.slot, e.size, e.origin])).toEqual([['teacher', 'low', 't1']]);

    expect((await api.start('segment', tiny({ model: 'student', chain: 'teacher-student', upscale: 'pixelshuffle' }), 's1')).ok).toBe(true);
    expect(await waitEnd('s1')).toBe('done');
    const kd = events.flatMap((e) =>
      e.type === 'metrics' && e.runId === 's1' ? e.batches.filter((b) => b.series === 'seg.loss.kd').flatMap((b) => b.values) : [],
    );
    expect(kd).toHaveLength(2);
    expect(kd.every((v) => v > 0)).toBe(true);

    const zoo = await api.call('segment', 'zoo', []);
    const student = zoo.entries.find((e) => e.slot === 'student-pixelshuffle')!;
    expect(student.chain).toBe('teacher-student');
    expect(student.upscaleParams).toBeGreaterThan(0);

    const rgb = new Uint8Array(64 * 128 * 3).map((_, i) => (i * 37) % 256);
    const labels = new Uint8Array(64 * 128).map((_, i) => (i < 4096 ? 0 : 2));
    const r = await api.call('segment', 'predict', [{ size: 'low', images: [{ rgb, labels }] }]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const preds = r.result.images[0]!.predictions;
    expect(preds.map((p) => p.slot)).toEqual(['teacher', 'student-pixelshuffle']);
    expect(preds[0]!.agreement).toBe(1);
    expect(preds[1]!.agreement).toBeCloseTo(agreement(preds[1]!.classMap, preds[0]!.classMap), 12);
    for (const p of preds) {
      expect(p.classMap).toHaveLength(64 * 128);
      expect(p.mIoU).not.toBeNull();
    }
    const bad = await api.call('segment', 'predict', [
      { size: 'low', images: [{ rgb: new Uint8Array(64 * 128 * 3), labels: new Uint8Array(64 * 128).fill(9) }] },
    ]);
    expect(bad.ok === false && bad.error.message).toMatch(/hold class 9 at pixel 0, but the models know 8 classes/);
    const high = await api.call('segment', 'predict', [{ size: 'high', images: [{ rgb: new Uint8Array(128 * 256 * 3) }] }]);
    expect(high.ok === false && high.error.message).toMatch(/no trained models for the high input size/);

    // The optional affinity term (§3 at the 1/8 features): its line carries the weighted FFA of every step.
    expect((await api.start('segment', tiny({ model: 'student', chain: 'teacher-student', upscale: 'bilinear', affinityLoss: 'ffa' }), 's2')).ok).toBe(true);
    expect(await waitEnd('s2')).toBe('done');
    const seriesOf = (runId: string, name: string) =>
      events.flatMap((e) => (e.type === 'metrics' && e.runId === runId ? e.batches.filter((b) => b.series === name).flatMap((b) => b.values) : []));
    expect(seriesOf('s2', 'seg.loss.affinity')).toHaveLength(2);
    expect(seriesOf('s2', 'seg.loss.affinity').every((v) => v > 0)).toBe(true);
    expect(seriesOf('s1', 'seg.loss.affinity').every((v) => v === 0)).toBe(true);
    // The Lovász-softmax term is off by default (its line reads 0) and on from the form's weight.
    expect(seriesOf('s1', 'seg.loss.lovasz')).toEqual([0, 0]);
    expect((await api.start('segment', tiny({ model: 'student', chain: 'none', upscale: 'bilinear', lovaszWeight: 2 }), 's3')).ok).toBe(true);
    expect(await waitEnd('s3')).toBe('done');
    expect(seriesOf('s3', 'seg.loss.lovasz')).toHaveLength(2);
    expect(seriesOf('s3', 'seg.loss.lovasz').every((v) => v > 0 && v <= 2)).toBe(true);

    // A width-1/2 teacher (one step; the default head, refined): the model the run builds has the wider teacher's training params.
    expect((await api.start('segment', tiny({ model: 'teacher', chain: 'none', teacherWidth: '1/2', steps: 1, evalEvery: 1 }), 't2')).ok).toBe(true);
    expect(await waitEnd('t2')).toBe('done');
    const built = (runId: string) => events.find((e) => e.type === 'model' && e.runId === runId);
    const paramsOf = (widthMultiplier: number, refine = 0) => {
      const m = createSegModel('teacher', { numClasses: 8, height: 64, width: 128, widthMultiplier, refine, seed: 1 });
      const n = [...m.store.trainable.values()].reduce((a, v) => a + v.size, 0);
      disposeParams(m.store);
      return n;
    };
    expect(built('t1')).toMatchObject({ params: paramsOf(1 / 4) });
    expect(built('t2')).toMatchObject({ params: paramsOf(1 / 2, SEG_TEACHER_REFINE) });
    expect(paramsOf(1 / 2) / paramsOf(1 / 4)).toBeCloseTo(4, 0);
  }, 240_000);

  it('Start from the zoo: trains on the zoo’s model of the slot (its steps counted), and says why when there is none or it does not fit', async () => {
    const { api, events, waitEnd } = await engine();
    const errorOf = (runId: string) => {
      const e = events.find((v) => v.type === 'error' && v.runId === runId);
      return e?.type === 'error' ? e.error.message : '';
    };
    expect((await api.start('segment', tiny({ model: 'teacher', chain: 'none', teacherWidth: '1/4', startFrom: 'zoo' }), 'z0')).ok).toBe(true);
    expect(await waitEnd('z0')).toBe('error');
    expect(errorOf('z0')).toMatch(/The zoo holds no teacher at the low size to train on: train one first, or start from fresh weights/);

    expect((await api.start('segment', tiny({ model: 'teacher', chain: 'none', teacherWidth: '1/4', teacherHead: 'plain' }), 'z1')).ok).toBe(true);
    expect(await waitEnd('z1')).toBe('done');
    // The same settings at a learning rate of ~0: the zoo's teacher trained on by one step scores what it scored.
    expect(
      (
        await api.start(
          'segment',
          tiny({ model: 'teacher', chain: 'none', teacherWidth: '1/4', teacherHead: 'plain', startFrom: 'zoo', steps: 1, evalEvery: 1, lr: 1e-5 }),
          'z2',
        )
      ).ok,
    ).toBe(true);
    expect(await waitEnd('z2')).toBe('done');
    const teacher = (await api.call('segment', 'zoo', [])).entries.find((e) => e.slot === 'teacher')!;
    expect(teacher.origin).toBe('z2');
    expect(teacher.steps).toBe(3);

    expect((await api.start('segment', tiny({ model: 'teacher', chain: 'none', teacherWidth: '1/2', startFrom: 'zoo', steps: 1 }), 'z3')).ok).toBe(true);
    expect(await waitEnd('z3')).toBe('error');
    expect(errorOf('z3')).toMatch(/The zoo's teacher at the low size was built with other settings than this run's .*Cannot start from the given teacher/);

    // A refined head may start from the zoo's plain teacher (the refinement starts at zero); the plain head not from a refined one.
    expect(
      (await api.start('segment', tiny({ model: 'teacher', chain: 'none', teacherWidth: '1/4', teacherHead: 'refined', startFrom: 'zoo', steps: 1 }), 'z4')).ok,
    ).toBe(true);
    expect(await waitEnd('z4')).toBe('done');
    const refined = (await api.call('segment', 'zoo', [])).entries.find((e) => e.slot === 'teacher')!;
    expect([refined.origin, refined.steps]).toEqual(['z4', 4]);
    expect(
      (await api.start('segment', tiny({ model: 'teacher', chain: 'none', teacherWidth: '1/4', teacherHead: 'plain', startFrom: 'zoo', steps: 1 }), 'z5')).ok,
    ).toBe(true);
    expect(await waitEnd('z5')).toBe('error');
    expect(errorOf('z5')).toMatch(/other settings than this run's \(teacher width or head, or upscaling\).*has a weight 'refine\./);
    // The full head (with the full-resolution stage) starts from the refined one; the refined head not from it.
    expect(
      (await api.start('segment', tiny({ model: 'teacher', chain: 'none', teacherWidth: '1/4', teacherHead: 'full', startFrom: 'zoo', steps: 1 }), 'z6')).ok,
    ).toBe(true);
    expect(await waitEnd('z6')).toBe('done');
    const full = (await api.call('segment', 'zoo', [])).entries.find((e) => e.slot === 'teacher')!;
    expect([full.origin, full.steps]).toEqual(['z6', 5]);
    expect(
      (await api.start('segment', tiny({ model: 'teacher', chain: 'none', teacherWidth: '1/4', teacherHead: 'refined', startFrom: 'zoo', steps: 1 }), 'z7')).ok,
    ).toBe(true);
    expect(await waitEnd('z7')).toBe('error');
    expect(errorOf('z7')).toMatch(/has a weight 'refine\.full\./);
  }, 240_000);

  it('loads shipped weights from their manifest and marks them shipped', async () => {
    const m = createSegModel('student', { numClasses: 3, height: 64, width: 128, widthMultiplier: 1 / 16, seed: 1 });
    const { json, weights } = await serializeSegModel(m, {
      slot: 'student-bilinear',
      chain: 'teacher-tutor-student',
      size: 'low',
      dataset: 'streets',
      classNames: ['a', 'b', 'c'],
      palette: [
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
      ],
      steps: 5,
      seed: 1,
      mIoU: 0.25,
      seconds: 2,
      origin: 'npm run pretrain:segment',
    });
    const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o)).buffer as ArrayBuffer;
    const zoo = new SegZoo(
      async (p) =>
        ({
          'low/manifest.json': enc({
            models: [{ slot: 'student-bilinear', file: 'low/student-bilinear.json', classBalance: 'median-frequency', affinity: 'ffa', width: 0.5 }],
          }),
          'low/student-bilinear.json': enc(json),
          'low/student-bilinear.bin': weights,
        })[p] ?? null,
    );
    await zoo.ensureShipped();
    const info = zoo.info();
    expect(info.shippedError).toBeNull();
    expect(info.entries).toMatchObject([
      { slot: 'student-bilinear', size: 'low', origin: 'shipped', mIoU: 0.25, chain: 'teacher-tutor-student', classNames: ['a', 'b', 'c'] },
    ]);
    // How it was trained, from its manifest entry (a student's width is not the teacher width setting).
    expect(info.entries[0]!.recipe).toEqual({ classBalance: 'median-frequency', affinityLoss: 'ffa' });
    // A trained model replaces the slot; reset brings the shipped one back.
    const trained = createSegModel('student', { numClasses: 3, height: 64, width: 128, widthMultiplier: 1 / 16, seed: 2 });
    zoo.put('low', 'student-bilinear', trained, { ...info.entries[0]!, slot: 'student-bilinear', size: 'low', mIoU: 0.1, seconds: 1, origin: 'run-x' });
    expect(zoo.info().entries.map((e) => e.origin)).toEqual(['run-x']);
    expect(zoo.info().entries[0]!.recipe).toBeUndefined();
    await zoo.reset();
    expect(zoo.info().entries.map((e) => [e.origin, e.mIoU])).toEqual([['shipped', 0.25]]);
    zoo.dispose();
  });

  it("reads a shipped model's recipe from its manifest entry: known settings only, the teacher's width, no affinity on a teacher", () => {
    expect(manifestRecipe({ slot: 'teacher', file: 't.json', classBalance: 'sqrt-median-frequency', width: 0.5 })).toEqual({
      classBalance: 'sqrt-median-frequency',
      teacherWidth: '1/2',
      teacherHead: 'plain',
    });
    expect(manifestRecipe({ slot: 'teacher', file: 't.json', width: 0.25, affinity: 'ffa' })).toEqual({ teacherWidth: '1/4', teacherHead: 'plain' });
    // The refined head when the entry names the lab's refinement channels.
    expect(manifestRecipe({ slot: 'teacher', file: 't.json', width: 0.5, refine: 32 })).toEqual({ teacherWidth: '1/2', teacherHead: 'refined' });
    // The full head when it also names the lab's full-resolution channels (other channel counts are not the lab's heads).
    expect(manifestRecipe({ slot: 'teacher', file: 't.json', width: 0.5, refine: 32, refineFull: 16 })).toEqual({ teacherWidth: '1/2', teacherHead: 'full' });
    expect(manifestRecipe({ slot: 'teacher', file: 't.json', width: 0.5, refine: 32, refineFull: 8 })).toEqual({ teacherWidth: '1/2', teacherHead: 'refined' });
    // Its seed when a whole number the lab's Seed field accepts.
    expect(manifestRecipe({ slot: 'tutor', file: 'u.json', seed: 2 })).toEqual({ seed: 2 });
    for (const seed of [1.5, -1, '2', null]) expect(manifestRecipe({ slot: 'tutor', file: 'u.json', seed })).toEqual({});
    // A tutor entry that names its class balancing but no affinity term trained without one.
    expect(manifestRecipe({ slot: 'tutor', file: 'u.json', classBalance: 'median-frequency', width: 0.5 })).toEqual({
      classBalance: 'median-frequency',
      affinityLoss: 'none',
    });
    // An old manifest (slot and file only) says nothing; unknown values are left out.
    expect(manifestRecipe({ slot: 'tutor', file: 'u.json' })).toEqual({});
    expect(manifestRecipe({ slot: 'student-bilinear', file: 's.json', classBalance: 'focal', affinity: 'xx', width: 0.3 })).toEqual({});
    // The teacher's second phase, when valid; a student entry's is not read.
    expect(manifestRecipe({ slot: 'teacher', file: 't.json', width: 0.5, finetune: { steps: 1600, lr: 0.01, lovaszWeight: 3 } })).toEqual({
      teacherWidth: '1/2',
      teacherHead: 'plain',
      finetune: { steps: 1600, lr: 0.01, lovaszWeight: 3 },
    });
    // …and the refinement head it added to a plain teacher.
    expect(
      manifestRecipe({ slot: 'teacher', file: 't.json', width: 0.5, refine: 32, finetune: { steps: 1600, lr: 0.01, lovaszWeight: 3, addsRefine: 32 } }),
    ).toEqual({
      teacherWidth: '1/2',
      teacherHead: 'refined',
      finetune: { steps: 1600, lr: 0.01, lovaszWeight: 3, addsRefine: true },
    });
    // …and both heads it added.
    expect(
      manifestRecipe({
        slot: 'teacher',
        file: 't.json',
        width: 0.5,
        refine: 32,
        refineFull: 16,
        finetune: { steps: 1600, lr: 0.01, lovaszWeight: 3, addsRefine: 32, addsRefineFull: 16 },
      }),
    ).toEqual({
      teacherWidth: '1/2',
      teacherHead: 'full',
      finetune: { steps: 1600, lr: 0.01, lovaszWeight: 3, addsRefine: true, addsRefineFull: true },
    });
    expect(manifestRecipe({ slot: 'teacher', file: 't.json', finetune: { steps: 800, lr: 0.01 } })).toEqual({
      finetune: { steps: 800, lr: 0.01, lovaszWeight: 0 },
    });
    expect(manifestRecipe({ slot: 'teacher', file: 't.json', finetune: { steps: 800, lr: 0.01, lovaszWeight: 'x' } })).toEqual({});
    expect(manifestRecipe({ slot: 'teacher', file: 't.json', finetune: { steps: 1.5, lr: 0.01 } })).toEqual({});
    expect(manifestRecipe({ slot: 'teacher', file: 't.json', finetune: { steps: 100, lr: -1 } })).toEqual({});
    expect(manifestRecipe({ slot: 'student-bilinear', file: 's.json', finetune: { steps: 100, lr: 0.01 } })).toEqual({});
  });
});
