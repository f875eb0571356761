/**
 * How class-balanced training shifts a segmentation model's predictions, and what a post-hoc logit adjustment gives back:
 *   node scripts/run-node.mjs scripts/node/segLogitAdjust.ts [files=a.json,b.json] [taus=0,0.25,0.5,0.75,1] [real=<folder>] [out=<file.jsonl>]
 * For each model (default: the low-size zoo's manifest), on the realistic validation scenes (data seed 1, the split every
 * training run reports): each class's precision, recall and predicted ÷ true pixel count. Then the argmax of
 * logits − τ · ln w_c, where w are the median-frequency weights the trainer used (the training labels of data seed 1,
 * trainSize scenes, capped at CLASS_WEIGHT_CAP): logit adjustment (Menon et al. 2021, "Long-tail learning via logit
 * adjustment"), which undoes the prior that weighting by w adds to a softmax trained with weighted CE; τ = 0 is the model
 * as trained, τ = 1 the full correction. Scored on the validation split, on a separate calibration split (the validation
 * split of data seed 2: τ is chosen there, never on the split it is reported on) and on a folder of real image/label pairs
 * (default ../shared/realdata/camvid when present; evaluation only). First it prints how thin person and pole are: the share
 * of their validation pixels in horizontal runs 1, 2, … px wide. Nothing is trained or written besides `out`.
 */
import { existsSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  CLASS_WEIGHT_CAP,
  STREET_CLASSES,
  STREET_SIZES,
  confusionMatrix,
  disposeParams,
  generateStreetDataset,
  medianFrequencyWeights,
  segImagesTensor,
  segScores,
  type SegModel,
} from '../../src/engine';
import { parseKeyValues } from './keyValues';
import { startBackend } from './scriptIO';
import { readSegModel } from './segment';
import { readFolder } from './segmentReal';

const K = STREET_CLASSES.length;
/** The low size, which the shipped zoo is trained at. */
const { height: H, width: W } = STREET_SIZES.low;

