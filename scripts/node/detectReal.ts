/**
 * `npm run eval:detect:real -- coco=<folder> voc=<folder>`: scores the shipped detectors (public/models/detect/, or
 * models=<dir>) on real photos with person boxes — a COCO folder (an instances-style JSON + its JPEG/PNG images) and / or a
 * Pascal VOC folder (Annotations/*.xml + JPEGImages/) — with the lab's AP code (evaluateDetector: every query scored by
 * p_person, AP@0.5, AP@[.5:.95], recall@0.5 at 20 per image; crowd / difficult boxes are ignore regions).
 *
 * Each photo is fitted to the detectors' 128×256 input two ways, both reported:
 * - `letterbox` (what the viewer does): scaled to fit whole, aspect kept, centred on grey bars (LETTERBOX_GREY, 114, as the viewer); boxes scaled and offset.
 * - `stretch` (what the dataset importer does): resized to 128×256 regardless of aspect; normalised boxes unchanged.
 * Boxes smaller than 2 px on a side after fitting become ignore regions (no detector at stride 32 can be asked to find them).
 * Real photos are for evaluation only: nothing here trains. Without arguments it uses ../shared/realdata when present.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import {
  evaluateDetector,
  initBackend,
  predictDetections,
  LETTERBOX_GREY,
  parseCocoPersons,
  parseVocPersons,
  resizeBilinearRgb,
  disposeParams,
  type DetectBox,
  type DetectModel,
  type DetectRecord,
  type DetectSplit,
  type ImageSize,
} from '../../src/engine';
import { bandLine, readDetectorFile } from './detect';
import { walk } from './scriptIO';

const H = 128;
const W = 256;
const MIN_SIDE_PX = 2;
export const FITS = ['letterbox', 'stretch'] as const;
export type Fit = (typeof FITS)[number];

interface Rgba {
  width: number;
  height: number;
  rgba: Uint8Array;
}

async function decodeImage(file: string): Promise<Rgba> {
  const bytes = new Uint8Array(await readFile(file));
  if (/\.png$/i.test(file)) {
    const png = decodePng(bytes);
    const n = png.width * png.height;
    const rgba = new Uint8Array(n * 4);
    for (let p = 0; p < n; p++) {
      for (let c = 0; c < 3; c++) rgba[p * 4 + c] = Number(png.data[p * png.channels + (png.channels >= 3 ? c : 0)]);
      rgba[p * 4 + 3] = 255;
    }
    return { width: png.width, height: png.height, rgba };
  }
  const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  return { width: j.width, height: j.height, rgba: j.data };
}

/** One photo fitted to H × W, and its boxes in the fitted frame (normalised cx, cy, w, h). */
export function fitPhoto(
  img: Rgba,
  boxes: readonly DetectBox[],
  fit: Fit,
): { rgb: Uint8Array; boxes: DetectBox[]; content: { x0: number; x1: number; y0: number; y1: number } } {
  if (fit === 'stretch') {
    const rgb = resizeBilinearRgb(img.rgba, img.width, img.height, W, H);
    return { rgb, boxes: boxes.map((b) => withMinSide({ ...b }, W, H)), content: { x0: 0, x1: W, y0: 0, y1: H } };
  }
  const s = Math.min(W / img.width, H / img.height);
  const w = Math.max(1, Math.round(img.width * s));
  const h = Math.max(1, Math.round(img.height * s));
  const ox = Math.floor((W - w) / 2);
  const oy = Math.floor((H - h) / 2);
  const inner = resizeBilinearRgb(img.rgba, img.width, img.height, w, h);
  const rgb = new Uint8Array(H * W * 3).fill(LETTERBOX_GREY);
  for (let y = 0; y < h; y++) rgb.set(inner.subarray(y * w * 3, (y + 1) * w * 3), ((oy + y) * W + ox) * 3);
  const out = boxes.map((b) => withMinSide({ cx: (ox + b.cx * w) / W, cy: (oy + b.cy * h) / H, w: (b.w * w) / W, h: (b.h * h) / H, ignore: b.ignore }, W, H));
  return { rgb, boxes: out, content: { x0: ox, x1: ox + w, y0: oy, y1: oy + h } };
}

