import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { CAMVID32_COLOURS, CITYSCAPES_TRAIN_ID, SEG_FORMATS, SEG_FORMAT_IDS, mapLabelPng, pngSamples, vocColour } from './segFormats';
import type { SegFormatId } from './segFormats';
import { SegImportError } from './segImportError';
import { VOC_FILE_PALETTE, grayPng, palettePng, rgbPng, vocIndexedPng } from './seg.fixture';

/** The SegImportError that `f` throws. */
function failure(f: () => unknown): SegImportError {
  try {
    f();
  } catch (e) {
    if (e instanceof SegImportError) return e;
    throw e;
  }
  throw new Error('expected a SegImportError');
}

const map = (id: SegFormatId, bytes: Uint8Array, file = 'label.png') => Array.from(mapLabelPng(SEG_FORMATS[id], decode(bytes), file));

describe('label formats as data', () => {
  it('every format has one display colour per class', () => {
    for (const id of SEG_FORMAT_IDS) {
      const f = SEG_FORMATS[id];
      expect(f.id).toBe(id);
      expect(f.palette).toHaveLength(f.classNames.length);
      for (const c of f.palette) for (const v of c) expect(v >= 0 && v <= 255 && Number.isInteger(v)).toBe(true);
    }
  });

  it('CamVid 11: SegNet class order', () => {
    expect(SEG_FORMATS.camvid11.classNames).toEqual([
      'Sky',
      'Building',
      'Pole',
      'Road',
      'Pavement',
      'Tree',
      'SignSymbol',
      'Fence',
      'Car',
      'Pedestrian',
      'Bicyclist',
    ]);
  });

  it('CamVid 32: label_colors.txt, 32 distinct colours, Void ignored', () => {
    expect(CAMVID32_COLOURS).toHaveLength(32);
    expect(new Set(CAMVID32_COLOURS.map(([, r, g, b]) => `${r},${g},${b}`)).size).toBe(32);
    const colour = (name: string) => CAMVID32_COLOURS.find(([n]) => n === name)?.slice(1);
    expect(colour('Animal')).toEqual([64, 128, 64]);
    expect(colour('Archway')).toEqual([192, 0, 128]);
    expect(colour('Bicyclist')).toEqual([0, 128, 192]);
    expect(colour('Road')).toEqual([128, 64, 128]);
    expect(colour('Sky')).toEqual([128, 128, 128]);
    expect(colour('Void')).toEqual([0, 0, 0]);
    expect(colour('Wall')).toEqual([64, 192, 0]);
    const names = SEG_FORMATS.camvid32.classNames;
    expect(names).toHaveLength(31);
    expect(names).not.toContain('Void');
    expect(names[0]).toBe('Animal');
    expect(names[30]).toBe('Wall');
  });

  it('Cityscapes: the labels.py labelId → trainId mapping', () => {
    const expected = new Map([
      [7, 0],
      [8, 1],
      [11, 2],
      [12, 3],
      [13, 4],
      [17, 5],
      [19, 6],
      [20, 7],
      [21, 8],
      [22, 9],
      [23, 10],
      [24, 11],
      [25, 12],
      [26, 13],
      [27, 14],
      [28, 15],
      [31, 16],
      [32, 17],
      [33, 18],
    ]);
    expect(CITYSCAPES_TRAIN_ID).toHaveLength(34);
    for (let id = 0; id < 34; id++) expect(CITYSCAPES_TRAIN_ID[id]).toBe(expected.get(id) ?? 255);
    expect(SEG_FORMATS.cityscapes.classNames[13]).toBe('car');
    expect(SEG_FORMATS.cityscapes.palette[0]).toEqual([128, 64, 128]);
  });

  it('Pascal VOC: the devkit colormap and the border colour', () => {
    const devkit = [
      [0, 0, 0],
      [128, 0, 0],
      [0, 128, 0],
      [128, 128, 0],
      [0, 0, 128],
      [128, 0, 128],
      [0, 128, 128],
      [128, 128, 128],
      [64, 0, 0],
      [192, 0, 0],
      [64, 128, 0],
      [192, 128, 0],
      [64, 0, 128],
      [192, 0, 128],
      [64, 128, 128],
      [192, 128, 128],
      [0, 64, 0],
      [128, 64, 0],
      [0, 192, 0],
      [128, 192, 0],
      [0, 64, 128],
    ];
    expect(SEG_FORMATS.voc.palette).toEqual(devkit);
    expect(vocColour(255)).toEqual([224, 224, 192]);
    expect(SEG_FORMATS.voc.classNames[15]).toBe('person');
  });
});

