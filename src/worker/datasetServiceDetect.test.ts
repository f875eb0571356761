import 'fake-indexeddb/auto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resizeBilinearRgb, type DetectBox } from '../engine';
import type { ImportRequest } from '../protocol/datasets';
import { DatasetService, type ImportOutcome } from './datasetService';
import { DatasetStore } from './datasetStore';
import { cocoInstances, decodeTestPhoto, detectRequest, photoJpeg, photoPng, vocAnnotation, type CocoAnnotation } from './detectImport.fixture';
import { DETECT_STORE_SIZE, detectTestMask, planDetectImport } from './detectImporter';
import type { SegImageDecoder } from './segImporter';

let n = 0;
function service(decode: SegImageDecoder = decodeTestPhoto) {
  const name = `detect-svc-${n++}`;
  return new DatasetService(
    () => undefined,
    () => DatasetStore.open(name),
    decode,
  );
}

function ok(r: ImportOutcome) {
  if (!r.ok) throw new Error(`import failed: ${r.error.message}`);
  return r.dataset;
}

/** Six 40×20 images (p1…p6, PNG and JPEG) in a COCO folder; p5 has no people (a negative); p2 has a crowd box; one listed image (gone.png) is not given. */
const W = 40;
const H = 20;
const cocoFiles = (patch: { annotations?: CocoAnnotation[]; categories?: { id: number; name: string }[]; json?: string } = {}) => {
  const images = [1, 2, 3, 4, 5, 6].map((i) => ({ id: i, file_name: `p${i}.${i % 2 ? 'png' : 'jpg'}`, width: W, height: H }));
  const annotations: CocoAnnotation[] = patch.annotations ?? [
    { id: 101, image_id: 1, category_id: 1, bbox: [4, 2, 10, 16], iscrowd: 0 },
    { id: 102, image_id: 2, category_id: 1, bbox: [0, 0, 20, 20], iscrowd: 1 },
    { id: 103, image_id: 2, category_id: 1, bbox: [22, 4, 8, 12], iscrowd: 0 },
    { id: 104, image_id: 3, category_id: 18, bbox: [0, 0, 5, 5], iscrowd: 0 }, // a dog: dropped
    { id: 105, image_id: 3, category_id: 1, bbox: [30, 10, 10, 10], iscrowd: 0 },
    { id: 106, image_id: 4, category_id: 1, bbox: [1, 1, 38, 18], iscrowd: 0 },
    { id: 107, image_id: 6, category_id: 1, bbox: [10, 5, 5, 10], iscrowd: 0 },
  ];
  const categories = patch.categories ?? [
    { id: 1, name: 'person', supercategory: 'person' },
    { id: 18, name: 'dog', supercategory: 'animal' },
  ];
  const files: Record<string, Uint8Array | string> = {
    'people/annotations/instances_val2017.json':
      patch.json ?? cocoInstances([...images, { id: 7, file_name: 'gone.png', width: 9, height: 9 }], annotations, categories),
  };
  for (const im of images) files[`people/val2017/${im.file_name}`] = im.id % 2 ? photoPng(im.id, W, H) : photoJpeg(im.id, W, H);
  return files;
};

const box = (x: number, y: number, w: number, h: number, ignore = false): DetectBox => ({
  cx: (x + w / 2) / W,
  cy: (y + h / 2) / H,
  w: w / W,
  h: h / H,
  ignore,
});

/** Whether two byte arrays are equal (vitest's deep equality walks typed arrays element by element: slow at 100 KB). */
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** The stored pixels an image should get: decoded, then stretched bilinearly to 128×256. */
async function stretched(bytes: Uint8Array): Promise<Uint8Array> {
  const d = await decodeTestPhoto(bytes);
  return resizeBilinearRgb(d.rgba, d.width, d.height, DETECT_STORE_SIZE.width, DETECT_STORE_SIZE.height);
}

