import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { LEGACY_PRUNE_RUN, LEGACY_SEG_RUN, LEGACY_TRAIN_RUN } from './legacyRuns.fixture';
import { openRunHistory } from './runHistory';
import { legacyRunToRecord, legacySegRunToRecord } from './runMigration';

let n = 0;
const names = () => ({ runs: `pdw-runs-migrate-${++n}`, seg: `pdw-seg-runs-migrate-${n}` });

/** Write records with the old schema: version 1, store 'runs' keyed by id. */
async function seedV1(name: string, records: object[]): Promise<void> {
  const db = await openDB(name, 1, { upgrade: (d) => void d.createObjectStore('runs', { keyPath: 'id' }) });
  for (const r of records) await db.put('runs', r);
  db.close();
}

describe('run history migration', () => {
  it('keeps every run saved before: Prune and Train runs of version 1 and Segment runs of the old database', async () => {
    const db = names();
    await seedV1(db.runs, [LEGACY_PRUNE_RUN, LEGACY_TRAIN_RUN]);
    await seedV1(db.seg, [LEGACY_SEG_RUN]);
    const list = await openRunHistory(db.runs, db.seg).list();
    expect(list.map((r) => [r.id, r.lab])).toEqual([
      ['seg-legacy', 'segment'],
      ['run-legacy-train', 'train'],
      ['run-legacy-prune', 'prune'],
    ]);
    const prune = list.find((r) => r.lab === 'prune')!;
    expect(prune).toMatchObject({ status: 'stopped', stepsDone: 12, params: 58_000, datasetName: 'Shapes & textures (built-in)' });
    expect(prune.lab === 'prune' && prune.config).toMatchObject({ method: 'rgsm', lambda1: 2, width: 0.0625 });
    expect(prune.lab === 'prune' && prune.attachments.compaction?.after.params).toBe(20_000);
    expect(prune.lab === 'prune' && prune.extras.layers?.history.rows).toEqual(LEGACY_PRUNE_RUN.layerHistory!.rows);
    expect(prune.series['sparsity.channel']?.values).toEqual([0.2, 0.45]);
    const train = list.find((r) => r.lab === 'train')!;
    expect(train.config).not.toHaveProperty('method'); // the Train lab has no method any more
    const seg = list.find((r) => r.lab === 'segment')!;
    expect(seg).toMatchObject({ stepsDone: 6, params: 566_480, datasetName: 'streets' });
    expect(seg.lab === 'segment' && seg.config).toMatchObject({ chain: 'teacher-student', upscale: 'pixelshuffle' });
    expect(seg.lab === 'segment' && seg.extras.segEval?.at(-1)).toMatchObject({ step: 6, mIoU: 0.21, pixelAccuracy: 0.6 });
    expect(seg.series['seg.miou']?.values).toEqual([0.1, 0.15, 0.21]);

    // The old Segment database is gone, and opening again changes nothing.
    const again = await openRunHistory(db.runs, db.seg).list();
    expect(again).toEqual(list);
    const dbs = await indexedDB.databases();
    expect(dbs.map((d) => d.name)).not.toContain(db.seg);
  });

  it('leaves records of today alone and skips what is not a run', () => {
    const today = legacyRunToRecord(LEGACY_PRUNE_RUN)!;
    expect(legacyRunToRecord(today)).toBe(today);
    expect(legacyRunToRecord({ id: 'x', lab: 'no-such-lab', config: {} })).toBeNull();
    expect(legacyRunToRecord('nonsense')).toBeNull();
    expect(legacySegRunToRecord({ id: 3 })).toBeNull();
    expect(legacySegRunToRecord({ ...LEGACY_SEG_RUN, mIoU: null })?.extras.segEval).toEqual([]);
  });
});
