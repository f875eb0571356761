import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BOX_TOLERANCE_PX,
  importCocoPersons,
  importVocPersons,
  parseCocoPersons,
  parseVocPersons,
  type DetectImportFile,
  type ImageSize,
} from './detectImport';
import { ImportError, type ImportErrorCode } from './importError';
import { decodeTestImage, memFiles, photoPng } from './seg.fixture';

const SIZE = { height: 8, width: 16 };
const opts = { decodeImage: decodeTestImage, size: SIZE };

/** A tiny COCO instances file: a.png (40×20) with a person, a crowd and a car; b.png (30×30) negative; c.png listed but not given. */
function cocoJson(patch: (j: Record<string, unknown[]>) => void = () => {}): string {
  const j: Record<string, unknown[]> = {
    images: [
      { id: 1, file_name: 'a.png', width: 40, height: 20 },
      { id: 2, file_name: 'b.png', width: 30, height: 30 },
      { id: 3, file_name: 'c.png', width: 10, height: 10 },
    ],
    annotations: [
      { id: 10, image_id: 1, category_id: 1, bbox: [4, 2, 10, 16], area: 160, iscrowd: 0 },
      { id: 11, image_id: 1, category_id: 1, bbox: [20, 0, 20, 20], area: 400, iscrowd: 1 },
      { id: 12, image_id: 1, category_id: 3, bbox: [0, 0, 5, 5], area: 25, iscrowd: 0 },
      { id: 13, image_id: 2, category_id: 3, bbox: [0, 0, 50, 50], area: 2500, iscrowd: 0 },
    ],
    categories: [
      { id: 1, name: 'person', supercategory: 'person' },
      { id: 3, name: 'car', supercategory: 'vehicle' },
    ],
  };
  patch(j);
  return JSON.stringify(j);
}

const cocoImages = () => memFiles({ 'coco/images/a.png': photoPng(1, 40, 20), 'coco/images/b.png': photoPng(2, 30, 30) });
const sizes = (entries: Record<string, [number, number]>) =>
  new Map<string, ImageSize>(Object.entries(entries).map(([k, [width, height]]) => [k, { width, height }]));
const COCO_SIZES = sizes({ 'a.png': [40, 20], 'b.png': [30, 30] });

function refusal(fn: () => unknown, code: ImportErrorCode, message: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ImportError);
  expect((err as ImportError).code).toBe(code);
  expect((err as ImportError).message).toMatch(message);
}

function vocXml(objects: string, size = '<size><width>40</width><height>20</height><depth>3</depth></size>'): string {
  return `<annotation>\n\t<folder>VOC2012</folder>\n\t<filename>v1.jpg</filename>\n\t<!-- <object><name>person</name></object> -->\n\t${size}\n${objects}</annotation>\n`;
}
const obj = (name: string, box: [number | string, number | string, number | string, number | string], extra = '') =>
  `\t<object>\n\t\t<name>${name}</name>\n\t\t<pose>Left</pose>\n\t\t<bndbox>\n\t\t\t<xmin>${box[0]}</xmin>\n\t\t\t<ymin>${box[1]}</ymin>\n\t\t\t<xmax>${box[2]}</xmax>\n\t\t\t<ymax>${box[3]}</ymax>\n\t\t</bndbox>\n${extra}\t</object>\n`;
const VOC_SIZES = sizes({ 'v1.png': [40, 20] });