describe('DatasetService: person-detection datasets', () => {
  it('imports a COCO folder: person boxes, crowd as ignore, negatives kept, stored at 128×256, split 5 / 1, listed, loaded, sampled, deleted', async () => {
    const svc = service();
    const files = cocoFiles();
    const d = ok(await svc.import(detectRequest(files)));
    expect(d).toMatchObject({
      name: 'people (COCO persons)',
      kind: 'detection',
      task: 'detect',
      classNames: ['person'],
      detectFormat: 'coco',
      detectCounts: { images: 6, people: 5, ignore: 1, negatives: 1, skipped: 1 },
      trainCount: 5,
      testCount: 1,
      height: 128,
      width: 256,
      source: 'people/',
    });
    expect(d.bytes).toBe(6 * (128 * 256 * 3 + 1));
    expect((await svc.list()).map((x) => x.id)).toEqual(['shapes', 'streets', 'streets-real', d.id]);

    const progress: number[] = [];
    const data = await svc.loadDetection(d.id, (f) => progress.push(f));
    expect(progress.at(-1)).toBe(1);
    expect(data).toMatchObject({ name: 'people (COCO persons)', height: 128, width: 256 });
    expect(data.train.count).toBe(5);
    expect(data.test.count).toBe(1);
    // Every 5th image goes to test: p5, the negative.
    expect(data.train.boxes).toEqual([
      [box(4, 2, 10, 16)],
      [box(0, 0, 20, 20, true), box(22, 4, 8, 12)],
      [box(30, 10, 10, 10)],
      [box(1, 1, 38, 18)],
      [box(10, 5, 5, 10)],
    ]);
    expect(data.test.boxes).toEqual([[]]);
    const px = 128 * 256 * 3;
    expect(data.train.images.length).toBe(5 * px);
    expect(same(data.train.images.subarray(0, px), await stretched(files['people/val2017/p1.png'] as Uint8Array))).toBe(true);
    expect(same(data.train.images.subarray(px, 2 * px), await stretched(files['people/val2017/p2.jpg'] as Uint8Array))).toBe(true);
    expect(same(data.train.images.subarray(4 * px), await stretched(files['people/val2017/p6.jpg'] as Uint8Array))).toBe(true);
    expect(same(data.test.images, await stretched(files['people/val2017/p5.png'] as Uint8Array))).toBe(true);

    const s = await svc.samples(d.id, 'train', 4);
    expect(s).toMatchObject({ id: d.id, split: 'train', count: 4, height: 128, width: 256, classNames: ['person'], labels: [] });
    expect(s.boxes).toEqual(data.train.boxes.slice(0, 4));
    expect(same(s.images, data.train.images.subarray(0, 4 * px))).toBe(true);
    expect(s.labelMaps).toBeUndefined();

    await svc.remove(d.id);
    expect((await svc.list()).map((x) => x.id)).toEqual(['shapes', 'streets', 'streets-real']);
    await expect(svc.loadDetection(d.id)).rejects.toMatchObject({ code: 'dataset-missing' });
  });

  it('imports a Pascal VOC folder (JPEGImages + Annotations): difficult as ignore, other classes dropped, ImageSets/Main/val.txt as the test split', async () => {
    const ids = ['2008_000001', '2008_000002', '2008_000003', '2008_000004'];
    const files: Record<string, Uint8Array | string> = {
      'VOC2012/ImageSets/Main/val.txt': '2008_000002\n2008_000004\n',
      'VOC2012/ImageSets/Main/person.txt': ' 2008_000001  1\n',
    };
    const objects: Parameters<typeof vocAnnotation>[3][] = [
      [['person', 5, 3, 14, 18, 0]],
      [
        ['person', 1, 1, 40, 20, 1],
        ['dog', 2, 2, 9, 9, 0],
      ],
      [['cat', 1, 1, 10, 10, 0]],
      [
        ['person', 21, 1, 30, 20, 0],
        ['person', 31, 11, 40, 20, 0],
      ],
    ];
    ids.forEach((id, i) => {
      files[`VOC2012/Annotations/${id}.xml`] = vocAnnotation(`${id}.jpg`, W, H, objects[i]!);
      files[`VOC2012/JPEGImages/${id}.jpg`] = photoJpeg(i + 1, W, H);
    });
    const svc = service();
    const d = ok(await svc.import(detectRequest(files)));
    expect(d).toMatchObject({
      name: 'VOC2012 (VOC persons)',
      kind: 'detection',
      detectFormat: 'voc',
      detectCounts: { images: 4, people: 3, ignore: 1, negatives: 1, skipped: 0 },
      trainCount: 2,
      testCount: 2,
    });
    const data = await svc.loadDetection(d.id);
    // VOC boxes are 1-based inclusive pixels: xmin 5 … xmax 14 covers pixel edges [4, 14).
    expect(data.train.boxes).toEqual([[box(4, 2, 10, 16)], []]);
    expect(data.test.boxes).toEqual([[box(0, 0, 40, 20, true)], [box(20, 0, 10, 20), box(30, 10, 10, 10)]]);
  });

  it('tells COCO from VOC by the files, and refuses a folder with no annotations or several instances files', () => {
    expect(planDetectImport(['a/instances_val2017.json', 'a/x.jpg', 'a/captions_val2017.json'])).toEqual({ format: 'coco', json: 'a/instances_val2017.json' });
    expect(planDetectImport(['a/annotations.json', 'a/x.jpg'])).toEqual({ format: 'coco', json: 'a/annotations.json' });
    expect(planDetectImport(['v/Annotations/1.xml', 'v/JPEGImages/1.jpg'])).toEqual({ format: 'voc' });
    expect(() => planDetectImport(['a/x.jpg', 'a/y.png'])).toThrow(
      /^None of the 2 chosen files is a COCO instances_\*\.json or a Pascal VOC Annotations\/\*\.xml/,
    );
    expect(() => planDetectImport(['a/instances_train2017.json', 'a/instances_val2017.json'])).toThrow(
      /hold 2 COCO annotation files \(a\/instances_train2017\.json, a\/instances_val2017\.json\)/,
    );
    expect(detectTestMask(['a', 'b', 'c'])).toEqual([false, false, true]);
    expect(detectTestMask(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'])).toEqual([false, false, false, false, true, false, false, false, false, true]);
    expect(detectTestMask(['x/a.jpg', 'x/b.jpg'], new Set(['a', 'b']))).toEqual([false, true]); // a list naming everything leaves no train: hold-out
  });

  describe('refusals: one sentence naming the file, and nothing stored is touched', () => {
    const bad = (mutate: (files: Record<string, Uint8Array | string>) => void) => {
      const files = cocoFiles();
      mutate(files);
      return detectRequest(files);
    };
    const cases: [string, ImportRequest, string, RegExp][] = [
      [
        'JSON that does not parse',
        bad((f) => (f['people/annotations/instances_val2017.json'] = '{"images": [')),
        'annotation-format',
        /^people\/annotations\/instances_val2017\.json is not valid JSON \(/,
      ],
      [
        'JSON without the COCO lists',
        bad((f) => (f['people/annotations/instances_val2017.json'] = '{"images": [], "annotations": []}')),
        'annotation-format',
        /^people\/annotations\/instances_val2017\.json is not a COCO instances file: it needs "images", "annotations" and "categories" lists\.$/,
      ],
      [
        'no person category',
        detectRequest(cocoFiles({ annotations: [], categories: [{ id: 18, name: 'dog' }] })),
        'no-person-category',
        /^people\/annotations\/instances_val2017\.json has no "person" category \(it has dog\): the Detect lab needs person boxes\.$/,
      ],
      [
        'an annotation whose image file is missing',
        bad((f) => delete f['people/val2017/p3.png']),
        'missing-image',
        /^people\/annotations\/instances_val2017\.json: annotation 105 is on p3\.png, which is not among the chosen image files\.$/,
      ],
      [
        'a box outside its image',
        detectRequest(cocoFiles({ annotations: [{ id: 9, image_id: 1, category_id: 1, bbox: [30, 0, 20, 10], iscrowd: 0 }] })),
        'box-outside',
        /^people\/annotations\/instances_val2017\.json: annotation 9 has a box \(30, 0\)–\(50, 10\) outside its 40×20 image p1\.png/,
      ],
      [
        'a box of non-positive size',
        detectRequest(cocoFiles({ annotations: [{ id: 9, image_id: 1, category_id: 1, bbox: [3, 3, 0, 10], iscrowd: 0 }] })),
        'box-outside',
        /annotation 9 has a box of non-positive size \(0×10 pixels\) on p1\.png\.$/,
      ],
      [
        'an image that does not decode',
        bad((f) => (f['people/val2017/p4.jpg'] = 'this is not a JPEG')),
        'image-decode',
        /^people\/val2017\/p4\.jpg could not be decoded as an image \(not a PNG or JPEG image\)\.$/,
      ],
      [
        'a VOC XML without a size',
        detectRequest({ 'v/Annotations/1.xml': '<annotation><filename>1.jpg</filename></annotation>', 'v/JPEGImages/1.jpg': photoJpeg(1, W, H) }),
        'annotation-format',
        /^v\/Annotations\/1\.xml has no <size> with a positive <width> and <height>/,
      ],
      [
        'a VOC XML whose image is missing',
        detectRequest({ 'v/Annotations/1.xml': vocAnnotation('1.jpg', W, H, [['person', 1, 1, 5, 5, 0]]) }),
        'missing-image',
        /^v\/Annotations\/1\.xml describes 1\.jpg, which is not among the chosen image files\.$/,
      ],
      [
        'images without a single person',
        detectRequest(cocoFiles({ annotations: [] })),
        'no-person-category',
        /^people\/annotations\/instances_val2017\.json has no person box on any of its 6 images/,
      ],
      ['no annotation file', detectRequest({ 'x/a.png': photoPng(1, W, H), 'x/b.png': photoPng(2, W, H) }), 'annotation-format', /^None of the 2 chosen files/],
    ];

    // One service for all cases: the set stored first must come through every failed import unchanged.
    const svc = service();
    const first = (async () => {
      const kept = ok(await svc.import(detectRequest(cocoFiles())));
      return { kept, before: await svc.loadDetection(kept.id) };
    })();
    it.each(cases)('%s', async (_, req, detail, message) => {
      const { kept, before } = await first;
      const r = await svc.import(req);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error).toMatchObject({ code: 'import-failed', detail });
      expect(r.error.message).toMatch(message);
      expect(r.error.message.split(/\.\s+[A-Z]/)).toHaveLength(1); // one sentence
      expect((await svc.list()).map((x) => x.id)).toEqual(['shapes', 'streets', 'streets-real', kept.id]);
      const after = await svc.loadDetection(kept.id);
      expect({ ...after, train: after.train.boxes, test: after.test.boxes }).toEqual({ ...before, train: before.train.boxes, test: before.test.boxes });
      expect(same(after.train.images, before.train.images) && same(after.test.images, before.test.images)).toBe(true);
    });
  });

  it('keeps tasks apart: loadDetection refuses classification and segmentation sets, the other loaders refuse a detection set', async () => {
    const svc = service();
    const d = ok(await svc.import(detectRequest(cocoFiles())));
    await expect(svc.loadDetection('shapes')).rejects.toThrow(/classification dataset .*; the Detect lab needs person boxes/);
    await expect(svc.loadDetection('streets')).rejects.toThrow(/segmentation dataset .*; the Detect lab needs person boxes/);
    await expect(svc.loadDetection('ds-nothing-here')).rejects.toMatchObject({ code: 'dataset-missing' });
    await expect(svc.load({ dataset: d.id, seed: 1, trainSize: 10, testSize: 10 }, () => undefined)).rejects.toThrow(
      /"people \(COCO persons\)" is a person-detection dataset \(boxes per image\); the Train and Prune labs need a classification dataset/,
    );
    await expect(svc.loadSeg(d.id, 'high', { seed: 1, trainSize: 1, testSize: 1 })).rejects.toThrow(
      /is a person-detection dataset \(boxes per image\); segmentation needs per-pixel labels/,
    );
  });
});

describe('DatasetStore: person-detection sets over several chunks', () => {
  it('reads a set of more than one 8 MB chunk (85 images each at 128×256) back, every image with its own boxes', async () => {
    const store = await DatasetStore.open(`detect-store-${n++}`);
    const px = 128 * 256 * 3;
    const split = (count: number, salt: number) => {
      const images = new Uint8Array(count * px);
      for (let i = 0; i < count; i++) images.fill((i * 7 + salt) & 255, i * px, (i + 1) * px);
      const boxes = Array.from({ length: count }, (_, i) =>
        Array.from({ length: i % 3 }, (_, k): DetectBox => ({ cx: (i + 1) / 200, cy: 0.5, w: 0.01 * (k + 1), h: 0.2, ignore: k === 1 })),
      );
      return { images, boxes, count };
    };
    const data = { name: 'many', height: 128, width: 256, train: split(90, 0), test: split(3, 100) };
    const info = await store.saveDetect(data, { source: 'many/', detectFormat: 'voc', skipped: 2 });
    expect(info.detectCounts).toEqual({ images: 93, people: 62, ignore: 31, negatives: 31, skipped: 2 });
    const back = await store.loadDetection(info.id);
    expect(back.train.boxes).toEqual(data.train.boxes);
    expect(back.test.boxes).toEqual(data.test.boxes);
    expect(same(back.train.images, data.train.images) && same(back.test.images, data.test.images)).toBe(true);
    const s = await store.samples(info.id, 'train', 8);
    expect(s.boxes).toEqual(data.train.boxes.slice(0, 8));
    await expect(store.load(info.id)).rejects.toThrow(/person-detection dataset/);
    await store.remove(info.id);
    expect(await store.list()).toEqual([]);
    store.close();
  }, 30_000);
});

const REAL = join(__dirname, '../../../shared/realdata');
const haveReal = existsSync(join(REAL, 'coco_person/annotations.json')) && existsSync(join(REAL, 'voc_person/Annotations'));
if (!haveReal) console.warn(`skipping the real COCO / VOC person samples: ${REAL} is absent`);

/** The files under `dir` as a folder pick would give them (paths relative to dir's parent), minus `leave`. */
function folderRequest(dir: string, leave: (path: string) => boolean = () => false): ImportRequest {
  const walk = (d: string): string[] => readdirSync(d).flatMap((name) => (statSync(join(d, name)).isDirectory() ? walk(join(d, name)) : [join(d, name)]));
  const files: Record<string, Uint8Array> = {};
  for (const full of walk(dir).sort()) {
    const path = relative(join(dir, '..'), full);
    if (!leave(path)) files[path] = new Uint8Array(readFileSync(full));
  }
  return detectRequest(files);
}

describe.skipIf(!haveReal)('real samples in ../shared/realdata', () => {
  it('COCO person sample (annotations.json + 16 JPEGs): 61 people, 1 crowd box, 5 negatives', async () => {
    const svc = service();
    // The folder also holds Clarifai's all-category instances_*.json (10 of the 16 images): leave it out to import annotations.json.
    const d = ok(await svc.import(folderRequest(join(REAL, 'coco_person'), (p) => /instances_.*\.json$/.test(p))));
    expect(d).toMatchObject({
      detectFormat: 'coco',
      detectCounts: { images: 16, people: 61, ignore: 1, negatives: 5, skipped: 0 },
      trainCount: 13,
      testCount: 3,
    });
    const data = await svc.loadDetection(d.id);
    const all = [...data.train.boxes, ...data.test.boxes].flat();
    expect(all).toHaveLength(62);
    for (const b of all) {
      expect(b.cx - b.w / 2).toBeGreaterThanOrEqual(0);
      expect(b.cy + b.h / 2).toBeLessThanOrEqual(1);
    }
    const meanPixel = data.train.images.reduce((a, v) => a + v, 0) / data.train.images.length;
    expect(meanPixel).toBeGreaterThan(40); // real photos decoded, not blank
    expect(meanPixel).toBeLessThan(215);
  }, 30_000);

  it('COCO person folder as a whole: its instances_*.json is the one read', async () => {
    const r = await service().import(folderRequest(join(REAL, 'coco_person')));
    const d = ok(r);
    expect(d.detectFormat).toBe('coco');
    expect(d.detectCounts!.images + d.detectCounts!.skipped).toBe(16);
  }, 30_000);

  it('VOC person sample (10 XMLs + JPEGs): 8 people, 5 negatives', async () => {
    const svc = service();
    const d = ok(await svc.import(folderRequest(join(REAL, 'voc_person'))));
    expect(d).toMatchObject({ detectFormat: 'voc', detectCounts: { images: 10, people: 8, ignore: 0, negatives: 5, skipped: 0 }, trainCount: 8, testCount: 2 });
  }, 30_000);
});
