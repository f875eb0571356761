import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { AFFINITY_LAB, type AffinityConfig, type AffinityTeacherState } from '../protocol/labs/affinity';
import { testEngine } from './engineApi.fixture';
import { ModelStore } from './modelStore';

const tiny = (over: Partial<AffinityConfig> = {}): AffinityConfig => ({
  ...AFFINITY_LAB.defaults(),
  width: 1 / 16,
  batchSize: 4,
  steps: 2,
  evalEvery: 2,
  trainSize: 64,
  testSize: 16,
  shadowEvery: 1,
  ...over,
});

describe('Affinity lab: a library teacher into the teacher slot ("Use as teacher")', () => {
  it('puts a kept teacher back into the slot and pushes it; refuses a student, a missing model and a missing shipped teacher', async () => {
    const open = () => ModelStore.open('affinity-teacher-pick');
    const { api, events, waitEnd, waitFor } = await testEngine({ labs: { affinity: { read: async () => null, store: open } }, models: { open } });
    const pushes = () => events.flatMap((e) => (e.type === 'push' && e.push.lab === 'affinity' ? [e.push.value as AffinityTeacherState] : []));

    for (const id of ['t1', 't2']) {
      expect((await api.start('affinity', tiny({ role: 'teacher', seed: id === 't1' ? 1 : 2 }), id)).ok).toBe(true);
      expect(await waitEnd(id)).toBe('done');
    }
    expect((await api.start('affinity', tiny(), 's1')).ok).toBe(true);
    expect(await waitEnd('s1')).toBe('done');
    await waitFor(() => events.some((e) => e.type === 'models' && e.list.length === 3));
    const models = await api.listModels();
    const t1 = models.find((m) => m.provenance.runId === 't1')!;
    const s1 = models.find((m) => m.provenance.runId === 's1')!;
    expect((await api.call('affinity', 'teacher', [])).teacher?.origin).toBe('t2');

    const used = await api.call('affinity', 'useTeacher', [t1.id]);
    expect(used.ok).toBe(true);
    if (used.ok) expect(used.teacher.teacher).toMatchObject({ origin: 't1', dataset: t1.dataset, params: t1.params, testAccuracy: t1.metric.value });
    expect(pushes().at(-1)?.teacher?.origin).toBe('t1');

    const student = await api.call('affinity', 'useTeacher', [s1.id]);
    expect(student).toMatchObject({ ok: false, error: { code: 'invalid-config' } });
    if (!student.ok) expect(student.error.message).toMatch(/is not an Affinity teacher \(it is a affinity-student\)/);
    const missing = await api.call('affinity', 'useTeacher', ['m-gone']);
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.message).toMatch(/is not stored in this browser/);
    const shipped = await api.call('affinity', 'useTeacher', ['shipped']);
    expect(shipped.ok).toBe(false);
    expect((await api.call('affinity', 'teacher', [])).teacher?.origin).toBe('t1');

    // A student distils from the picked teacher.
    expect((await api.start('affinity', tiny({ seed: 3 }), 's2')).ok).toBe(true);
    expect(await waitEnd('s2')).toBe('done');
  }, 120_000);
});
