import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { AFFINITY_LAB, type AffinityConfig, type AffinityMaps } from '../protocol/labs/affinity';
import { cifar10Files, tarGz } from '../engine/data/import/cifar.fixture';
import { testEngine } from './engineApi.fixture';

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

async function engine() {
  const e = await testEngine({ labs: { affinity: { read: async () => null } } });
  return { ...e, series: e.seriesOf };
}

describe('Affinity lab through the worker seam (cpu backend)', () => {
  it('refuses a student without a teacher, trains a teacher into the slot, then distils a student with FFA and its exact-FA shadow', async () => {
    const { api, events, waitEnd, series, errorOf } = await engine();
    const empty = await api.call('affinity', 'teacher', []);
    expect(empty.teacher).toBeNull();
    expect(empty.missing).toMatch(/npm run pretrain:affinity/);

    expect((await api.start('affinity', tiny(), 's0')).ok).toBe(true);
    expect(await waitEnd('s0')).toBe('error');
    expect(errorOf('s0')).toMatch(/no teacher to distil from yet: train one first/);

    expect((await api.start('affinity', tiny({ role: 'teacher' }), 't1')).ok).toBe(true);
    expect(await waitEnd('t1')).toBe('done');
    const pushed = events.flatMap((e) => (e.type === 'push' && e.push.lab === 'affinity' ? [e.push.value] : [])).at(-1);
    expect(pushed?.teacher).toMatchObject({ origin: 't1', dataset: 'shapes', steps: 2 });
    expect(pushed?.teacher?.testAccuracy).toBeGreaterThanOrEqual(0);

    expect((await api.start('affinity', tiny({ lossType: 'ffa', steps: 3, evalEvery: 3 }), 's1')).ok).toBe(true);
    expect(await waitEnd('s1')).toBe('done');
    for (const t of [16, 8, 4]) {
      expect(series('s1', `affinity.stage.${t}`)).toHaveLength(3);
      expect(series('s1', `affinity.exact.${t}`)).toHaveLength(3); // shadowEvery 1: every step
      expect(series('s1', `affinity.exact.${t}`).every((v) => v > 0)).toBe(true);
    }
    expect(series('s1', 'affinity.stage.32')).toHaveLength(0); // not tapped by default
    expect(series('s1', 'affinity.relError')).toHaveLength(3);
    expect(series('s1', 'teacher.acc')).toEqual([pushed!.teacher!.testAccuracy]);
    expect(series('s1', 'affinity.loss.kd').every((v) => v > 0)).toBe(true);
    const maps = events.flatMap((e) => (e.type === 'extra' && e.runId === 's1' && e.extra.kind === 'affinityMaps' ? [e.extra.payload] : [])).at(-1) as
      AffinityMaps[] | undefined;
    expect(maps?.map((m) => m.size)).toEqual([16, 8, 4]);
    for (const m of maps!) {
      expect(m.teacher).toHaveLength(m.size ** 4);
      expect(m.student).toHaveLength(m.size ** 4);
      expect(m.image).toHaveLength(32 * 32 * 3);
      expect(m.teacher[0]).toBeCloseTo(1, 3); // a pixel's cosine similarity with itself (norms get + 1e-5)
      // The colour scales sent with the maps, against a plain float64 pass over the same values.
      const both = [...m.teacher, ...m.student];
      const diffs = Array.from(m.teacher, (t, i) => Math.abs(m.student[i]! - t));
      expect([m.lo, m.hi]).toEqual([both.reduce((a, b) => Math.min(a, b)), both.reduce((a, b) => Math.max(a, b))]);
      expect(m.diffMax).toBe(diffs.reduce((a, b) => Math.max(a, b)));
    }

    // The estimator study reads the finished student's features: FFA₂ around FA₂, FFA₁ around the row-ℓ2,1 quantity.
    const est = await api.call('affinity', 'estimator', [8, 24]);
    if (!est.ok) throw new Error(est.error.message);
    const { study } = est;
    expect(study.points.map((p) => p.k)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    const at64 = study.points.at(-1)!;
    expect(Math.abs(at64.ffa2.mean - study.exact2) / study.exact2).toBeLessThan(0.25);
    expect(Math.abs(at64.ffa1.mean - study.rowL21) / study.rowL21).toBeLessThan(0.25);
    expect(study.points[0]!.ffa2.std).toBeGreaterThan(at64.ffa2.std); // the spread falls with k
    // Another test image for the views: its matrices at once, with its pixels.
    const picked = await api.call('affinity', 'maps', [5]);
    if (!picked.ok) throw new Error(picked.error.message);
    expect(picked.maps.map((m) => [m.size, m.imageIndex])).toEqual([
      [16, 5],
      [8, 5],
      [4, 5],
    ]);
    expect(Buffer.from(picked.maps[0]!.image).equals(Buffer.from(maps![0]!.image))).toBe(false);
    const untapped = await api.call('affinity', 'estimator', [32, 4]);
    expect(untapped.ok ? '' : untapped.error.message).toMatch(/did not distil the 32×32 stage/);
  }, 240_000);

  it('a live k change is recorded with its step; a student on another dataset than the teacher’s is refused with what to train', async () => {
    const { api, events, waitEnd, errorOf } = await engine();
    await api.start('affinity', tiny({ role: 'teacher' }), 't2');
    expect(await waitEnd('t2')).toBe('done');
    await api.start('affinity', tiny({ steps: 400, evalEvery: 400 }), 's2');
    const t0 = Date.now();
    while (!events.some((e) => e.type === 'metrics' && e.runId === 's2') && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
    expect((await api.setHyperparams('affinity', { k: 31 })).ok).toBe(true);
    while (!events.some((e) => e.type === 'hpChange' && e.runId === 's2') && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
    const change = events.find((e) => e.type === 'hpChange' && e.runId === 's2');
    expect(change?.type === 'hpChange' && change.change).toMatchObject({ key: 'k', from: 15, to: 31 });
    await api.stop();
    expect(await waitEnd('s2')).toBe('stopped');

    // A CIFAR-10 archive (the real byte layout, 20 + 4 images) imported: a student on it is refused before training.
    const archive = tarGz('cifar-10-batches-bin', cifar10Files(4));
    const imported = await api.importDataset({
      format: 'cifar',
      labelMode: 'fine',
      files: [{ file: new File([new Uint8Array(archive)], 'cifar-10-binary.tar.gz'), path: 'cifar-10-binary.tar.gz' }],
    });
    if (!imported.ok) throw new Error(imported.error.message);
    expect((await api.start('affinity', tiny({ dataset: imported.dataset.id, trainSize: 64 }), 's3')).ok).toBe(true);
    expect(await waitEnd('s3')).toBe('error');
    expect(errorOf('s3')).toMatch(/The teacher was trained on .*this run trains on CIFAR-10: train a teacher on CIFAR-10 first/);
    expect(events.some((e) => e.type === 'metrics' && e.runId === 's3' && e.batches.some((b) => b.series === 'train.loss'))).toBe(false);
  }, 240_000);
});