describe('COCO person import', () => {
  it('keeps person boxes normalised, crowd boxes as ignore, negatives, and drops other classes', async () => {
    const r = parseCocoPersons(cocoJson(), 'instances_val.json', COCO_SIZES);
    expect(r.skipped).toEqual(['c.png']);
    expect(r.records.map((x) => [x.file, x.width, x.height, x.boxes.length])).toEqual([
      ['a.png', 40, 20, 2],
      ['b.png', 30, 30, 0],
    ]);
    expect(r.records[0]!.boxes[0]).toEqual({ cx: 9 / 40, cy: 10 / 20, w: 10 / 40, h: 16 / 20, ignore: false });
    expect(r.records[0]!.boxes[1]).toEqual({ cx: 30 / 40, cy: 0.5, w: 0.5, h: 1, ignore: true });

    const ds = await importCocoPersons(memFiles({ 'coco/annotations/instances_val.json': cocoJson() })[0]!, cocoImages(), opts);
    expect([ds.height, ds.width, ds.split.count, ds.files, ds.skipped]).toEqual([8, 16, 2, ['a.png', 'b.png'], ['c.png']]);
    expect(ds.split.images.length).toBe(2 * 8 * 16 * 3);
    expect(ds.split.boxes.map((b) => b.length)).toEqual([2, 0]);
  });

  it(`clips boxes overhanging by up to ${BOX_TOLERANCE_PX} px and refuses beyond`, () => {
    const overhang = (bbox: number[]) =>
      cocoJson((j) => {
        j.annotations = [{ id: 5, image_id: 1, category_id: 1, bbox, iscrowd: 0 }];
      });
    const b = parseCocoPersons(overhang([-0.8, -1, 41, 21]), 'i.json', COCO_SIZES).records[0]!.boxes[0]!;
    expect(b).toEqual({ cx: 0.5, cy: 0.5, w: 1, h: 1, ignore: false });
    refusal(
      () => parseCocoPersons(overhang([30, 5, 11.5, 5]), 'i.json', COCO_SIZES),
      'box-outside',
      /^i\.json: annotation 5 has a box \(30, 5\)–\(41\.5, 10\) outside its 40×20 image a\.png \(by more than 1 pixel\)\.$/,
    );
    refusal(() => parseCocoPersons(overhang([-2, 5, 5, 5]), 'i.json', COCO_SIZES), 'box-outside', /outside its 40×20 image a\.png/);
    refusal(
      () => parseCocoPersons(overhang([3, 5, 0, 5]), 'i.json', COCO_SIZES),
      'box-outside',
      /^i\.json: annotation 5 has a box of non-positive size \(0×5 pixels\) on a\.png\.$/,
    );
    refusal(() => parseCocoPersons(overhang([3, 5, 4, -1]), 'i.json', COCO_SIZES), 'box-outside', /non-positive size \(4×-1 pixels\)/);
  });

  it('refuses broken files with one sentence naming the file', async () => {
    refusal(() => parseCocoPersons('{"images": [', 'instances_x.json', COCO_SIZES), 'annotation-format', /^instances_x\.json is not valid JSON \(.+\)\.$/);
    refusal(
      () => parseCocoPersons('{"images": [], "annotations": []}', 'instances_x.json', COCO_SIZES),
      'annotation-format',
      /^instances_x\.json is not a COCO instances file: it needs "images", "annotations" and "categories" lists\.$/,
    );
    refusal(() => parseCocoPersons('[1, 2]', 'instances_x.json', COCO_SIZES), 'annotation-format', /is not a COCO instances file/);
    const noPerson = cocoJson((j) => {
      j.categories = [{ id: 3, name: 'car' }];
    });
    refusal(
      () => parseCocoPersons(noPerson, 'instances_x.json', COCO_SIZES),
      'no-person-category',
      /^instances_x\.json has no "person" category \(it has car\): the Detect lab needs person boxes\.$/,
    );
    const orphan = cocoJson((j) => {
      j.annotations!.push({ id: 77, image_id: 9, category_id: 1, bbox: [0, 0, 1, 1], iscrowd: 0 });
    });
    refusal(
      () => parseCocoPersons(orphan, 'instances_x.json', COCO_SIZES),
      'missing-image',
      /^instances_x\.json: annotation 77 refers to image 9, which its "images" list does not have\.$/,
    );
    refusal(
      () => parseCocoPersons(cocoJson(), 'instances_x.json', sizes({ 'b.png': [30, 30] })),
      'missing-image',
      /^instances_x\.json: annotation 10 is on a\.png, which is not among the chosen image files\.$/,
    );
    refusal(
      () => parseCocoPersons(cocoJson(), 'instances_x.json', sizes({ 'a.png': [41, 20], 'b.png': [30, 30] })),
      'size-mismatch',
      /^instances_x\.json says a\.png is 40×20 pixels but it decodes to 41×20/,
    );
    const noBbox = cocoJson((j) => {
      j.annotations = [{ id: 4, image_id: 1, category_id: 1, bbox: [1, 2, 3], iscrowd: 0 }];
    });
    refusal(
      () => parseCocoPersons(noBbox, 'instances_x.json', COCO_SIZES),
      'annotation-format',
      /^instances_x\.json: annotation 4 has no bbox of 4 numbers \[x, y, w, h\]\.$/,
    );
    // an image that does not decode
    const files = [...cocoImages(), ...memFiles({ 'coco/images/broken.jpg': 'not an image' })];
    const err = await importCocoPersons(memFiles({ 'i.json': cocoJson() })[0]!, files, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).code).toBe('image-decode');
    expect((err as ImportError).message).toMatch(/^coco\/images\/broken\.jpg could not be decoded as an image \(.+\)\.$/);
    const twice = [...cocoImages(), ...memFiles({ 'coco/val/a.png': photoPng(1, 40, 20) })];
    await expect(importCocoPersons(memFiles({ 'i.json': cocoJson() })[0]!, twice, opts)).rejects.toThrow(
      /^coco\/val\/a\.png has the same file name as another chosen image, so the annotations cannot tell them apart\.$/,
    );
  });
});

