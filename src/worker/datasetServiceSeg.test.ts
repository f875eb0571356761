import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { SEG_FORMATS, SEG_FORMAT_IDS, STREET_CLASSES, STREET_PALETTE, generateStreetDataset } from '../engine';
import { decodeTestImage, grayPng, photoPng } from '../engine/data/import/seg.fixture';
import { TRAIN_LAB } from '../protocol/labs/train';
import { DATASET_ID_PATTERN, importFingerprint, SEG_LABEL_FORMATS, SEG_LABEL_FORMAT_NAMES, STREETS_DATASET_ID, type ImportRequest } from '../protocol/datasets';
import { DatasetService } from './datasetService';
import { DatasetStore } from './datasetStore';
import type { SegImageDecoder } from './segImporter';

const SW = 16; // source images: 16×8, so each source pixel covers a 16×16 block at the stored 256×128
const SH = 8;
let n = 0;
function service(decode: SegImageDecoder = decodeTestImage) {
  const name = `seg-svc-${n++}`;
  return new DatasetService(
    () => undefined,
    () => DatasetStore.open(name),
    decode,
  );
}

/** CamVid-11 label value of pixel (x, y) of pair `i`: 0–10, and 11 (void) on one column. */
const labelValue = (i: number, x: number, y: number) => (x === SW - 1 ? 11 : (i + x + 3 * y) % 11);
const labelValues = (i: number) => Array.from({ length: SW * SH }, (_, p) => labelValue(i, p % SW, Math.floor(p / SW)));

/** `count` pairs images/000i.png ↔ labels/000i.png under `root`, plus `extra` files. */
function camvidRequest(count: number, extra: Record<string, Uint8Array> = {}, root = 'street'): ImportRequest {
  const files: Record<string, Uint8Array> = {};
  for (let i = 1; i <= count; i++) {
    files[`${root}/images/000${i}.png`] = photoPng(i, SW, SH);
    files[`${root}/labels/000${i}.png`] = grayPng(SW, SH, labelValues(i));
  }
  Object.assign(files, extra);
  return {
    format: 'segmentation',
    labelMode: 'fine',
    segFormat: 'auto',
    files: Object.entries(files).map(([path, bytes]) => ({ path, file: new File([new Uint8Array(bytes)], path.split('/').pop()!) })),
  };
}

