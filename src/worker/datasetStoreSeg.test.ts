import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { SegDataset } from '../engine';
import { DatasetStore, SEG_CHUNK_BYTES } from './datasetStore';

const H = 128;
const W = 256;
/** Images per stored segmentation chunk at 128×256 (image + label map per image). */
const PER_CHUNK = Math.floor(SEG_CHUNK_BYTES / (H * W * 4));

/** A 128×256 segmentation set whose image bytes and label ids encode (split, image, pixel). */
function makeSeg(train: number, test: number): SegDataset {
  const split = (count: number, salt: number) => {
    const images = new Uint8Array(count * H * W * 3);
    const labels = new Uint8Array(count * H * W);
    for (let k = 0; k < images.length; k++) images[k] = (salt * 11 + Math.floor(k / (H * W * 3)) * 7 + k) & 255;
    for (let k = 0; k < labels.length; k++) labels[k] = (salt + Math.floor(k / (H * W)) + k) % 4 === 3 ? 255 : (salt + k) % 3;
    return { images, labels, count };
  };
  return {
    name: 'roads',
    classNames: ['road', 'car', 'sky'],
    palette: [
      [128, 64, 128],
      [0, 0, 142],
      [70, 130, 180],
    ],
    height: H,
    width: W,
    ignoreLabel: 255,
    train: split(train, 1),
    test: split(test, 2),
  };
}

/** The first index where two byte arrays differ, or -1 (toEqual walks megabytes element by element). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const i = Buffer.from(a.buffer, a.byteOffset, a.length).compare(Buffer.from(b.buffer, b.byteOffset, b.length));
  return i === 0 ? -1 : a.findIndex((v, k) => v !== b[k]);
}

const stores: DatasetStore[] = [];
let n = 0;
async function freshStore(name = `seg-${n++}`): Promise<DatasetStore> {
  const s = await DatasetStore.open(name);
  stores.push(s);
  return s;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe('DatasetStore: segmentation datasets', () => {
  it('round-trips images and label maps over several chunks, byte for byte, after reopening', async () => {
    const name = `seg-persist-${n++}`;
    const first = await DatasetStore.open(name);
    const data = makeSeg(PER_CHUNK + 3, 2);
    const progress: number[] = [];
    const info = await first.saveSeg(data, { source: 'roads/', segFormat: 'camvid11' }, (f) => progress.push(f));
    first.close();
    expect(info).toMatchObject({
      kind: 'segmentation',
      task: 'segment',
      segFormat: 'camvid11',
      classNames: ['road', 'car', 'sky'],
      trainCount: PER_CHUNK + 3,
      testCount: 2,
      height: H,
      width: W,
    });
    expect(info.palette).toEqual([
      [128, 64, 128],
      [0, 0, 142],
      [70, 130, 180],
    ]);
    expect(info.bytes).toBe((PER_CHUNK + 5) * H * W * 4);
    expect(progress.length).toBe(3); // two train chunks and one test chunk
    expect(progress.at(-1)).toBe(1);
    const store = await freshStore(name);
    expect((await store.list()).map((d) => d.id)).toEqual([info.id]);
    const back = await store.loadSeg(info.id);
    expect(back).toMatchObject({ name: 'roads', height: H, width: W, ignoreLabel: 255 });
    expect(firstDifference(back.train.images, data.train.images)).toBe(-1);
    expect(firstDifference(back.train.labels, data.train.labels)).toBe(-1);
    expect(firstDifference(back.test.images, data.test.images)).toBe(-1);
    expect(firstDifference(back.test.labels, data.test.labels)).toBe(-1);
  });

  it('gives samples with their label maps and palette', async () => {
    const store = await freshStore();
    const data = makeSeg(4, 1);
    const info = await store.saveSeg(data, { source: 'roads/', segFormat: 'voc' });
    const s = await store.samples(info.id, 'train', 3);
    expect(s).toMatchObject({ count: 3, width: W, height: H, labels: [], classNames: ['road', 'car', 'sky'] });
    expect(firstDifference(s.labelMaps!, data.train.labels.subarray(0, 3 * H * W))).toBe(-1);
    expect(firstDifference(s.images, data.train.images.subarray(0, 3 * H * W * 3))).toBe(-1);
    expect(s.palette).toEqual(info.palette);
    expect((await store.samples(info.id, 'test', 5)).count).toBe(1);
  });

  it('refuses to read a segmentation set as classification and the reverse, with invalid-config', async () => {
    const store = await freshStore();
    const seg = await store.saveSeg(makeSeg(1, 1), { source: 'roads/', segFormat: 'camvid11' });
    await expect(store.load(seg.id)).rejects.toMatchObject({ code: 'invalid-config', message: expect.stringMatching(/"roads" is a segmentation dataset/) });
    const img = { images: new Uint8Array(2 * 48), labels: Uint8Array.of(0, 1), count: 2 };
    const cls = await store.save(
      { name: 'tiny', classNames: ['a', 'b'], height: 4, width: 4, channels: 3, train: img, test: img },
      { kind: 'folder', source: 'tiny' },
    );
    await expect(store.loadSeg(cls.id)).rejects.toMatchObject({ code: 'invalid-config', message: expect.stringMatching(/"tiny" is a classification dataset/) });
    await expect(store.loadSeg('ds-gone')).rejects.toMatchObject({ code: 'dataset-missing' });
  });

  it('removes the chunks of a segmentation save that fails, and lists nothing', async () => {
    const store = await freshStore();
    const bad = makeSeg(2, 1);
    (bad.test as { labels: unknown }).labels = {
      slice: () => {
        throw Object.assign(new Error('disk full'), { name: 'QuotaExceededError' });
      },
    };
    await expect(store.saveSeg(bad, { source: 'x/', segFormat: 'camvid11' })).rejects.toMatchObject({ code: 'storage-failed' });
    expect(await store.list()).toEqual([]);
    // The train chunk written before the failure is gone too: a later save of the same split starts clean.
    const good = await store.saveSeg(makeSeg(1, 1), { source: 'y/', segFormat: 'camvid11' });
    expect((await store.list()).map((d) => d.id)).toEqual([good.id]);
  });
});
