import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImageDataset } from '../engine';
import { pickSamples } from './datasetSamples';
import { CHUNK_IMAGES, DatasetStore } from './datasetStore';

/** A dataset of `train` + `test` 4×4 images whose bytes encode (split, index, byte) and labels i % classes. */
function makeDataset(train: number, test: number, classes = 3): ImageDataset {
  const split = (count: number, salt: number) => ({
    images: Uint8Array.from({ length: count * 48 }, (_, k) => (salt * 7 + Math.floor(k / 48) * 13 + k) & 255),
    labels: Uint8Array.from({ length: count }, (_, i) => i % classes),
    count,
  });
  return { name: 'tiny', classNames: ['a', 'b', 'c'].slice(0, classes), height: 4, width: 4, channels: 3, train: split(train, 1), test: split(test, 2) };
}

let dbCounter = 0;
const stores: DatasetStore[] = [];
async function freshStore(): Promise<DatasetStore> {
  const s = await DatasetStore.open(`test-${dbCounter++}`);
  stores.push(s);
  return s;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe('DatasetStore', () => {
  it('round-trips a dataset larger than one chunk, byte for byte, and lists it', async () => {
    const store = await freshStore();
    const data = makeDataset(CHUNK_IMAGES * 2 + 5, 7);
    const progress: number[] = [];
    const info = await store.save(data, { kind: 'cifar10', source: 'x.tar.gz' }, (f) => progress.push(f));
    expect(info).toMatchObject({ name: 'tiny', kind: 'cifar10', trainCount: CHUNK_IMAGES * 2 + 5, testCount: 7, height: 4, width: 4, source: 'x.tar.gz' });
    expect(info.bytes).toBe((CHUNK_IMAGES * 2 + 12) * 49);
    expect(progress.at(-1)).toBe(1);
    expect(await store.list()).toEqual([info]);
    const back = await store.load(info.id);
    expect(back.train.images).toEqual(data.train.images);
    expect(back.train.labels).toEqual(data.train.labels);
    expect(back.test.images).toEqual(data.test.images);
    expect(back.classNames).toEqual(data.classNames);
  });

  it('survives reopening (persistence) and deletes a dataset with all its chunks', async () => {
    const name = `persist-${dbCounter++}`;
    const first = await DatasetStore.open(name);
    const a = await first.save(makeDataset(10, 4), { kind: 'folder', source: 'pets' });
    const b = await first.save(makeDataset(6, 3, 2), { kind: 'cifar100', source: 'c.tar.gz', labelMode: 'coarse' });
    first.close();
    const again = await DatasetStore.open(name);
    stores.push(again);
    expect((await again.list()).map((d) => d.id)).toEqual([a.id, b.id]);
    expect((await again.info(b.id))?.labelMode).toBe('coarse');
    await again.remove(a.id);
    expect((await again.list()).map((d) => d.id)).toEqual([b.id]);
    await expect(again.load(a.id)).rejects.toThrow(/not stored/);
    expect((await again.load(b.id)).train.count).toBe(6);
  });

  it('removes the chunks of a save that fails, and lists nothing', async () => {
    const store = await freshStore();
    const bad = makeDataset(5, 2);
    // A test split whose labels are missing makes the second put fail mid-save.
    (bad.test as { labels: unknown }).labels = {
      slice: () => {
        throw Object.assign(new Error('disk full'), { name: 'QuotaExceededError' });
      },
    };
    await expect(store.save(bad, { kind: 'folder', source: 'x' })).rejects.toThrow(/storage quota is full/);
    expect(await store.list()).toEqual([]);
  });

  it('picks samples class by class', async () => {
    const data = makeDataset(12, 3);
    const s = pickSamples({ id: 'ds-x', height: 4, width: 4, classNames: ['a', 'b', 'c'] }, 'train', data.train, 2, 100);
    expect(s.labels).toEqual([0, 0, 1, 1, 2, 2]);
    expect(s.count).toBe(6);
    expect(Array.from(s.images.subarray(48, 96))).toEqual(Array.from(data.train.images.subarray(3 * 48, 4 * 48))); // 2nd of class a = image 3
    expect(pickSamples({ id: 'ds-x', height: 4, width: 4, classNames: ['a', 'b', 'c'] }, 'train', data.train, 2, 3).labels).toEqual([0, 0, 1]);
  });
});