describe('Pascal VOC person import', () => {
  it('reads 1-based inclusive boxes, difficult as ignore, skips parts, comments and other classes', () => {
    const xml = vocXml(
      obj('person', [1, 1, 40, 20], '\t\t<difficult>0</difficult>\n\t\t<part><name>head</name><bndbox><xmin>x</xmin></bndbox></part>\n') +
        obj('dog', [5, 5, 'bad', 6]) +
        obj(' Person ', [11, 3, 20, 12], '\t\t<difficult>1</difficult>\n'),
    );
    const r = parseVocPersons(xml, 'VOC2012/Annotations/v1.xml', VOC_SIZES);
    expect(r.file).toBe('v1.png');
    expect(r.boxes).toEqual([
      { cx: 0.5, cy: 0.5, w: 1, h: 1, ignore: false },
      { cx: 15 / 40, cy: 7 / 20, w: 10 / 40, h: 10 / 20, ignore: true },
    ]);
    expect(parseVocPersons(vocXml(obj('cat', [1, 1, 5, 5])), 'A/v1.xml', VOC_SIZES).boxes).toEqual([]); // a negative
    // 1 px tolerance: xmax = W + 1 is clipped, W + 2 is refused
    expect(parseVocPersons(vocXml(obj('person', [0, 1, 41, 20])), 'A/v1.xml', VOC_SIZES).boxes[0]!.w).toBe(1);
  });

  it('refuses an XML without <size>, a malformed or outside bndbox, and a missing image', () => {
    refusal(
      () => parseVocPersons(vocXml(obj('person', [1, 1, 5, 5]), ''), 'A/v1.xml', VOC_SIZES),
      'annotation-format',
      /^A\/v1\.xml has no <size> with a positive <width> and <height>, so it is not a usable Pascal VOC annotation\.$/,
    );
    refusal(() => parseVocPersons(vocXml('', '<size><width>0</width><height>20</height></size>'), 'A/v1.xml', VOC_SIZES), 'annotation-format', /has no <size>/);
    refusal(
      () => parseVocPersons(vocXml(obj('person', [1, 1, 'x', 5])), 'A/v1.xml', VOC_SIZES),
      'annotation-format',
      /^A\/v1\.xml: object 1 \(person\) has a malformed <bndbox>: it needs numeric <xmin>, <ymin>, <xmax> and <ymax>\.$/,
    );
    refusal(() => parseVocPersons(vocXml('\t<object><name>person</name></object>\n'), 'A/v1.xml', VOC_SIZES), 'annotation-format', /malformed <bndbox>/);
    refusal(
      () => parseVocPersons(vocXml(obj('person', [1, 1, 42, 5])), 'A/v1.xml', VOC_SIZES),
      'box-outside',
      /^A\/v1\.xml: object 1 \(person\) has a box \(0, 0\)–\(42, 5\) outside its 40×20 image v1\.png \(by more than 1 pixel\)\.$/,
    );
    refusal(() => parseVocPersons(vocXml(obj('person', [6, 1, 4, 5])), 'A/v1.xml', VOC_SIZES), 'box-outside', /non-positive size \(-1×5 pixels\)/);
    refusal(
      () => parseVocPersons(vocXml(''), 'A/v2.xml', VOC_SIZES),
      'missing-image',
      /^A\/v2\.xml describes v1\.jpg, which is not among the chosen image files\.$/,
    );
    refusal(
      () => parseVocPersons(vocXml(''), 'A/v1.xml', sizes({ 'v1.png': [40, 21] })),
      'size-mismatch',
      /^A\/v1\.xml says v1\.png is 40×20 pixels but it decodes to 40×21/,
    );
  });

  it('imports a folder of Annotations and images', async () => {
    const files = memFiles({
      'VOC/Annotations/v1.xml': vocXml(obj('person', [1, 1, 10, 10]) + obj('person', [5, 5, 20, 20], '<difficult>1</difficult>')),
      'VOC/Annotations/v2.xml': vocXml(obj('horse', [1, 1, 10, 10]), '<size><width>12</width><height>6</height></size>').replace('v1.jpg', 'v2.jpg'),
      'VOC/JPEGImages/v1.png': photoPng(3, 40, 20),
      'VOC/JPEGImages/v2.png': photoPng(4, 12, 6),
      'VOC/JPEGImages/extra.png': photoPng(5, 4, 4),
    });
    const ds = await importVocPersons(files, opts);
    expect([ds.split.count, ds.files, ds.skipped]).toEqual([2, ['v1.png', 'v2.png'], ['extra.png']]);
    expect(ds.split.boxes.map((b) => b.map((x) => x.ignore))).toEqual([[false, true], []]);
    await expect(importVocPersons(memFiles({ 'a.png': photoPng(1, 2, 2) }), opts)).rejects.toThrow(/No Pascal VOC annotation \(\.xml\) files were found/);
  });
});

