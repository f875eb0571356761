/**
 * `npm run eval:segment:real -- <folder> [<folder>…] [size=low] [models=public/models/segment | files=a.json,b.json] [format=auto] [out=<file.jsonl>]`:
 * scores the Segment lab's zoo (public/models/segment/<size>/manifest.json) on a folder of real image/label pairs in any
 * layout and label format the importer reads (CamVid 11 / 32, Cityscapes labelIds / trainIds; paired by file name as the
 * importer pairs them), with the labels mapped to the 8 street classes (engine/metrics/realSeg.ts names the mapping).
 * Each photo is fitted as the Segment viewer fits it (protocol/fit.ts: the largest centred 1:2 rectangle, then resized to
 * the model input: image antialiased bilinear, labels nearest). Prints per-class IoU, mIoU and pixel accuracy per model,
 * the layout-prior baseline on the same photos (leave-one-out per-pixel majority; needs ≥ 2 photos) and each class's
 * commonest confusion. Real photos are for evaluation only: nothing here trains. Without a folder it scores the CamVid and
 * Cityscapes samples in ../shared/realdata when present.
 */
import { existsSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import {
  STREET_CLASSES,
  confusionMatrix,
  cropPixels,
  detectSegFormat,
  disposeParams,
  layoutPriorConfusion,
  loadSegModel,
  planSegPairs,
  readLabelPng,
  resizeBilinearRgb,
  resizeNearest,
  segImagesTensor,
  segScores,
  streetMapping,
  streetMappingRefusal,
  toStreetLabels,
  SEG_FORMAT_IDS,
  type SegFormatId,
  type SegModel,
} from '../../src/engine';
import { centreCrop } from '../../src/protocol/fit';
import { parseKeyValues } from './keyValues';
import { startBackend, walk } from './scriptIO';

const SIZES = { low: { height: 64, width: 128 }, high: { height: 128, width: 256 } } as const;
const K = STREET_CLASSES.length;
const CHUNK = 8;

interface Photo {
  name: string;
  rgb: Uint8Array;
  labels: Uint8Array;
}

async function decodeRgba(file: string): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  const bytes = new Uint8Array(await readFile(file));
  if (/\.png$/i.test(file)) {
    const png = decodePng(bytes);
    const n = png.width * png.height;
    const rgba = new Uint8Array(n * 4);
    const grey = png.channels < 3;
    for (let p = 0; p < n; p++) {
      for (let c = 0; c < 3; c++) rgba[p * 4 + c] = Number(png.data[p * png.channels + (grey ? 0 : c)]) >> (png.depth === 16 ? 8 : 0);
      rgba[p * 4 + 3] = 255;
    }
    return { width: png.width, height: png.height, rgba };
  }
  const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  return { width: j.width, height: j.height, rgba: j.data };
}

/** Every image/label pair of a folder, fitted to height × width, labels as street ids (the viewer's equality test reads it too). */
export async function readFolder(
  dir: string,
  height: number,
  width: number,
  format: SegFormatId | 'auto',
): Promise<{ photos: Photo[]; formats: Set<SegFormatId> }> {
  const files = (await walk(dir)).map((f) => path.relative(dir, f).split(path.sep).join('/'));
  const plan = planSegPairs(files, { evaluation: true });
  if (plan.pairs.length === 0) throw new Error(`${dir}: no image/label pairs found (the importer's pairing rules; ${plan.skipped.length} files skipped).`);
  const photos: Photo[] = [];
  const formats = new Set<SegFormatId>();
  for (const pair of plan.pairs) {
    const labelBytes = new Uint8Array(await readFile(path.join(dir, pair.label)));
    const fmt = format === 'auto' ? detectSegFormat(pair.label, decodePng(labelBytes)) : format;
    const refusal = streetMappingRefusal(fmt);
    if (refusal) throw new Error(`${pair.label}: ${refusal}`);
    formats.add(fmt);
    const label = readLabelPng(labelBytes, fmt, pair.label);
    const img = await decodeRgba(path.join(dir, pair.image));
    if (img.width !== label.width || img.height !== label.height)
      throw new Error(`${pair.image} is ${img.width}×${img.height} but its label ${pair.label} is ${label.width}×${label.height}.`);
    const rect = centreCrop(img.width, img.height, width / height);
    const rgb = resizeBilinearRgb(cropPixels(img.rgba, img.width, 4, rect), rect.width, rect.height, width, height);
    const ids = resizeNearest(cropPixels(label.ids, label.width, 1, rect), rect.width, rect.height, width, height);
    photos.push({ name: pair.image, rgb, labels: toStreetLabels(ids, streetMapping(fmt)) });
  }
  return { photos, formats };
}

/** Each photo's class map by the model (argmax of the logits). */
export async function predict(model: SegModel, photos: readonly Photo[], height: number, width: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < photos.length; i += CHUNK) {
    const part = photos.slice(i, i + CHUNK);
    const rgb = new Uint8Array(part.length * height * width * 3);
    part.forEach((p, j) => rgb.set(p.rgb, j * height * width * 3));
    const x = segImagesTensor(rgb, part.length, height, width);
    const pred = tf.tidy(() => tf.cast(tf.argMax(model.forward(x, { training: false }).logits, 3), 'int32'));
    x.dispose();
    const ids = (await pred.data()) as Int32Array;
    pred.dispose();
    for (let j = 0; j < part.length; j++) out.push(Uint8Array.from(ids.subarray(j * height * width, (j + 1) * height * width)));
  }
  return out;
}

