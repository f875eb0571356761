import { describe, expect, it } from 'vitest';
import { CAMVID32_COLOURS, CITYSCAPES_TRAIN_ID, SEG_FORMATS } from './segFormats';
import { importSegPairs, resizeBilinearRgb, resizeNearest } from './segImport';
import type { SegImportFile, SegImportOptions } from './segImport';
import { SegImportError } from './segImportError';
import type { SegImportErrorCode } from './segImportError';
import type { SegSplit } from './segTypes';
import { decodeTestImage, grayPng, imagePixel, memFiles, photoPng, rgbPng, vocIndexedPng } from './seg.fixture';

const W = 6;
const H = 4;
const opts = (extra: Partial<SegImportOptions> = {}): SegImportOptions => ({ decodeImage: decodeTestImage, size: { height: H, width: W }, ...extra });
/** Label value of pixel (x, y) of pair `seed`, cycling through `n` values. */
const labelValue = (seed: number, x: number, y: number, n: number) => (seed * 5 + x + y * W) % n;
const values = (seed: number, n: number, map: (v: number) => number = (v) => v) =>
  Array.from({ length: W * H }, (_, p) => map(labelValue(seed, p % W, Math.floor(p / W), n)));

async function failure(files: SegImportFile[], o: SegImportOptions = opts()): Promise<SegImportError> {
  const error: unknown = await importSegPairs(files, o).then(
    () => new Error('expected the import to fail'),
    (e: unknown) => e,
  );
  if (!(error instanceof SegImportError)) throw error;
  return error;
}
async function expectFailure(files: SegImportFile[], code: SegImportErrorCode, message: RegExp | string, o?: SegImportOptions) {
  const e = await failure(files, o);
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
}

/** Check image `slot` of `split` against the test pattern `seed`, and its labels against `labels`. */
function expectPair(split: SegSplit, slot: number, seed: number, labels: readonly number[]) {
  const n = W * H;
  expect(Array.from(split.labels.subarray(slot * n, (slot + 1) * n))).toEqual(labels);
  const image = Array.from(split.images.subarray(slot * n * 3, (slot + 1) * n * 3));
  expect(image).toEqual(Array.from({ length: n }, (_, p) => imagePixel(seed, p % W, Math.floor(p / W))).flat());
}