interface Images {
  name: string;
  rgb: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** The model's logits on every image, in chunks (caller disposes). */
function logitsOf(model: SegModel, set: Images): tf.Tensor4D {
  const parts: tf.Tensor4D[] = [];
  for (let i = 0; i < set.count; i += 25) {
    const n = Math.min(25, set.count - i);
    const x = segImagesTensor(set.rgb.subarray(i * H * W * 3, (i + n) * H * W * 3), n, H, W);
    parts.push(tf.tidy(() => model.forward(x, { training: false }).logits));
    x.dispose();
  }
  const all = tf.concat(parts, 0);
  tf.dispose(parts);
  return all;
}

/** Confusion matrix of argmax(logits − τ·ln w) against the labels. */
async function confusionAt(logits: tf.Tensor4D, logW: tf.Tensor1D, tau: number, labels: Uint8Array): Promise<Float64Array> {
  const pred = tf.tidy(() => tf.cast(tf.argMax(tf.sub(logits, tf.mul(tau, logW)), 3), 'int32'));
  const ids = (await pred.data()) as Int32Array;
  pred.dispose();
  return confusionMatrix(ids, labels, K, 255);
}

/** Share of class `cls`'s pixels lying in horizontal runs of width 1, 2, …, `cap` or more (label maps of width W, row-major). */
export function runWidthShares(labels: Uint8Array, cls: number, cap: number): number[] {
  const counts = new Array<number>(cap).fill(0);
  let total = 0;
  for (let row = 0; row < labels.length; row += W) {
    for (let x = 0; x < W;) {
      if (labels[row + x] !== cls) {
        x++;
        continue;
      }
      let end = x;
      while (end < W && labels[row + end] === cls) end++;
      const run = end - x;
      counts[Math.min(cap, run) - 1]! += run;
      total += run;
      x = end;
    }
  }
  return counts.map((n) => (total > 0 ? n / total : NaN));
}

const pct = (v: number | null) => (v === null || Number.isNaN(v) ? '  n/a' : (100 * v).toFixed(1).padStart(5));

export async function main(args: string[]): Promise<void> {
  const kv = parseKeyValues(args, new Set(['files', 'taus', 'real', 'trainSize', 'out', 'backend']), {});
  await startBackend(kv.get('backend') ?? 'wasm');
  const taus = (kv.get('taus') ?? '0,0.25,0.5,0.75,1').split(',').map(Number);
  if (taus.some((t) => !Number.isFinite(t))) throw new Error(`taus=${kv.get('taus')}: give numbers, e.g. 0,0.5,1`);
  const files =
    kv.get('files')?.split(',').filter(Boolean) ??
    (JSON.parse(await readFile('public/models/segment/low/manifest.json', 'utf8')) as { models: { file: string }[] }).models.map((m) =>
      path.join('public/models/segment', m.file),
    );
  const defaultReal = '../shared/realdata/camvid';
  const realDir = kv.get('real') ?? (existsSync(defaultReal) ? defaultReal : null);
  const out = kv.get('out');

  const train = await generateStreetDataset({ seed: 1, size: 'low', style: 'realistic', trainSize: Math.round(kv.num('trainSize', 3000)), testSize: 100 });
  const weights = medianFrequencyWeights(train.train.labels, H * W, K, { maxWeight: CLASS_WEIGHT_CAP });
  console.log(`median-frequency weights (training labels): ${STREET_CLASSES.map((c, i) => `${c} ${weights[i]!.toFixed(2)}`).join(', ')}`);
  for (const c of ['person', 'pole']) {
    const share = runWidthShares(train.test.labels, STREET_CLASSES.indexOf(c as (typeof STREET_CLASSES)[number]), 6);
    console.log(
      `validation ${c} pixels by the width of their horizontal run: ${share.map((f, i) => `${i + 1}${i === 5 ? '+' : ''} px ${pct(f)} %`).join(', ')}`,
    );
  }
  const calib = await generateStreetDataset({ seed: 2, size: 'low', style: 'realistic', trainSize: 0, testSize: 200 });
  const sets: Images[] = [
    { name: 'validation', rgb: train.test.images, labels: train.test.labels, count: train.test.count },
    { name: 'calibration', rgb: calib.test.images, labels: calib.test.labels, count: calib.test.count },
  ];
  if (realDir) {
    const { photos } = await readFolder(realDir, H, W, 'auto');
    const rgb = new Uint8Array(photos.length * H * W * 3),
      labels = new Uint8Array(photos.length * H * W);
    photos.forEach((p, i) => {
      rgb.set(p.rgb, i * H * W * 3);
      labels.set(p.labels, i * H * W);
    });
    sets.push({ name: path.basename(realDir), rgb, labels, count: photos.length });
  }
  const logW = tf.tensor1d(Array.from(weights, Math.log));
  for (const file of files) {
    const model = await readSegModel(file);
    const name = path.basename(file, '.json');
    console.log(`\n${name} (${file})`);
    const rows: Record<string, unknown>[] = [];
    for (const set of sets) {
      const logits = logitsOf(model, set);
      for (const tau of taus) {
        const cm = await confusionAt(logits, logW, tau, set.labels);
        const s = segScores(cm, K);
        if (tau === 0 && set.name === 'validation') {
          const cols = STREET_CLASSES.map((c, k) => {
            let pred = 0,
              truth = 0;
            for (let j = 0; j < K; j++) {
              pred += cm[j * K + k]!;
              truth += cm[k * K + j]!;
            }
            const tp = cm[k * K + k]!;
            return `${c} P ${pct(tp / pred)} R ${pct(tp / truth)} pred/true ${(pred / truth).toFixed(2)}`;
          });
          console.log(`  as trained, validation: ${cols.join('; ')}`);
        }
        rows.push({ model: name, file, set: set.name, images: set.count, tau, mIoU: s.mIoU, perClassIoU: s.perClassIoU, pixelAccuracy: s.pixelAccuracy });
        console.log(`  ${set.name.padEnd(11)} τ ${tau.toFixed(2)}: mIoU ${pct(s.mIoU)}  IoU % ${s.perClassIoU.map(pct).join(' ')}`);
      }
      logits.dispose();
    }
    const onCalib = rows.filter((r) => r.set === 'calibration');
    const best = onCalib.reduce((a, b) => ((b.mIoU as number) > (a.mIoU as number) ? b : a));
    const at = (set: string) => rows.find((r) => r.set === set && r.tau === best.tau)!;
    const asTrained = (set: string) => rows.find((r) => r.set === set && r.tau === 0);
    const summary = sets
      .map((s) => `${s.name} ${pct(asTrained(s.name)?.mIoU as number)} → ${pct(at(s.name).mIoU as number)}`)
      .join(', ')
      .replace(/ +/g, ' ');
    console.log(`  best τ on the calibration split: ${best.tau}; mIoU as trained → adjusted: ${summary}`);
    if (out) await appendFile(out, rows.map((r) => JSON.stringify({ ...r, bestTauOnCalibration: best.tau })).join('\n') + '\n');
    disposeParams(model.store);
  }
  logW.dispose();
}
