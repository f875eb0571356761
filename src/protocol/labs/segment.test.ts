import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SEGMENT_LAB, SHIPPED_SEG_CAMVID, SHIPPED_SEG_CAMVID_RESULTS, segModelWidth } from './segment';

describe('Segment lab spec: the affinity term', () => {
  it('is off by default, so the §2 comparisons keep their settings', () => {
    const d = SEGMENT_LAB.defaults();
    expect(d.affinityLoss).toBe('none');
    expect(d.affinityOrder).toBe('2');
    expect(d.affinityK).toBe(15);
    expect(SEGMENT_LAB.liveKeys).toEqual(expect.arrayContaining(['affinityWeight', 'affinityK']));
  });

  it('keeps the term when the run distils from a source', () => {
    const r = SEGMENT_LAB.normalize({ model: 'student', chain: 'teacher-student', affinityLoss: 'ffa' });
    expect(r.issues).toEqual([]);
    expect(r.config.affinityLoss).toBe('ffa');
  });

  it('drops the term, saying why, when there is no source (chain none, or a teacher whose chain is forced to none)', () => {
    const none = SEGMENT_LAB.normalize({ model: 'student', chain: 'none', affinityLoss: 'fa' });
    expect(none.config.affinityLoss).toBe('none');
    expect(none.issues).toEqual([expect.stringMatching(/^affinityLoss: the affinity term compares features with a source model/)]);
    const teacher = SEGMENT_LAB.normalize({ model: 'teacher', chain: 'teacher-student', affinityLoss: 'fa' });
    expect(teacher.config).toMatchObject({ chain: 'none', affinityLoss: 'none' });
    expect(teacher.issues).toHaveLength(2);
    const tutor = SEGMENT_LAB.normalize({ model: 'tutor', chain: 'teacher-tutor-student', affinityLoss: 'fa' });
    expect(tutor.config).toMatchObject({ chain: 'teacher-student', affinityLoss: 'fa' });
  });

  it('refuses the term without a source in the strict schema the worker validates with', () => {
    const bad = SEGMENT_LAB.schema.safeParse({ ...SEGMENT_LAB.defaults(), chain: 'none', affinityLoss: 'fa' });
    expect(bad.success).toBe(false);
  });
});

describe('Segment lab spec: the teacher width', () => {
  it('defaults to 1/2 (the shipped teacher) and applies to the teacher only (the tutor and students are width 1/2)', () => {
    expect(SEGMENT_LAB.defaults().teacherWidth).toBe('1/2');
    expect(segModelWidth({ model: 'teacher', teacherWidth: '1/4' })).toBe(0.25);
    expect(segModelWidth({ model: 'teacher', teacherWidth: '1/2' })).toBe(0.5);
    expect(segModelWidth({ model: 'tutor', teacherWidth: '1/4' })).toBe(0.5);
    expect(segModelWidth({ model: 'student', teacherWidth: '1/4' })).toBe(0.5);
  });

  it('falls back to the default, saying so, for a width it does not know (an edited link)', () => {
    const r = SEGMENT_LAB.normalize({ model: 'teacher', chain: 'none', teacherWidth: '1/3' });
    expect(r.config.teacherWidth).toBe('1/2');
    expect(r.issues).toEqual([expect.stringMatching(/^teacherWidth: "1\/3" is not one of 1\/4, 1\/2; using 1\/2/)]);
  });
});

describe('SHIPPED_SEG_CAMVID', () => {
  it('is what npm run eval:segment:real measured for the shipped zoo (its raw lines in results/), to 3 decimals', () => {
    const lines = readFileSync(fileURLToPath(new URL(`../../../${SHIPPED_SEG_CAMVID_RESULTS}`, import.meta.url)), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { folder: string; slot: string; mIoU: number })
      .filter((r) => r.folder === 'camvid');
    const of = (slot: string) => lines.find((r) => r.slot === slot)!.mIoU;
    for (const slot of ['teacher', 'tutor', 'student-bilinear', 'student-pixelshuffle'] as const) expect(SHIPPED_SEG_CAMVID[slot]).toBeCloseTo(of(slot), 3);
    expect(SHIPPED_SEG_CAMVID.layoutPrior).toBeCloseTo(of('layout prior'), 3);
  });
});