// ---- the real samples (COCO val2017 and VOC2012 person photos with their annotation files) ----

const REAL = '/work/shared/realdata';
const haveReal = existsSync(join(REAL, 'coco_person')) && existsSync(join(REAL, 'voc_person'));
if (!haveReal) console.warn(`detectImport.test: ${REAL} is absent, so the real COCO/VOC sample tests are skipped.`);

/** Width and height from a JPEG's SOFn header (Node has no JPEG decoder here: the test decoder only needs the size). */
function jpegSize(bytes: Uint8Array): ImageSize {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new Error('not a JPEG (no SOI marker)');
  for (let i = 2; i + 9 < bytes.length;) {
    if (bytes[i] !== 0xff) throw new Error(`bad JPEG marker at ${i}`);
    const m = bytes[i + 1]!;
    const len = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc)
      return { height: (bytes[i + 5]! << 8) | bytes[i + 6]!, width: (bytes[i + 7]! << 8) | bytes[i + 8]! };
    i += 2 + len;
  }
  throw new Error('no SOF marker');
}
/** A decoder for the real JPEGs: the true size from the header, grey pixels (the pixels are not what these tests check). */
const sizeOnlyDecoder = (bytes: Uint8Array) => {
  const { width, height } = jpegSize(bytes);
  return Promise.resolve({ width, height, rgba: new Uint8Array(width * height * 4).fill(128) });
};
const diskFiles = (dir: string, sub: string): DetectImportFile[] =>
  readdirSync(join(dir, sub))
    .sort()
    .map((n) => ({ path: `${sub}/${n}`, bytes: () => Promise.resolve(new Uint8Array(readFileSync(join(dir, sub, n)))) }));

