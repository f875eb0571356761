import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { cifar10Files, tarGz } from '../engine/data/import/cifar.fixture';
import { TRAIN_LAB } from '../protocol/labs/train';
import type { ImportProgressInfo, ImportRequest } from '../protocol/datasets';
import { DatasetService } from './datasetService';
import { DatasetStore } from './datasetStore';

let n = 0;
function service() {
  const progress: ImportProgressInfo[] = [];
  const name = `svc-${n++}`;
  const svc = new DatasetService(
    (p) => progress.push(p),
    () => DatasetStore.open(name),
  );
  return { svc, progress };
}

const file = (name: string, bytes: Uint8Array) => new File([new Uint8Array(bytes)], name);
const cifarRequest = (files: File[]): ImportRequest => ({ format: 'cifar', labelMode: 'fine', files: files.map((f) => ({ file: f, path: f.name })) });

describe('DatasetService (worker side of the dataset manager)', () => {
  it('imports cifar-10-binary.tar.gz from a File, stores it, lists it after the built-in set, and loads it for a run', async () => {
    const { svc, progress } = service();
    const archive = tarGz('cifar-10-batches-bin', cifar10Files(4));
    const r = await svc.import(cifarRequest([file('cifar-10-binary.tar.gz', archive)]));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.dataset).toMatchObject({ name: 'CIFAR-10', kind: 'cifar10', trainCount: 20, testCount: 4, source: 'cifar-10-binary.tar.gz' });
    expect(progress.map((p) => p.phase)).toContain('saving');
    expect(progress.at(-1)?.fraction).toBe(1);
    expect(progress.every((p, i) => i === 0 || p.fraction >= progress[i - 1]!.fraction)).toBe(true);
    const list = await svc.list();
    expect(list.map((d) => d.id)).toEqual(['shapes', 'streets', 'streets-real', r.dataset.id]);
    const data = await svc.load({ ...TRAIN_LAB.defaults(), dataset: r.dataset.id }, () => undefined);
    expect(data.train.count).toBe(20);
    expect(data.classNames[0]).toBe('airplane');
    const samples = await svc.samples(r.dataset.id, 'train', 1);
    expect(samples.labels).toEqual([...new Set(data.train.labels)].sort((a, b) => a - b));
  });

  it('reads extracted .bin files streamed from Files', async () => {
    const { svc } = service();
    const r = await svc.import(cifarRequest(cifar10Files(2).map((f) => file(f.name, f.bytes))));
    expect(r.ok && r.dataset.trainCount).toBe(10);
  });

  it('a failed import reports import-failed with the importer code and keeps what was stored', async () => {
    const { svc } = service();
    const good = await svc.import(cifarRequest([file('cifar-10-binary.tar.gz', tarGz('d', cifar10Files(2)))]));
    const bad = await svc.import(cifarRequest([file('test_batch.bin', new Uint8Array(3073 * 2 + 5))]));
    expect(bad).toMatchObject({ ok: false, error: { code: 'import-failed', detail: 'record-size' } });
    const notGz = await svc.import(cifarRequest([file('cifar-10-binary.tar.gz', new TextEncoder().encode('hello, not a gzip file'))]));
    expect(notGz.ok ? null : notGz.error.detail).toBe('not-gzip');
    expect((await svc.list()).map((d) => d.id)).toEqual(['shapes', 'streets', 'streets-real', good.ok ? good.dataset.id : '']);
  });

  it('refuses to load a dataset that is not stored, and to delete the built-in one', async () => {
    const { svc } = service();
    await expect(svc.load({ ...TRAIN_LAB.defaults(), dataset: 'ds-gone' }, () => undefined)).rejects.toMatchObject({ code: 'dataset-missing' });
    await expect(svc.remove('shapes')).rejects.toThrow(/built-in/);
  });

  it('draws samples of the built-in set with its class names', async () => {
    const { svc } = service();
    const s = await svc.samples('shapes', 'train', 2);
    expect(s.count).toBe(20);
    expect(s.labels).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
  });
});
