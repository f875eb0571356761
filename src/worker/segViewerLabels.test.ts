/**
 * The Segment viewer's label PNGs in real formats (issue #15 item 6): the worker reads them with the importer's decoders
 * (chosen or detected) and sends the street mapping; the viewer's fit (segment.fitImage, protocol fitLabels) equals
 * `npm run eval:segment:real`'s, so a pane's mIoU is the script's for the same photo and model.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { confusionMatrix, cropPixels, disposeParams, loadSegModel, resizeBilinearRgb, segScores, streetMapping } from '../engine';
import { grayPng, rgbPng } from '../engine/data/import/seg.fixture';
import { applyLabelTable, fitLabels, labelMapping } from '../protocol/segLabels';
import { readFolder, predict as scriptPredict } from '../../scripts/node/segmentReal';
import { segmentLab } from './labs/segment';
import type { LabContext } from './labs/types';
import { SegZoo } from './segZoo';
import type { ShippedReader } from './shippedFiles';

const STREETS = ['sky', 'building', 'road', 'sidewalk', 'vegetation', 'car', 'person', 'pole'];
const SHIPPED = fileURLToPath(new URL('../../public/models/segment/', import.meta.url));

/** The shipped Segment models read from disk (public/models/segment/); null when missing. */
const fromDisk: ShippedReader = async (path) => {
  const file = join(SHIPPED, path);
  if (!existsSync(file)) return null;
  const b = readFileSync(file);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};

function calls(zoo = new SegZoo(async () => null)) {
  const ctx = { datasets: { list: async () => [] }, push: () => undefined, backendReady: async () => undefined } as unknown as LabContext;
  return segmentLab(ctx, { zoo, store: null }).calls;
}

describe('segment.readLabels without a dataset: the importer’s formats, detected or chosen, with the street mapping', () => {
  it('detects a grey index PNG as CamVid 11 (void 11 → ignore) and sends the by-name street table', async () => {
    const r = await calls().readLabels({ bytes: grayPng(6, 1, [0, 4, 5, 6, 11, 9]), name: 'Seq05VD_f00000.png' });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.format).toBe('camvid11');
    expect([...r.ids]).toEqual([0, 4, 5, 6, 255, 9]);
    expect(r.street.refusal).toBeNull();
    // Sky → sky 0, Pavement → sidewalk 3, Tree → vegetation 4, SignSymbol ignored, void ignored, Pedestrian → person 6.
    expect([...applyLabelTable(r.ids, r.street.table)]).toEqual([0, 3, 4, 255, 255, 6]);
    expect(r.street.table).toEqual(streetMapping('camvid11'));
    expect(r.street.classNames).toEqual(STREETS);
  });

  it('detects an RGB PNG of CamVid colours as CamVid 32 (colour-coded), the CamVid 11 colours included', async () => {
    // Road, Sidewalk (CamVid 11's Pavement), Void, Child, Tree, SignSymbol.
    const colours = [
      [128, 64, 128],
      [0, 0, 192],
      [0, 0, 0],
      [192, 128, 64],
      [128, 128, 0],
      [192, 128, 128],
    ];
    const r = await calls().readLabels({ bytes: rgbPng(6, 1, colours), name: 'f_L.png', format: 'auto' });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.format).toBe('camvid32');
    expect([...applyLabelTable(r.ids, r.street.table)]).toEqual([2, 3, 255, 6, 4, 255]);
  });

  it('detects Cityscapes labelIds by the file name (labelId → train id → street class)', async () => {
    // labelIds 7 road, 8 sidewalk, 26 car, 0 unlabeled, 24 person, 21 vegetation.
    const r = await calls().readLabels({ bytes: grayPng(6, 1, [7, 8, 26, 0, 24, 21]), name: 'aachen_000000_000019_gtFine_labelIds.png' });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.format).toBe('cityscapes');
    expect([...r.ids]).toEqual([0, 1, 13, 255, 11, 8]);
    expect([...applyLabelTable(r.ids, r.street.table)]).toEqual([2, 3, 5, 255, 6, 4]);
  });

  it('reads a chosen format over detection; VOC comes with the refusal and no table', async () => {
    const trainIds = await calls().readLabels({ bytes: grayPng(3, 1, [0, 18, 255]), name: 'x.png', format: 'cityscapes-trainids' });
    expect(trainIds.ok && [trainIds.format, ...applyLabelTable(trainIds.ids, trainIds.street.table)]).toEqual(['cityscapes-trainids', 2, 255, 255]);
    const voc = await calls().readLabels({ bytes: grayPng(2, 1, [0, 15]), name: 'y.png', format: 'voc' });
    if (!voc.ok) throw new Error(voc.error.message);
    expect(voc.street.table).toBeNull();
    expect(voc.street.refusal).toMatch(/^Pascal VOC labels have no street class but person, so they cannot score street models/);
    const m = labelMapping({ format: voc.format, how: 'chosen', classNames: voc.classNames, street: voc.street }, 'y.png', {
      classNames: STREETS,
      name: 'streets',
    });
    expect(m.scored).toBe(false);
    expect(fitLabels(voc, m, 2, 1)).toBeNull();
  });

  it('names the file when a value is outside the format or the bytes are no PNG', async () => {
    const bad = await calls().readLabels({ bytes: grayPng(2, 1, [0, 40]), name: 'odd.png', format: 'camvid11' });
    expect(bad.ok === false && bad.error.message).toMatch(/^odd\.png: the pixel at x 1, y 0 has value 40, which is not a CamVid 11-class label/);
    const notPng = await calls().readLabels({ bytes: new Uint8Array([1, 2, 3]), name: 'notes.png' });
    expect(notPng.ok === false && notPng.error.message).toMatch(/^notes\.png could not be read as a PNG/);
  });
});