describe('importSegPairs: each real format, pixel by pixel', () => {
  it('CamVid 11 (SegNet layout): index PNGs, 11 → ignore', async () => {
    const files = memFiles({
      'CamVid/train/a.png': photoPng(1, W, H),
      'CamVid/trainannot/a.png': grayPng(W, H, values(1, 12)),
      'CamVid/train/b.png': photoPng(2, W, H),
      'CamVid/trainannot/b.png': grayPng(W, H, values(2, 12)),
      'CamVid/test/c.png': photoPng(3, W, H),
      'CamVid/testannot/c.png': grayPng(W, H, values(3, 12)),
    });
    let info: unknown;
    const ds = await importSegPairs(files, opts({ onInfo: (i) => (info = i) }));
    expect(info).toEqual({ format: 'camvid11', counts: { train: 2, test: 1 }, skipped: [] });
    expect(ds).toMatchObject({
      name: 'CamVid',
      height: H,
      width: W,
      ignoreLabel: 255,
      classNames: SEG_FORMATS.camvid11.classNames,
      palette: SEG_FORMATS.camvid11.palette,
    });
    expect(ds.train.count).toBe(2);
    expect(ds.test.count).toBe(1);
    const ignore11 = (v: number) => (v === 11 ? 255 : v);
    expectPair(ds.train, 0, 1, values(1, 12, ignore11));
    expectPair(ds.train, 1, 2, values(2, 12, ignore11));
    expectPair(ds.test, 0, 3, values(3, 12, ignore11));
    expect(ds.test.labels).toContain(255);
  });

  it('Cityscapes: labelIds mapped to train ids, colour PNGs skipped', async () => {
    const id = (city: string, n: number) => `${city}_000000_0000${n}`;
    const files = memFiles({
      [`leftImg8bit/train/aachen/${id('aachen', 19)}_leftImg8bit.png`]: photoPng(4, W, H),
      [`gtFine/train/aachen/${id('aachen', 19)}_gtFine_labelIds.png`]: grayPng(W, H, values(4, 34)),
      [`gtFine/train/aachen/${id('aachen', 19)}_gtFine_color.png`]: rgbPng(1, 1, [[1, 2, 3]]),
      [`leftImg8bit/val/lindau/${id('lindau', 19)}_leftImg8bit.png`]: photoPng(5, W, H),
      [`gtFine/val/lindau/${id('lindau', 19)}_gtFine_labelIds.png`]: grayPng(W, H, values(5, 34)),
    });
    const ds = await importSegPairs(files, opts());
    expect(ds.classNames).toEqual(SEG_FORMATS.cityscapes.classNames);
    expectPair(
      ds.train,
      0,
      4,
      values(4, 34, (v) => CITYSCAPES_TRAIN_ID[v]!),
    );
    expectPair(
      ds.test,
      0,
      5,
      values(5, 34, (v) => CITYSCAPES_TRAIN_ID[v]!),
    );
  });

  it('Pascal VOC: palette PNGs by index, 255 border kept as ignore, val.txt is the test split', async () => {
    const voc = (v: number) => (v === 21 ? 255 : v);
    const root = 'VOC2012';
    const names = ['2007_000032', '2007_000033', '2007_000039'];
    const files = memFiles({
      ...Object.fromEntries(
        names.flatMap((n, i) => [
          [`${root}/JPEGImages/${n}.jpg`, photoPng(10 + i, W, H)],
          [`${root}/SegmentationClass/${n}.png`, vocIndexedPng(W, H, values(10 + i, 22, voc))],
        ]),
      ),
      [`${root}/JPEGImages/2007_000027.jpg`]: photoPng(9, W, H),
      [`${root}/ImageSets/Segmentation/val.txt`]: '2007_000039\n',
    });
    const ds = await importSegPairs(files, opts());
    expect(ds.classNames).toEqual(SEG_FORMATS.voc.classNames);
    expect(ds.train.count).toBe(2);
    expectPair(ds.train, 0, 10, values(10, 22, voc));
    expectPair(ds.train, 1, 11, values(11, 22, voc));
    expectPair(ds.test, 0, 12, values(12, 22, voc));
  });

  it('CamVid 32: colour labels X_L.png, Void → ignore', async () => {
    const colour = (v: number) => CAMVID32_COLOURS[v]!.slice(1) as number[];
    const cls = (v: number) => (v === 30 ? 255 : v > 30 ? v - 1 : v);
    const files = memFiles({
      'camvid/train/a.png': photoPng(6, W, H),
      'camvid/train_labels/a_L.png': rgbPng(W, H, values(6, 32, (v) => v).map(colour)),
      'camvid/val/b.png': photoPng(7, W, H),
      'camvid/val_labels/b_L.png': rgbPng(W, H, values(7, 32, (v) => v).map(colour)),
    });
    const ds = await importSegPairs(files, opts());
    expect(ds.classNames).toHaveLength(31);
    expectPair(ds.train, 0, 6, values(6, 32, cls));
    expectPair(ds.test, 0, 7, values(7, 32, cls));
  });

  it('the format option overrides detection', async () => {
    const files = memFiles({
      'train/a.png': photoPng(1, W, H),
      'trainannot/a.png': grayPng(W, H, values(1, 32)),
      'val/b.png': photoPng(2, W, H),
      'valannot/b.png': grayPng(W, H, values(2, 32)),
    });
    await expectFailure(files, 'label-value', /^trainannot\/a\.png: the pixel at x 1, y 1 has value 12, which is not a CamVid 11-class label/);
    const ds = await importSegPairs(files, opts({ format: 'camvid32' }));
    expect(Array.from(ds.train.labels)).toEqual(values(1, 32, (v) => (v === 30 ? 255 : v > 30 ? v - 1 : v)));
  });
});

