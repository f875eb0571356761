/**
 * Backbone pretraining for the Detect lab (engine/detect/backbonePretrain.ts), in Node (wasm by default):
 *   node scripts/run-node.mjs scripts/node/detectBackbone.ts width=0.5 steps=1500 batch=16 lr=2e-3 trainSize=2000 \
 *     out=.cache/detect-backbone-w0.5.json results=results/detect-backbone.jsonl
 * Trains MobileNetV3-Small's stride-32 features on the built-in detection scenes' class maps (never real photos), prints the
 * loss every `logEvery` steps and pixel accuracy / mIoU / person IoU every `evalEvery`, and writes the result as a detector
 * file (encoder none, DETR parts untrained) whose backbone `detect.ts backbone=<file>` starts from. Ends with `RESULT {json}`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BackbonePretrainer, generateDetectPretextSplit, serializeDetector, STREET_CLASSES, STREET_STYLES, type StreetStyle } from '../../src/engine';
import { parseKeyValues } from './keyValues';
import { emitResult, startBackend } from './scriptIO';

const NUMBERS = ['width', 'steps', 'batch', 'lr', 'weightDecay', 'seed', 'dataSeed', 'trainSize', 'testSize', 'evalEvery', 'logEvery'];
const KNOWN = new Set([...NUMBERS, 'backend', 'out', 'results', 'origin', 'style']);

export interface BackboneRunArgs {
  /** The built-in scenes' style (classic: the shipped backbone's; realistic: issue #15's streets). */
  style: StreetStyle;
  width: number;
  steps: number;
  batch: number;
  lr: number;
  weightDecay: number;
  seed: number;
  dataSeed: number;
  trainSize: number;
  testSize: number;
  evalEvery: number;
  logEvery: number;
  backend: string;
  out?: string;
  results?: string;
  origin: string;
}

export function parseBackboneArgs(args: string[]): BackboneRunArgs {
  const kv = parseKeyValues(args, KNOWN, { style: STREET_STYLES });
  const steps = Math.round(kv.num('steps', 1500));
  return {
    style: kv.pick('style', 'classic'),
    width: kv.num('width', 0.5),
    steps,
    batch: Math.round(kv.num('batch', 16)),
    lr: kv.num('lr', 2e-3),
    weightDecay: kv.num('weightDecay', 1e-4),
    seed: Math.round(kv.num('seed', 1)),
    dataSeed: Math.round(kv.num('dataSeed', 1)),
    trainSize: Math.round(kv.num('trainSize', 2000)),
    testSize: Math.round(kv.num('testSize', 200)),
    evalEvery: Math.round(kv.num('evalEvery', steps)),
    logEvery: Math.round(kv.num('logEvery', 50)),
    backend: kv.get('backend') ?? 'wasm',
    out: kv.get('out'),
    results: kv.get('results'),
    origin: kv.get('origin') ?? 'scripts/node/detectBackbone.ts',
  };
}

const pct = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : (v * 100).toFixed(1));

/** Pretrain one backbone as the args say, write it to `out` (when given); returns the RESULT object. */
export async function runBackbonePretrain(a: BackboneRunArgs, log: (line: string) => void = console.log): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const train = await generateDetectPretextSplit({ seed: a.dataSeed, split: 0, count: a.trainSize, style: a.style });
  const test = await generateDetectPretextSplit({ seed: a.dataSeed, split: 1, count: a.testSize, style: a.style });
  log(`pretext scenes: ${train.count} train, ${test.count} test (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const p = new BackbonePretrainer({ widthMultiplier: a.width, seed: a.seed, batchSize: a.batch, lr: a.lr, steps: a.steps, weightDecay: a.weightDecay }, train);
  const person = STREET_CLASSES.indexOf('person');
  const t1 = performance.now();
  let last: Awaited<ReturnType<BackbonePretrainer['evaluate']>> | null = null;
  let smoothed = NaN;
  /** Write the backbone as trained so far (every evaluation is a checkpoint: a long run stopped early keeps its last one). */
  const save = async (steps: number, seconds: number) => {
    if (!a.out) return;
    const { json, weights } = await serializeDetector(p.model, {
      pretext: `street class maps of the built-in ${a.style} detection scenes (stride-32 features → 1×1 → bilinear ×8, OHEM CE)`,
      style: a.style,
      steps,
      seed: a.seed,
      dataSeed: a.dataSeed,
      trainSize: a.trainSize,
      miou: last?.miou ?? null,
      personIoU: last?.iou[person] ?? null,
      seconds,
      origin: a.origin,
    });
    await mkdir(path.dirname(a.out), { recursive: true });
    await writeFile(a.out, JSON.stringify(json));
    await writeFile(a.out.replace(/\.json$/, '') + '.bin', new Uint8Array(weights));
    log(`wrote ${a.out} (step ${steps})`);
  };

  for (let step = 1; step <= a.steps; step++) {
    const r = await p.step();
    if (!Number.isFinite(r.loss)) throw new Error(`loss became ${r.loss} at step ${step}`);
    smoothed = Number.isNaN(smoothed) ? r.loss : 0.95 * smoothed + 0.05 * r.loss;
    if (step % a.logEvery === 0 || step === 1)
      log(`step ${step}/${a.steps} loss ${r.loss.toFixed(3)} (ema ${smoothed.toFixed(3)}) lr ${r.lr.toExponential(2)} ${r.ms.toFixed(0)} ms/step`);
    if (step % a.evalEvery === 0 || step === a.steps) {
      last = await p.evaluate(test);
      log(
        `  eval step ${step}: pixel acc ${pct(last.pixelAccuracy)} mIoU ${pct(last.miou)} person IoU ${pct(last.iou[person])} [${STREET_CLASSES.map((c, i) => `${c} ${pct(last!.iou[i])}`).join(', ')}] (${((performance.now() - t1) / 1000).toFixed(0)} s)`,
      );
      if (step < a.steps) await save(step, (performance.now() - t1) / 1000);
    }
  }
  const seconds = (performance.now() - t1) / 1000;
  await save(a.steps, seconds);
  p.dispose();
  return {
    ...a,
    pixelAccuracy: last?.pixelAccuracy ?? null,
    miou: last?.miou ?? null,
    iou: Object.fromEntries(STREET_CLASSES.map((c, i) => [c, last?.iou[i] ?? null])),
    seconds,
  };
}

export async function main(args: string[]): Promise<void> {
  const a = parseBackboneArgs(args);
  await startBackend(a.backend);
  await emitResult(a.results, await runBackbonePretrain(a));
}