describe('DatasetService: segmentation datasets', () => {
  it('protocol mirrors the engine: label formats, their names, and the streets id', () => {
    expect([...SEG_LABEL_FORMATS]).toEqual([...SEG_FORMAT_IDS]);
    for (const id of SEG_FORMAT_IDS) expect(SEG_LABEL_FORMAT_NAMES[id]).toBe(SEG_FORMATS[id].name);
    expect(DATASET_ID_PATTERN.test(STREETS_DATASET_ID)).toBe(true);
  });

  it('lists the built-in street scenes after the shapes, with their classes, palette and size', async () => {
    const list = await service().list();
    expect(list.map((d) => d.id)).toEqual(['shapes', 'streets', 'streets-real']);
    expect(list[0]!.task).toBeUndefined();
    expect(list[1]).toMatchObject({
      name: 'Street scenes (built-in)',
      kind: 'builtin',
      task: 'segment',
      classNames: [...STREET_CLASSES],
      height: 128,
      width: 256,
    });
    expect(list[1]!.palette).toEqual(STREET_PALETTE.map((c) => [...c]));
    await expect(service().remove('streets')).rejects.toThrow(/built-in/);
    // The realistic scenes (issue #15): the same classes, palette and size under their own id and name.
    expect(list[2]).toMatchObject({ ...list[1], id: 'streets-real', name: 'Realistic streets (built-in)' });
    await expect(service().remove('streets-real')).rejects.toThrow(/built-in/);
  });

  it('imports CamVid-11 pairs at 128×256, stores them, and loads them at both sizes', async () => {
    const svc = service();
    const req = camvidRequest(6);
    const r = await svc.import({ ...req, fingerprint: importFingerprint(req) });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.dataset.fingerprint).toBe(importFingerprint(req));
    expect((await svc.list()).find((d) => d.id === r.dataset.id)?.fingerprint).toBe(importFingerprint(req));
    expect(r.dataset).toMatchObject({
      name: 'street',
      kind: 'segmentation',
      task: 'segment',
      segFormat: 'camvid11',
      source: 'street/',
      trainCount: 5,
      testCount: 1,
      height: 128,
      width: 256,
    });
    expect(r.dataset.classNames).toHaveLength(11);
    expect((await svc.list()).map((d) => d.id)).toEqual(['shapes', 'streets', 'streets-real', r.dataset.id]);

    const high = await svc.loadSeg(r.dataset.id, 'high', { seed: 1, trainSize: 0, testSize: 0 });
    expect(high).toMatchObject({ height: 128, width: 256, ignoreLabel: 255 });
    expect(high.train.count).toBe(5);
    // Nearest-neighbour upscaling by 16: stored pixel (x, y) of train pair 0 (0001.png) is source pixel (x/16, y/16); 11 = void → 255.
    const at = (x: number, y: number) => high.train.labels[y * 256 + x];
    expect([at(0, 0), at(17, 0), at(40, 100), at(255, 127)]).toEqual([labelValue(1, 0, 0), labelValue(1, 1, 0), labelValue(1, 2, 6), 255]);

    const low = await svc.loadSeg(r.dataset.id, 'low', { seed: 1, trainSize: 0, testSize: 0 });
    expect(low).toMatchObject({ height: 64, width: 128 });
    expect(low.train.labels.length).toBe(5 * 64 * 128);
    // Halving by nearest neighbour picks the stored pixel (2x + 1, 2y + 1): labels are never mixed.
    for (const [x, y] of [
      [0, 0],
      [9, 3],
      [127, 63],
      [64, 32],
    ] as const) {
      expect(low.train.labels[4 * 64 * 128 + y * 128 + x]).toBe(high.train.labels[4 * 128 * 256 + (2 * y + 1) * 256 + 2 * x + 1]);
    }
    // Halving images bilinearly (antialiased) is the filter 1/8, 3/8, 3/8, 1/8 over stored pixels 2x − 1 … 2x + 2, per axis.
    const taps = [1 / 8, 3 / 8, 3 / 8, 1 / 8];
    for (const [x, y] of [
      [4, 4],
      [30, 17],
      [100, 50],
    ] as const) {
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (let j = 0; j < 4; j++) for (let i = 0; i < 4; i++) v += taps[i]! * taps[j]! * high.train.images[((2 * y - 1 + j) * 256 + 2 * x - 1 + i) * 3 + c]!;
        expect(Math.abs(low.train.images[(y * 128 + x) * 3 + c]! - v)).toBeLessThanOrEqual(0.5 + 1e-4);
      }
    }
  });

  it('draws samples of a stored set and of the street scenes with label maps and palette', async () => {
    const svc = service();
    const r = await svc.import(camvidRequest(6));
    if (!r.ok) throw new Error(r.error.message);
    const s = await svc.samples(r.dataset.id, 'train', 3);
    expect(s).toMatchObject({ count: 3, height: 128, width: 256, labels: [] });
    expect(s.labelMaps?.length).toBe(3 * 128 * 256);
    expect(s.palette).toHaveLength(11);
    const streets = await svc.samples('streets', 'train', 2);
    const expected = await generateStreetDataset({ seed: 1, size: 'high', trainSize: 2, testSize: 0 });
    expect(streets.count).toBe(2);
    expect(Buffer.from(streets.labelMaps!).equals(Buffer.from(expected.train.labels))).toBe(true);
  });

  it('loads the street scenes generated from seed and sizes', async () => {
    const data = await service().loadSeg('streets', 'low', { seed: 3, trainSize: 2, testSize: 1 });
    const expected = await generateStreetDataset({ seed: 3, size: 'low', trainSize: 2, testSize: 1 });
    expect(data).toMatchObject({ height: 64, width: 128, classNames: STREET_CLASSES });
    expect(Buffer.from(data.test.labels).equals(Buffer.from(expected.test.labels))).toBe(true);
    // The realistic set is the realistic style of the same generator, and its samples too.
    const real = await service().loadSeg('streets-real', 'low', { seed: 3, trainSize: 2, testSize: 1 });
    const realExpected = await generateStreetDataset({ seed: 3, size: 'low', trainSize: 2, testSize: 1, style: 'realistic' });
    expect(Buffer.from(real.train.images).equals(Buffer.from(realExpected.train.images))).toBe(true);
    expect(Buffer.from(real.train.images).equals(Buffer.from(expected.train.images))).toBe(false);
    const samples = await service().samples('streets-real', 'test', 1);
    const sampleExpected = await generateStreetDataset({ seed: 1, size: 'high', trainSize: 0, testSize: 1, style: 'realistic' });
    expect(Buffer.from(samples.labelMaps!).equals(Buffer.from(sampleExpected.test.labels))).toBe(true);
  });

  it('refuses a dataset of the wrong task with invalid-config, and an unknown id with dataset-missing', async () => {
    const svc = service();
    const seg = await svc.import(camvidRequest(6));
    if (!seg.ok) throw new Error(seg.error.message);
    const opts = { seed: 1, trainSize: 4, testSize: 2 };
    await expect(svc.loadSeg('shapes', 'low', opts)).rejects.toMatchObject({
      code: 'invalid-config',
      message: expect.stringMatching(/classification dataset/),
    });
    await expect(svc.load({ ...TRAIN_LAB.defaults(), dataset: 'streets' }, () => undefined)).rejects.toMatchObject({
      code: 'invalid-config',
      message: expect.stringMatching(/segmentation dataset/),
    });
    await expect(svc.load({ ...TRAIN_LAB.defaults(), dataset: seg.dataset.id }, () => undefined)).rejects.toMatchObject({ code: 'invalid-config' });
    await expect(svc.load({ ...TRAIN_LAB.defaults(), dataset: 'streets-real' }, () => undefined)).rejects.toMatchObject({ code: 'invalid-config' });
    await expect(svc.loadDetection('streets-real')).rejects.toMatchObject({ code: 'invalid-config' });
    await expect(svc.loadSeg('ds-gone', 'high', opts)).rejects.toMatchObject({ code: 'dataset-missing' });
  });

  it('a bad folder fails with the importer code and sentence, and what was stored stays', async () => {
    const svc = service();
    const good = await svc.import(camvidRequest(6));
    const unpaired = await svc.import(camvidRequest(6, { 'street/images/0009.png': photoPng(9, SW, SH) }));
    expect(unpaired).toMatchObject({
      ok: false,
      error: { code: 'import-failed', detail: 'unpaired-image', message: expect.stringMatching(/street\/images\/0009\.png/) },
    });
    const values = labelValues(2);
    values[5] = 40;
    const badValue = await svc.import(camvidRequest(6, { 'street/labels/0002.png': grayPng(SW, SH, values) }));
    expect(badValue).toMatchObject({
      ok: false,
      error: { code: 'import-failed', detail: 'label-value', message: expect.stringMatching(/x 5, y 0 has value 40/) },
    });
    expect((await svc.list()).map((d) => d.id)).toEqual(['shapes', 'streets', 'streets-real', good.ok ? good.dataset.id : '']);
  });

  it('a cancelled import stores nothing', async () => {
    let svc: DatasetService | null = null;
    let decoded = 0;
    svc = service(async (bytes) => {
      if (++decoded === 2) svc!.cancelImport();
      return decodeTestImage(bytes);
    });
    const r = await svc.import(camvidRequest(6));
    expect(r).toMatchObject({ ok: false, error: { code: 'import-failed', detail: 'aborted' } });
    expect(decoded).toBeLessThan(6);
    expect((await svc.list()).map((d) => d.id)).toEqual(['shapes', 'streets', 'streets-real']);
  });
});