describe('segment.fitImage: the evaluator’s fit', () => {
  it('crops the centred 1:2 rectangle and resizes it with the engine’s antialiased bilinear', async () => {
    // 6 × 2 RGBA: the centred 4 × 2 columns 1–4 are kept.
    const rgba = Uint8Array.from({ length: 6 * 2 * 4 }, (_, i) => (i * 37) % 256);
    const r = await calls().fitImage({ rgba, width: 6, height: 2, outWidth: 2, outHeight: 1 });
    if (!r.ok) throw new Error(r.error.message);
    const rect = { x: 1, y: 0, width: 4, height: 2 };
    expect([...r.rgb]).toEqual([...resizeBilinearRgb(cropPixels(rgba, 6, 4, rect), 4, 2, 2, 1)]);
    const wrong = await calls().fitImage({ rgba: new Uint8Array(5), width: 2, height: 2, outWidth: 2, outHeight: 1 });
    expect(wrong.ok === false && wrong.error.message).toMatch(/not the 16 of 2×2 RGBA pixels/);
  });
});

const REAL = fileURLToPath(new URL('../../../shared/realdata/camvid', import.meta.url));
const haveReal = existsSync(join(REAL, 'labels')) && existsSync(join(SHIPPED, 'low', 'manifest.json'));
if (!haveReal) console.warn(`segViewerLabels.test: ${REAL} (or the shipped Segment models) is absent, so the viewer = eval:segment:real test is skipped.`);

describe.skipIf(!haveReal)('the viewer scores a real CamVid photo exactly as npm run eval:segment:real (../shared/realdata/camvid)', () => {
  it('same fitted image, same street labels, and per model the same mIoU and pixel accuracy', async () => {
    const photo = '0001TP_008550.png';
    const dir = mkdtempSync(join(tmpdir(), 'seg-viewer-real-'));
    try {
      mkdirSync(join(dir, 'images'));
      mkdirSync(join(dir, 'labels'));
      copyFileSync(join(REAL, 'images', photo), join(dir, 'images', photo));
      copyFileSync(join(REAL, 'labels', photo), join(dir, 'labels', photo));
      const { photos } = await readFolder(dir, 64, 128, 'auto');
      const script = photos[0]!;

      const seg = calls(new SegZoo(fromDisk));
      // The label, as the viewer reads an upload with 'auto' (a grey PNG goes to the worker's detection) and fits it.
      const label = await seg.readLabels({ bytes: new Uint8Array(readFileSync(join(REAL, 'labels', photo))), name: photo, format: 'auto' });
      if (!label.ok) throw new Error(label.error.message);
      expect(label.format).toBe('camvid11');
      const mapping = labelMapping({ format: label.format, how: 'detected', classNames: label.classNames, street: label.street }, photo, {
        classNames: STREETS,
        name: 'streets',
      });
      const labels = fitLabels(label, mapping, 128, 64)!;
      expect(labels).toEqual(script.labels);

      // The photo: its own 8-bit RGB pixels (what the viewer reads back from the decoded bitmap, drawn 1:1) fitted by the worker.
      const png = decode(readFileSync(join(REAL, 'images', photo)));
      expect(png.depth).toBe(8);
      const rgba = new Uint8Array(png.width * png.height * 4).fill(255);
      for (let p = 0; p < png.width * png.height; p++) for (let c = 0; c < 3; c++) rgba[p * 4 + c] = png.data[p * png.channels + c]!;
      const fit = await seg.fitImage({ rgba, width: png.width, height: png.height, outWidth: 128, outHeight: 64 });
      if (!fit.ok) throw new Error(fit.error.message);
      expect(fit.rgb).toEqual(script.rgb);

      // Every shipped model: the viewer's predict against the script's own prediction and scoring.
      const viewer = await seg.predict({ size: 'low', images: [{ rgb: fit.rgb, labels }] });
      if (!viewer.ok) throw new Error(viewer.error.message);
      const preds = viewer.result.images[0]!.predictions;
      expect(preds.length).toBeGreaterThan(0);
      const manifest = JSON.parse(readFileSync(join(SHIPPED, 'low', 'manifest.json'), 'utf8')) as { models: { slot: string; file: string }[] };
      for (const p of preds) {
        const file = manifest.models.find((m) => m.slot === p.slot)!.file;
        const bin = readFileSync(join(SHIPPED, file.replace(/\.json$/, '.bin')));
        const { model } = loadSegModel(
          JSON.parse(readFileSync(join(SHIPPED, file), 'utf8')),
          bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
        );
        try {
          const [pred] = await scriptPredict(model, photos, 64, 128);
          const s = segScores(confusionMatrix(pred!, script.labels, 8, 255), 8);
          expect({ slot: p.slot, mIoU: p.mIoU, pixelAccuracy: p.pixelAccuracy }).toEqual({ slot: p.slot, mIoU: s.mIoU, pixelAccuracy: s.pixelAccuracy });
        } finally {
          disposeParams(model.store);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