function withMinSide(b: DetectBox, width: number, height: number): DetectBox {
  return b.w * width < MIN_SIDE_PX || b.h * height < MIN_SIDE_PX ? { ...b, ignore: true } : b;
}

/** The records of a COCO or VOC folder and every image decoded at its own size. */
async function readFolder(kind: 'coco' | 'voc', dir: string): Promise<{ records: DetectRecord[]; images: Map<string, Rgba> }> {
  const files = await walk(dir);
  const images = new Map<string, Rgba>();
  for (const f of files.filter((f) => /\.(jpe?g|png)$/i.test(f))) images.set(path.basename(f), await decodeImage(f));
  const sizes = new Map<string, ImageSize>([...images].map(([k, v]) => [k, { width: v.width, height: v.height }]));
  if (kind === 'coco') {
    const json = files.find((f) => /annotations\.json$|instances[^/]*\.json$/i.test(path.basename(f)) && !/clarifai/i.test(f));
    if (!json) throw new Error(`${dir}: no COCO annotations JSON found`);
    const { records } = parseCocoPersons(await readFile(json, 'utf8'), path.relative(dir, json), sizes);
    return { records, images };
  }
  const records: DetectRecord[] = [];
  for (const x of files.filter((f) => /\.xml$/i.test(f)).sort()) records.push(parseVocPersons(await readFile(x, 'utf8'), path.relative(dir, x), sizes));
  return { records, images };
}

/** A split of fitted photos, with where each photo's content lies in its frame (inside the letterbox bars). */
type FittedSplit = DetectSplit & { contents: ReturnType<typeof fitPhoto>['content'][] };

/** The photos fitted into one split, with each photo's content rectangle in the frame (the letterbox bars lie outside it). */
function splitOf(records: readonly DetectRecord[], images: ReadonlyMap<string, Rgba>, fit: Fit): FittedSplit {
  const n = H * W * 3;
  const all = new Uint8Array(records.length * n);
  const boxes: DetectBox[][] = [];
  const contents: ReturnType<typeof fitPhoto>['content'][] = [];
  records.forEach((r, i) => {
    const img = images.get(path.basename(r.file));
    if (!img) throw new Error(`${r.file}: image missing`);
    const f = fitPhoto(img, r.boxes, fit);
    all.set(f.rgb, i * n);
    boxes.push(f.boxes);
    contents.push(f.content);
  });
  return { images: all, boxes, count: records.length, contents };
}

/** Of the boxes above `threshold` on every photo (what the viewer draws), how many and how many have their centre on the letterbox bars (outside the photo). */
async function shownBoxes(model: DetectModel, split: ReturnType<typeof splitOf>, threshold: number): Promise<{ shown: number; onBars: number }> {
  const r = await predictDetections(model, split.images, split.count, threshold, { batch: 4 });
  let shown = 0;
  let onBars = 0;
  r.images.forEach((preds, i) => {
    const c = split.contents[i]!;
    for (const p of preds) {
      shown++;
      const [x1, y1, x2, y2] = p.pixels;
      const cx = (x1 + x2) / 2;
      const cy = (y1 + y2) / 2;
      if (cx < c.x0 || cx >= c.x1 || cy < c.y0 || cy >= c.y1) onBars++;
    }
  });
  return { shown, onBars };
}

/** Splits one after the other (images and their boxes in order). */
function concatSplits(splits: FittedSplit[]): FittedSplit {
  const images = new Uint8Array(splits.reduce((n, s) => n + s.images.length, 0));
  let at = 0;
  for (const s of splits) {
    images.set(s.images, at);
    at += s.images.length;
  }
  return { images, boxes: splits.flatMap((s) => s.boxes), count: splits.reduce((n, s) => n + s.count, 0), contents: splits.flatMap((s) => s.contents) };
}

const pct = (v: number | null) => (v === null ? 'n/a' : (100 * v).toFixed(1));

