/**
 * Checkpoint averaging (SWA, Izmailov et al. 2018) of one segmentation model's saved checkpoints:
 *   node scripts/run-node.mjs scripts/node/segAverage.ts files=a-step800.json,a-step1600.json,a.json out=/tmp/a-avg.json
 * Every weight becomes the mean of its values in the files (engine models/averageWeights.ts), then the BN running
 * statistics are re-estimated on `bnBatches` training-mode passes over the built-in scenes' TRAINING split (never the
 * validation scenes, never real photos; batches of `batch` in order, no augmentation), and the result is scored on the
 * validation scenes as segment.ts scores a run and saved with the last file's provenance (its steps, seconds, seed),
 * `origin` naming the average. Prints one line `RESULT {json}`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  averageParamStores,
  disposeParams,
  evaluateSegModel,
  generateStreetDataset,
  initBackend,
  recalibrateBnStatistics,
  segImagesTensor,
  serializeSegModel,
  type SegModel,
  type SegProvenance,
} from '../../src/engine';
import { isBackendPreference } from '../../src/protocol/backend';
import { STREETS_DATASET_ID, STREETS_REAL_DATASET_ID } from '../../src/protocol/datasets';
import { parseKeyValues } from './keyValues';
import { readSegFile } from './segment';

export interface SegAverageArgs {
  files: string[];
  out?: string;
  bnBatches: number;
  batch: number;
  dataSeed: number;
  testSize: number;
  backend: string;
}

export function parseSegAverageArgs(args: string[]): SegAverageArgs {
  const kv = parseKeyValues(args, new Set(['files', 'out', 'bnBatches', 'batch', 'dataSeed', 'testSize', 'backend']), {} as const);
  const files = kv.get('files')?.split(',').filter(Boolean) ?? [];
  if (files.length < 2) throw new Error('files= needs at least two checkpoints of one model, comma-separated');
  const bnBatches = Math.round(kv.num('bnBatches', 100));
  if (bnBatches < 0) throw new Error('bnBatches= must be 0 (keep the averaged statistics) or more');
  return {
    files,
    out: kv.get('out'),
    bnBatches,
    batch: Math.round(kv.num('batch', 8)),
    dataSeed: Math.round(kv.num('dataSeed', 1)),
    testSize: Math.round(kv.num('testSize', 100)),
    backend: kv.get('backend') ?? 'wasm',
  };
}

/** Average the files' weights, re-estimate BN on training scenes, score on validation scenes; returns the RESULT object. */
export async function runSegAverage(a: SegAverageArgs, log: (line: string) => void = console.log): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const loaded: { model: SegModel; provenance: SegProvenance }[] = [];
  try {
    for (const f of a.files) loaded.push(await readSegFile(f));
    const first = loaded[0]!.provenance;
    for (const [k, { provenance: p }] of loaded.entries()) {
      if (p.slot !== first.slot || p.size !== first.size || p.dataset !== first.dataset)
        throw new Error(
          `${a.files[k]} is a ${p.slot} at ${p.size} on ${p.dataset}, ${a.files[0]} a ${first.slot} at ${first.size} on ${first.dataset}: average checkpoints of one run`,
        );
      log(`${a.files[k]}: ${p.steps} steps, validation mIoU ${(100 * p.mIoU).toFixed(1)} %`);
    }
    const target = loaded[0]!.model;
    averageParamStores(
      target.store,
      loaded.map((l) => l.model.store),
    );
    const style = first.dataset === STREETS_DATASET_ID ? 'classic' : first.dataset === STREETS_REAL_DATASET_ID ? 'realistic' : null;
    if (!style) throw new Error(`${a.files[0]} was trained on ${first.dataset}; this script re-estimates BN on the built-in scenes only`);
    const data = await generateStreetDataset({ seed: a.dataSeed, size: first.size, trainSize: a.bnBatches * a.batch, testSize: a.testSize, style });
    const { height: h, width: w } = data;
    let next = 0;
    recalibrateBnStatistics(target, a.bnBatches, () => {
      const x = segImagesTensor(data.train.images.subarray(next * h * w * 3, (next + a.batch) * h * w * 3), a.batch, h, w);
      next += a.batch;
      return x;
    });
    const ev = await evaluateSegModel(target, data);
    const seg = ev.seg!;
    const perClass = seg.classNames.map((c, i) => `${c} ${seg.perClassIoU[i] === null ? 'n/a' : (100 * seg.perClassIoU[i]!).toFixed(0)}`).join(', ');
    log(
      `average of ${a.files.length}, BN re-estimated on ${a.bnBatches} × ${a.batch} training scenes: validation mIoU ${(100 * seg.mIoU).toFixed(1)} % (IoU % ${perClass})`,
    );
    const last = loaded[loaded.length - 1]!.provenance;
    const seconds = (performance.now() - t0) / 1000;
    if (a.out) {
      const { json, weights } = await serializeSegModel(target, {
        ...last,
        mIoU: seg.mIoU,
        seconds: last.seconds + seconds,
        origin: `${last.origin}; weights averaged over ${a.files.length} checkpoints (steps ${loaded.map((l) => l.provenance.steps).join(', ')}), BN re-estimated on ${a.bnBatches} × ${a.batch} training scenes (scripts/node/segAverage.ts)`,
      });
      await mkdir(path.dirname(a.out), { recursive: true });
      await writeFile(a.out, JSON.stringify(json));
      await writeFile(a.out.replace(/\.json$/, '.bin'), new Uint8Array(weights));
    }
    return {
      files: a.files,
      bnBatches: a.bnBatches,
      batch: a.batch,
      slot: first.slot,
      steps: last.steps,
      seconds,
      mIoU: seg.mIoU,
      perClassIoU: seg.perClassIoU,
      pixelAccuracy: ev.accuracy,
    };
  } finally {
    for (const l of loaded) disposeParams(l.model.store);
  }
}

export async function main(args: string[]): Promise<void> {
  const a = parseSegAverageArgs(args);
  if (!isBackendPreference(a.backend)) throw new Error(`backend=${a.backend} is not one of auto, webgpu, webgl, wasm, cpu`);
  const info = await initBackend(a.backend);
  console.log(`backend ${info.name}`);
  console.log(`RESULT ${JSON.stringify(await runSegAverage(a))}`);
}