describe.skipIf(!haveReal)('real samples in /work/shared/realdata', () => {
  it('COCO: every image parses with the person count its annotations.json gives', async () => {
    const dir = join(REAL, 'coco_person');
    const text = readFileSync(join(dir, 'annotations.json'), 'utf8');
    const raw = JSON.parse(text) as { images: { id: number; file_name: string }[]; annotations: { image_id: number; category_id: number; iscrowd: number }[] };
    const ds = await importCocoPersons(
      { path: 'coco_person/annotations.json', bytes: () => Promise.resolve(new TextEncoder().encode(text)) },
      diskFiles(dir, 'images'),
      {
        decodeImage: sizeOnlyDecoder,
        size: { height: 128, width: 256 },
      },
    );
    const expected = raw.images.map((im) => raw.annotations.filter((a) => a.image_id === im.id && a.category_id === 1).length);
    const got = ds.split.boxes.map((b) => b.length);
    console.log(`real COCO sample: ${ds.split.count} images, boxes per image ${ds.files.map((f, i) => `${f.replace(/^0+/, '')}:${got[i]}`).join(' ')}`);
    expect(ds.files).toEqual(raw.images.map((im) => im.file_name));
    expect(got).toEqual(expected);
    expect(got.reduce((a, b) => a + b, 0)).toBe(62);
    expect(got.filter((n) => n > 0)).toHaveLength(11);
    expect(got.filter((n) => n === 0)).toHaveLength(5);
    expect(ds.split.boxes.flat().filter((b) => b.ignore)).toHaveLength(1); // the one iscrowd box, in 193245
    expect(ds.split.boxes[ds.files.indexOf('000000193245.jpg')]!.some((b) => b.ignore)).toBe(true);
    expect(ds.skipped).toEqual([]);
    const edges = ds.split.boxes.flat().flatMap((b) => [b.cx - b.w / 2, b.cy - b.h / 2, b.cx + b.w / 2, b.cy + b.h / 2]);
    expect(Math.min(...edges)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...edges)).toBeLessThanOrEqual(1);
  });

  it('VOC: every XML parses with the person count its annotation and ImageSets/Main/person.txt give', async () => {
    const dir = join(REAL, 'voc_person');
    const files = [...diskFiles(dir, 'Annotations'), ...diskFiles(dir, 'JPEGImages')];
    const ds = await importVocPersons(files, { decodeImage: sizeOnlyDecoder, size: { height: 128, width: 256 } });
    const got = ds.split.boxes.map((b) => b.length);
    console.log(`real VOC sample: ${ds.split.count} images, boxes per image ${ds.files.map((f, i) => `${f.replace('.jpg', '')}:${got[i]}`).join(' ')}`);
    const list = new Map(
      readFileSync(join(dir, 'ImageSets/Main/person.txt'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/) as [string, string]),
    );
    expect(ds.split.count).toBe(10);
    expect(ds.files.map((f) => (got[ds.files.indexOf(f)]! > 0 ? 1 : -1))).toEqual(ds.files.map((f) => Number(list.get(f.replace('.jpg', '')))));
    const objectsIn = (f: string) => (readFileSync(join(dir, 'Annotations', f.replace('.jpg', '.xml')), 'utf8').match(/<name>person<\/name>/g) ?? []).length;
    expect(got).toEqual(ds.files.map(objectsIn));
    expect(got.reduce((a, b) => a + b, 0)).toBe(8);
    expect(ds.split.boxes.flat().filter((b) => b.ignore)).toHaveLength(0);
  });
});