const pct = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '  n/a' : (100 * v).toFixed(1).padStart(5));

/** Each labelled class's commonest wrong prediction and its share of that class's pixels (≥ 20 % only). */
function confusions(cm: Float64Array): string {
  const out: string[] = [];
  for (let t = 0; t < K; t++) {
    let row = 0;
    let worst = -1;
    for (let p = 0; p < K; p++) {
      row += cm[t * K + p]!;
      if (p !== t && (worst < 0 || cm[t * K + p]! > cm[t * K + worst]!)) worst = p;
    }
    const share = row > 0 ? cm[t * K + worst]! / row : 0;
    if (share >= 0.2) out.push(`${STREET_CLASSES[t]}→${STREET_CLASSES[worst]} ${(100 * share).toFixed(0)} %`);
  }
  return out.join(', ');
}

export async function main(args: string[]): Promise<void> {
  const folders = args.filter((a) => !a.includes('='));
  const kv = parseKeyValues(
    args.filter((a) => a.includes('=')),
    new Set(['size', 'models', 'files', 'format', 'out', 'backend']),
    { size: ['low', 'high'], format: ['auto', ...SEG_FORMAT_IDS] } as const,
  );
  const size = kv.pick('size', 'low');
  const format = kv.pick('format', 'auto');
  const { height, width } = SIZES[size];
  const modelsDir = kv.get('models') ?? 'public/models/segment';
  if (folders.length === 0) {
    const shared = path.resolve('..', 'shared', 'realdata');
    if (!existsSync(shared)) throw new Error('give a folder of image/label pairs (../shared/realdata is not here)');
    folders.push(path.join(shared, 'camvid'), path.join(shared, 'cityscapes'));
  }
  await startBackend(kv.get('backend') ?? 'wasm');
  // files=a.json,b.json scores those model files (e.g. a run's checkpoint) instead of the zoo's manifest.
  const given = kv.get('files')?.split(',').filter(Boolean);
  const manifestPath = path.join(modelsDir, size, 'manifest.json');
  if (!given && !existsSync(manifestPath)) throw new Error(`${manifestPath} not found: run npm run pretrain:segment first.`);
  const entries = given
    ? given.map((f) => ({ slot: path.basename(f, '.json'), json: f }))
    : (JSON.parse(await readFile(manifestPath, 'utf8')) as { models: { slot: string; file: string }[] }).models.map((m) => ({
        slot: m.slot,
        json: path.join(modelsDir, m.file),
      }));
  const models: { slot: string; model: SegModel; dataset: string }[] = [];
  for (const m of entries) {
    const json = m.json;
    const bin = await readFile(json.replace(/\.json$/, '.bin'));
    const { model, provenance } = loadSegModel(JSON.parse(await readFile(json, 'utf8')), bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
    if (provenance.classNames.join() !== STREET_CLASSES.join()) {
      console.log(`${m.slot}: trained on other classes (${provenance.classNames.length}), not scored`);
      disposeParams(model.store);
      continue;
    }
    models.push({ slot: m.slot, model, dataset: provenance.dataset });
  }
  const nameWidth = Math.max(22, ...models.map((m) => m.slot.length + 1));
  const header = `${'model'.padEnd(nameWidth)} ${STREET_CLASSES.map((c) => c.slice(0, 5).padStart(5)).join(' ')}   mIoU  pixAcc`;
  for (const dir of folders) {
    const { photos, formats } = await readFolder(dir, height, width, format);
    console.log(`\n${dir}: ${photos.length} photo${photos.length === 1 ? '' : 's'} (${[...formats].join(', ')} labels), fitted to ${height}×${width}`);
    console.log(header);
    const rows: { slot: string; cm: Float64Array }[] = [];
    const lines: Record<string, unknown>[] = [];
    for (const { slot, model } of models) {
      const preds = await predict(model, photos, height, width);
      const cm = new Float64Array(K * K);
      preds.forEach((p, i) => confusionMatrix(p, photos[i]!.labels, K, 255, cm));
      rows.push({ slot, cm });
    }
    if (photos.length >= 2)
      rows.push({
        slot: 'layout prior',
        cm: layoutPriorConfusion(
          photos.map((p) => p.labels),
          K,
        ),
      });
    for (const { slot, cm } of rows) {
      const s = segScores(cm, K);
      console.log(`${slot.padEnd(nameWidth)} ${s.perClassIoU.map(pct).join(' ')}  ${pct(s.mIoU)}  ${pct(s.pixelAccuracy)}   ${confusions(cm)}`);
      lines.push({
        folder: path.basename(dir),
        photos: photos.length,
        size,
        slot,
        mIoU: s.mIoU,
        pixelAccuracy: s.pixelAccuracy,
        perClassIoU: Object.fromEntries(STREET_CLASSES.map((c, i) => [c, s.perClassIoU[i]])),
        models: modelsDir,
      });
    }
    if (photos.length < 2) console.log('layout prior: needs at least 2 photos (leave-one-out)');
    const out = kv.get('out');
    if (out) await appendFile(out, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  }
  for (const m of models) disposeParams(m.model.store);
}