export async function main(args: string[]): Promise<void> {
  const kv = new Map(args.map((a) => a.split('=') as [string, string]));
  const shared = path.resolve('..', 'shared', 'realdata');
  const sets: { name: string; kind: 'coco' | 'voc'; dir: string }[] = [];
  if (kv.has('coco')) sets.push({ name: 'COCO', kind: 'coco', dir: kv.get('coco')! });
  if (kv.has('voc')) sets.push({ name: 'VOC', kind: 'voc', dir: kv.get('voc')! });
  if (sets.length === 0) {
    if (!existsSync(shared)) throw new Error('give coco=<folder> and/or voc=<folder> (../shared/realdata is not here)');
    sets.push(
      { name: 'COCO samples', kind: 'coco', dir: path.join(shared, 'coco_person') },
      { name: 'VOC samples', kind: 'voc', dir: path.join(shared, 'voc_person') },
    );
  }
  const modelsDir = kv.get('models') ?? 'public/models/detect';
  await initBackend((kv.get('backend') as 'wasm') ?? 'wasm');
  const models: { slot: string; model: DetectModel; threshold: number | null }[] = [];
  for (const slot of (kv.get('slots') ?? 'transformer,conv').split(',')) {
    const json = path.join(modelsDir, `${slot}.json`);
    if (!existsSync(json)) {
      console.log(`${slot}: ${json} not found (run npm run pretrain:detect)`);
      continue;
    }
    const loaded = await readDetectorFile(json);
    const t = loaded.provenance.scoreThreshold;
    models.push({ slot, model: loaded.model, threshold: typeof t === 'number' ? t : null });
  }
  const rows: Record<string, unknown>[] = [];
  // Each set's photos, then (with two sets) all of them pooled: one AP over every photo, steadier than either set's few people.
  const read: { name: string; records: DetectRecord[]; splits: Record<Fit, FittedSplit> }[] = [];
  for (const set of sets) {
    const { records, images } = await readFolder(set.kind, set.dir);
    read.push({ name: set.name, records, splits: { letterbox: splitOf(records, images, 'letterbox'), stretch: splitOf(records, images, 'stretch') } });
  }
  if (read.length > 1)
    read.push({
      name: read.map((r) => r.name.split(' ')[0]).join(' + '),
      records: read.flatMap((r) => r.records),
      splits: { letterbox: concatSplits(read.map((r) => r.splits.letterbox)), stretch: concatSplits(read.map((r) => r.splits.stretch)) },
    });
  for (const set of read) {
    const { records } = set;
    const people = records.reduce((s, r) => s + r.boxes.filter((b) => !b.ignore).length, 0);
    for (const fit of FITS) {
      const split = set.splits[fit];
      const kept = split.boxes.reduce((s, bs) => s + bs.filter((b) => !b.ignore).length, 0);
      for (const { slot, model, threshold } of models) {
        const r = await evaluateDetector(model, split, 0.5, 4);
        // The boxes the viewer shows by default: those above the detector's own suggested threshold (from the validation scenes).
        const shown = await shownBoxes(model, split, threshold ?? 0.5);
        const own = threshold === null ? null : shown.shown / split.count;
        const bars = fit === 'letterbox' ? shown : null;
        const row = {
          set: set.name,
          fit,
          slot,
          images: records.length,
          people,
          scoredPeople: kept,
          ap50: r.ap50,
          ap: r.ap,
          recall20: r.recall20,
          above50: r.meanAboveThreshold,
          ownThreshold: threshold,
          aboveOwn: own,
          boxesShown: bars?.shown ?? null,
          boxesOnBars: bars?.onBars ?? null,
          byHeight: r.byHeight,
        };
        rows.push(row);
        console.log(
          `${set.name.padEnd(13)} ${fit.padEnd(9)} ${slot.padEnd(11)} ${records.length} photos, ${kept}/${people} people scored: AP@0.5 ${pct(r.ap50)}  AP ${pct(r.ap)}  recall@20 ${pct(r.recall20)}  above 0.5: ${r.meanAboveThreshold.toFixed(2)}/photo` +
            (own === null ? '' : `, above its own ${threshold!.toFixed(2)}: ${own.toFixed(2)}/photo`) +
            (bars ? `, centred on the bars: ${bars.onBars} of ${bars.shown}` : ''),
        );
        console.log(`${''.padEnd(35)} by height (share of the frame): ${bandLine(r.byHeight)}`);
      }
    }
  }
  for (const m of models) disposeParams(m.model.store);
  if (kv.has('out')) {
    const { appendFile } = await import('node:fs/promises');
    await appendFile(kv.get('out')!, rows.map((r) => JSON.stringify({ ...r, models: modelsDir })).join('\n') + '\n');
  }
}