describe('importSegPairs: resizing, progress, errors', () => {
  it('labels are resized by nearest neighbour, images bilinearly', async () => {
    const sw = 12;
    const sh = 8;
    const big = Array.from({ length: sw * sh }, (_, p) => ((p % sw) + Math.floor(p / sw) * 3) % 11);
    const files = memFiles({
      'train/a.png': photoPng(1, sw, sh),
      'trainannot/a.png': grayPng(sw, sh, big),
      'test/b.png': photoPng(2, sw, sh),
      'testannot/b.png': grayPng(sw, sh, big),
    });
    const ds = await importSegPairs(files, opts());
    // 12 → 6 and 8 → 4: source pixel 2i + 1 (the nearer of the two centres).
    expect(Array.from(ds.train.labels)).toEqual(Array.from({ length: W * H }, (_, p) => big[(Math.floor(p / W) * 2 + 1) * sw + (p % W) * 2 + 1]));
    const rgba = (await decodeTestImage(photoPng(1, sw, sh))).rgba;
    expect(ds.train.images).toEqual(resizeBilinearRgb(rgba, sw, sh, W, H));
  });

  it('reports progress up to 1', async () => {
    const files = memFiles(
      Object.fromEntries(
        [0, 1, 2, 3, 4].flatMap((i) => [
          [`images/${i}.png`, photoPng(i, W, H)],
          [`labels/${i}.png`, grayPng(W, H, values(i, 11))],
        ]),
      ),
    );
    const seen: number[] = [];
    await importSegPairs(files, opts({ onProgress: (f) => seen.push(f) }));
    expect(seen).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('refuses unreadable labels and images, size mismatches, and unpaired files', async () => {
    const good = {
      'train/a.png': photoPng(1, W, H),
      'trainannot/a.png': grayPng(W, H, values(1, 11)),
      'val/b.png': photoPng(2, W, H),
      'valannot/b.png': grayPng(W, H, values(2, 11)),
    };
    await expectFailure(
      memFiles({ ...good, 'valannot/b.png': 'not a png' }),
      'label-decode',
      /^valannot\/b\.png could not be read as a PNG \(.+\): label files must be PNGs\.$/,
    );
    const broken = async () => Promise.reject(new Error('The source image cannot be decoded.'));
    await expectFailure(
      memFiles(good),
      'image-decode',
      'train/a.png could not be decoded as an image (The source image cannot be decoded.).',
      opts({ decodeImage: broken }),
    );
    const short = async () => ({ width: W, height: H, rgba: new Uint8Array(5) });
    await expectFailure(memFiles(good), 'image-decode', /^train\/a\.png decoded to 5 bytes, not the 96 of 6×4 RGBA pixels\.$/, opts({ decodeImage: short }));
    await expectFailure(
      memFiles({ ...good, 'val/b.png': photoPng(2, 5, 4) }),
      'size-mismatch',
      'valannot/b.png is 6×4 pixels but its image val/b.png is 5×4: a label must cover its image pixel for pixel.',
    );
    await expectFailure(memFiles({ ...good, 'val/c.png': photoPng(3, W, H) }), 'unpaired-image', /^1 image has no label PNG \(val\/c\.png\)/);
  });

  it('stops when aborted, before or during the import', async () => {
    const files = memFiles(
      Object.fromEntries(
        [0, 1, 2, 3, 4].flatMap((i) => [
          [`images/${i}.png`, photoPng(i, W, H)],
          [`labels/${i}.png`, grayPng(W, H, values(i, 11))],
        ]),
      ),
    );
    const before = new AbortController();
    before.abort();
    await expectFailure(files, 'aborted', 'The import was cancelled.', opts({ signal: before.signal }));
    const during = new AbortController();
    let calls = 0;
    const e = await failure(files, opts({ signal: during.signal, onProgress: () => (++calls === 2 ? during.abort() : undefined) }));
    expect(e.code).toBe('aborted');
    expect(calls).toBe(2);
  });
});

describe('resize', () => {
  it('nearest neighbour picks source pixels, never mixes classes', () => {
    expect(Array.from(resizeNearest(Uint8Array.of(1, 2, 3, 4), 4, 1, 2, 1))).toEqual([2, 4]);
    expect(Array.from(resizeNearest(Uint8Array.of(1, 2, 3, 4), 2, 2, 4, 4))).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    expect(Array.from(resizeNearest(Uint8Array.of(7, 255, 9), 3, 1, 2, 1))).toEqual([7, 9]);
  });

  it('bilinear: identity, half-pixel-centre upsampling, antialiased downsampling, constants stay constant', () => {
    const gray = (vs: number[]) => Uint8Array.from(vs.flatMap((v) => [v, v, v, 255]));
    const red = (out: Uint8Array) => Array.from(out).filter((_, i) => i % 3 === 0);
    const pattern = Uint8Array.from({ length: 5 * 3 * 4 }, (_, i) => (i * 37) & 255);
    expect(Array.from(resizeBilinearRgb(pattern, 5, 3, 5, 3))).toEqual(Array.from(pattern).filter((_, i) => i % 4 !== 3));
    // 2 → 4: samples at source x = -0.25, 0.25, 0.75, 1.25 (clamped at the edges).
    expect(red(resizeBilinearRgb(gray([0, 100]), 2, 1, 4, 1))).toEqual([0, 25, 75, 100]);
    // 4 → 2: a triangle of half-width 2 around x = 1 and 3: (0·.75 + 100·.75 + 200·.25) / 1.75 = 71.4.
    expect(red(resizeBilinearRgb(gray([0, 100, 200, 300 - 45]), 4, 1, 2, 1))).toEqual([71, Math.round((100 * 0.25 + 200 * 0.75 + 255 * 0.75) / 1.75)]);
    expect(new Set(resizeBilinearRgb(gray(Array(35).fill(77)), 7, 5, 3, 2))).toEqual(new Set([77]));
  });
});
