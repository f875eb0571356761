import { describe, expect, it } from 'vitest';
import { SEGMENT_LAB } from './segment';

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