describe('mapLabelPng', () => {
  it('CamVid 11: 0–10 are classes, 11 is void; 8-bit, 4-bit (padded rows) and 16-bit grayscale', () => {
    const values = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const expected = [...values.slice(0, 11), 255];
    expect(map('camvid11', grayPng(4, 3, values))).toEqual(expected);
    expect(map('camvid11', grayPng(3, 4, values, 4))).toEqual(expected);
    expect(map('camvid11', grayPng(6, 2, values, 16))).toEqual(expected);
    // A palette PNG of an index format is read by its index, whatever its colours.
    expect(map('camvid11', palettePng(4, 3, values, VOC_FILE_PALETTE.slice(0, 12)))).toEqual(expected);
  });

  it('CamVid 11: an unknown value names the file, the value and the pixel', () => {
    const e = failure(() => map('camvid11', grayPng(3, 2, [0, 1, 2, 3, 12, 5]), 'trainannot/0001TP_006690.png'));
    expect(e.code).toBe('label-value');
    expect(e.message).toBe(
      'trainannot/0001TP_006690.png: the pixel at x 1, y 1 has value 12, which is not a CamVid 11-class label (values 0–10, or 11 for void).',
    );
    const c = failure(() => map('camvid11', rgbPng(1, 1, [[128, 128, 128]]), 'a_L.png'));
    expect(c.code).toBe('label-format');
    expect(c.message).toMatch(/^a_L\.png is a colour \(RGB\) PNG, but CamVid 11-class labels are index PNGs/);
    expect(failure(() => map('camvid11', grayPng(1, 1, [300], 16))).message).toMatch(/has value 300,/);
  });

  it('Cityscapes labelIds: every id 0–33 maps to its train id, 34 and above are unknown', () => {
    const ids = Array.from({ length: 34 }, (_, i) => i);
    expect(map('cityscapes', grayPng(17, 2, ids))).toEqual(ids.map((id) => CITYSCAPES_TRAIN_ID[id]));
    const e = failure(() => map('cityscapes', grayPng(2, 2, [7, 7, 26, 255]), 'gtFine/val/x_gtFine_labelIds.png'));
    expect(e.message).toBe('gtFine/val/x_gtFine_labelIds.png: the pixel at x 1, y 1 has value 255, which is not a Cityscapes labelIds label (label ids 0–33).');
    expect(failure(() => map('cityscapes', grayPng(1, 1, [34]))).code).toBe('label-value');
  });

  it('Cityscapes labelTrainIds: 0–18 and 255', () => {
    expect(map('cityscapes-trainids', grayPng(3, 1, [0, 18, 255]))).toEqual([0, 18, 255]);
    expect(failure(() => map('cityscapes-trainids', grayPng(1, 1, [19]))).message).toMatch(
      /value 19, which is not a Cityscapes labelTrainIds label \(train ids 0–18, or 255 for ignore\)/,
    );
  });

  it('CamVid 32: colour PNGs (RGB, RGBA, 16-bit) map every label_colors.txt colour, Void to ignore', () => {
    const colours = CAMVID32_COLOURS.map(([, r, g, b]) => [r, g, b]);
    const expected = CAMVID32_COLOURS.map(([name]) => (name === 'Void' ? 255 : SEG_FORMATS.camvid32.classNames.indexOf(name)));
    expect(expected.filter((c) => c === 255)).toHaveLength(1);
    expect(map('camvid32', rgbPng(8, 4, colours))).toEqual(expected);
    expect(map('camvid32', rgbPng(8, 4, colours, { alpha: true }))).toEqual(expected);
    expect(map('camvid32', rgbPng(8, 4, colours, { depth: 16 }))).toEqual(expected);
    // A palette PNG of a colour format is read through its palette's colours.
    const palette = [...colours].reverse();
    expect(
      map(
        'camvid32',
        palettePng(
          8,
          4,
          colours.map((_, i) => 31 - i),
          palette,
        ),
      ),
    ).toEqual(expected);
  });

  it('CamVid 32: index PNGs (fastai _P.png) hold label_colors.txt codes, 30 = Void', () => {
    const codes = Array.from({ length: 32 }, (_, i) => i);
    expect(map('camvid32', grayPng(32, 1, codes))).toEqual(codes.map((c) => (c < 30 ? c : c === 30 ? 255 : 30)));
    expect(failure(() => map('camvid32', grayPng(2, 1, [3, 32]))).message).toMatch(/x 1, y 0 has value 32, which is not a CamVid 32-class label/);
  });

  it('CamVid 32: an unknown colour names the file, the RGB and the pixel', () => {
    const e = failure(() =>
      map(
        'camvid32',
        rgbPng(2, 2, [
          [128, 64, 128],
          [128, 64, 128],
          [128, 64, 128],
          [1, 2, 3],
        ]),
        'LabeledApproved_full/0001TP_006690_L.png',
      ),
    );
    expect(e.code).toBe('label-value');
    expect(e.message).toBe(
      'LabeledApproved_full/0001TP_006690_L.png: the pixel at x 1, y 1 has colour RGB(1, 2, 3), which is not in the CamVid 32-class palette.',
    );
    const p = failure(() =>
      map(
        'camvid32',
        palettePng(
          2,
          1,
          [0, 1],
          [
            [0, 0, 0],
            [9, 9, 9],
          ],
        ),
      ),
    );
    expect(p.message).toMatch(/x 1, y 0 has palette entry 1 = RGB\(9, 9, 9\), which is not in the CamVid 32-class palette/);
  });

  it('Pascal VOC: a real-layout palette PNG is read by index, 255 = border', () => {
    const indices = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 255, 255, 0];
    const png = decode(vocIndexedPng(6, 4, indices));
    expect(png.palette).toHaveLength(256);
    expect(Array.from(mapLabelPng(SEG_FORMATS.voc, png, 'x.png'))).toEqual(indices);
    const e = failure(() => map('voc', vocIndexedPng(3, 1, [0, 15, 21]), 'SegmentationClass/2007_000032.png'));
    expect(e.message).toBe(
      'SegmentationClass/2007_000032.png: the pixel at x 2, y 0 has palette index 21, which is not a Pascal VOC label (values 0–20, or 255 for the border).',
    );
  });

  it('Pascal VOC: RGB colour PNGs by colour (border 224 224 192), grayscale (SBD aug) by value', () => {
    const colours = [...SEG_FORMATS.voc.palette, [224, 224, 192]];
    expect(map('voc', rgbPng(22, 1, colours))).toEqual([...Array.from({ length: 21 }, (_, i) => i), 255]);
    expect(map('voc', grayPng(3, 1, [0, 20, 255]))).toEqual([0, 20, 255]);
    expect(failure(() => map('voc', rgbPng(1, 1, [[224, 224, 193]]))).message).toMatch(/colour RGB\(224, 224, 193\), which is not in the Pascal VOC palette/);
  });

  it('pngSamples unpacks 1-, 2- and 4-bit rows that end mid-byte', () => {
    const bits = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1];
    expect(Array.from(pngSamples(decode(grayPng(7, 3, bits, 1))))).toEqual(bits);
    const twos = [3, 0, 1, 2, 2, 1, 0, 3, 3, 3];
    expect(Array.from(pngSamples(decode(grayPng(5, 2, twos, 2))))).toEqual(twos);
    const fours = [15, 0, 7, 8, 1, 14];
    expect(Array.from(pngSamples(decode(palettePng(3, 2, fours, VOC_FILE_PALETTE.slice(0, 16), 4))))).toEqual(fours);
  });
});
