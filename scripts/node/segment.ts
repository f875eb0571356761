/**
 * Headless Segment-lab run in Node (wasm by default), TECHNIQUES.md §2:
 *   node scripts/run-node.mjs scripts/node/segment.ts model=student upscale=pixelshuffle chain=teacher-tutor-student \
 *     size=low steps=300 source=public/models/segment/low/tutor.json out=/tmp/student.json
 * Trains one model on the built-in street scenes (optionally distilling from a saved model), prints
 * progress, and ends with one line `RESULT {json}` (validation mIoU, per-class IoU, pixel accuracy, settings).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  disposeParams,
  initBackend,
  generateStreetDataset,
  SegTrainer,
  segHyperparamsOf,
  type SegHyperparams,
  STREET_STYLES,
  type StreetStyle,
  segCost,
  type SegModel,
  type SegProvenance,
  loadSegModel,
  serializeSegModel,
} from '../../src/engine';
import { isBackendPreference } from '../../src/protocol/backend';
import { STREETS_DATASET_ID, STREETS_REAL_DATASET_ID } from '../../src/protocol/datasets';
import {
  SEG_AFFINITY_LOSSES,
  SEG_CHAINS,
  SEG_CLASS_BALANCES,
  SEG_MODEL_WIDTH,
  SEG_MODELS,
  SEG_SIZES,
  SEGMENT_LAB,
  UPSCALES,
  slotOf,
} from '../../src/protocol/labs/segment';
import { parseKeyValues } from './keyValues';

/** The live settings' defaults (the Segment lab's spec). */
const DEFAULT_HYPERPARAMS = segHyperparamsOf(SEGMENT_LAB.defaults());

const CHOICES = {
  model: SEG_MODELS,
  upscale: UPSCALES,
  chain: SEG_CHAINS,
  size: SEG_SIZES,
  classBalance: SEG_CLASS_BALANCES,
  style: STREET_STYLES,
  affinity: SEG_AFFINITY_LOSSES,
  affinityOrder: SEGMENT_LAB.fields.affinityOrder.options,
} as const;
const NUMBERS = [
  'steps',
  'batch',
  'seed',
  'trainSize',
  'testSize',
  'evalEvery',
  'logEvery',
  'width',
  'dataSeed',
  'zoom',
  'jitter',
  'refine',
  'refineFull',
  ...Object.keys(DEFAULT_HYPERPARAMS),
];
const KNOWN = new Set([...Object.keys(CHOICES), ...NUMBERS, 'backend', 'source', 'init', 'out', 'flip', 'origin', 'checkpoints']);

export interface SegRunArgs {
  model: (typeof SEG_MODELS)[number];
  upscale: (typeof UPSCALES)[number];
  chain: (typeof SEG_CHAINS)[number];
  size: (typeof SEG_SIZES)[number];
  classBalance: (typeof SEG_CLASS_BALANCES)[number];
  /** The built-in scenes' style (classic: the shipped weights' scenes; realistic: issue #15's domain-randomised streets). */
  style: StreetStyle;
  steps: number;
  batch: number;
  seed: number;
  dataSeed: number;
  trainSize: number;
  testSize: number;
  evalEvery: number;
  logEvery: number;
  width: number;
  /** The teacher's 1/2-resolution refinement head's channels (0 = none; models/seg/teacher.ts). */
  refine: number;
  /** The teacher's full-resolution refinement stage's channels (0 = none; needs refine). */
  refineFull: number;
  flip: boolean;
  /** Zoom-in augmentation up to this factor (1 = off) and colour-jitter strength (0 = off); data/segAugment.ts. */
  zoom: number;
  /** The optional affinity term at the 1/8 features (TECHNIQUES.md §3; needs a source), its order; weight and k are hyperparams. */
  affinity: (typeof SEG_AFFINITY_LOSSES)[number];
  affinityOrder: 1 | 2;
  jitter: number;
  hyperparams: SegHyperparams;
  backend: string;
  source?: string;
  /**
   * A saved model (.json) of the same kind and width to start from (fine-tuning) instead of a fresh init; the saved
   * model's provenance then counts that model's steps and seconds too (the RESULT line counts this run's only). A student
   * may start from a tutor of its width and upscaling variant (its embedded student; the steps then count from 0).
   */
  init?: string;
  out?: string;
  /** Also save the model at every intermediate evaluation, beside `out` as <name>-step<N>.json (to score each on real photos). */
  checkpoints: boolean;
  origin: string;
}

/** Parse key=value settings (unknown keys and bad values throw). */
export function parseSegArgs(args: string[]): SegRunArgs {
  const kv = parseKeyValues(args, KNOWN, CHOICES);
  const num = kv.num;
  const pick = kv.pick;
  const model = pick('model', 'student');
  const steps = Math.round(num('steps', 300));
  return {
    model,
    upscale: pick('upscale', 'bilinear'),
    chain: pick('chain', 'none'),
    size: pick('size', 'low'),
    classBalance: pick('classBalance', 'none'),
    style: pick('style', 'classic'),
    steps,
    batch: Math.round(num('batch', 8)),
    seed: Math.round(num('seed', 1)),
    dataSeed: Math.round(num('dataSeed', 1)),
    trainSize: Math.round(num('trainSize', 1000)),
    testSize: Math.round(num('testSize', 100)),
    evalEvery: Math.round(num('evalEvery', steps)),
    logEvery: Math.round(num('logEvery', 25)),
    width: num('width', SEG_MODEL_WIDTH[model]),
    refine: Math.round(num('refine', 0)),
    refineFull: Math.round(num('refineFull', 0)),
    flip: kv.flag('flip', true),
    zoom: num('zoom', 1),
    affinity: pick('affinity', 'none'),
    affinityOrder: pick('affinityOrder', '2') === '1' ? 1 : 2,
    jitter: num('jitter', 0),
    hyperparams: Object.fromEntries(Object.entries(DEFAULT_HYPERPARAMS).map(([k, v]) => [k, num(k, v)])) as unknown as SegHyperparams,
    backend: kv.get('backend') ?? 'wasm',
    source: kv.get('source'),
    init: kv.get('init'),
    out: kv.get('out'),
    checkpoints: kv.flag('checkpoints', false),
    origin: kv.get('origin') ?? 'scripts/node/segment.ts',
  };
}

/** Load a saved model (JSON + the .bin beside it) with the provenance its JSON records. */
export async function readSegFile(jsonPath: string): Promise<{ model: SegModel; provenance: SegProvenance }> {
  const json = JSON.parse(await readFile(jsonPath, 'utf8')) as unknown;
  const bin = await readFile(jsonPath.replace(/\.json$/, '.bin'));
  return loadSegModel(json, bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
}

/** Load a saved model (JSON + the .bin beside it). */
export async function readSegModel(jsonPath: string): Promise<SegModel> {
  return (await readSegFile(jsonPath)).model;
}

/** Train one model as the args say; returns the RESULT object. */
export async function runSegment(a: SegRunArgs, log: (line: string) => void = console.log): Promise<Record<string, unknown>> {
  const data = await generateStreetDataset({ seed: a.dataSeed, size: a.size, trainSize: a.trainSize, testSize: a.testSize, style: a.style });
  const source = a.source ? await readSegModel(a.source) : null;
  const initFile = a.init ? await readSegFile(a.init) : null;
  const init = initFile?.model ?? null;
  // A model trained on from its own saved weights counts the steps and seconds those weights had already had; a student
  // started from a tutor's embedded student (engine copyWeights) counts its own run only (the tutor's are the tutor's).
  const before = initFile && init!.name === a.model ? { steps: initFile.provenance.steps, seconds: initFile.provenance.seconds } : { steps: 0, seconds: 0 };
  if (a.chain !== 'none' && !source) throw new Error(`chain=${a.chain} needs source=<the teacher's or tutor's .json>`);
  if (a.affinity !== 'none' && !source) throw new Error(`affinity=${a.affinity} compares features with a source model: give chain= and source=`);
  const trainer = new SegTrainer(
    {
      kind: a.model,
      upscale: a.upscale,
      width: a.width,
      refine: a.refine,
      refineFull: a.refineFull,
      seed: a.seed,
      batchSize: a.batch,
      totalSteps: a.steps,
      flip: a.flip,
      hyperparams: a.hyperparams,
      source,
      classBalance: a.classBalance,
      init,
      augment: { maxZoom: a.zoom, color: a.jitter },
      affinity: a.affinity === 'none' ? null : { loss: a.affinity, order: a.affinityOrder },
    },
    data,
  );
  if (init) disposeParams(init.store);
  const cost = segCost(trainer.model);
  log(
    `${a.model} (${a.upscale}) w${a.width} ${a.size} ${data.height}×${data.width}: ${cost.inference.params} params, ${(cost.inference.macs / 1e6).toFixed(1)} M MACs; chain ${a.chain}`,
  );
  const t0 = performance.now();
  let last = { mIoU: NaN, perClassIoU: [] as (number | null)[], pixelAccuracy: NaN };
  for (let step = 1; step <= a.steps; step++) {
    const r = await trainer.step();
    if (!Number.isFinite(r.loss)) throw new Error(`loss became ${r.loss} at step ${step}`);
    if (step % a.logEvery === 0)
      log(
        `step ${step}/${a.steps} loss ${r.loss.toFixed(3)} (ce ${r.parts!.ce.toFixed(3)} aux ${r.parts!.aux.toFixed(3)} kd ${r.parts!.kd.toFixed(3)}${a.affinity === 'none' ? '' : ` ${a.affinity} ${r.parts!.affinity.toFixed(3)}`}${r.parts!.lovasz > 0 ? ` lovasz ${r.parts!.lovasz.toFixed(3)}` : ''}) acc ${(r.accuracy * 100).toFixed(1)}% ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      );
    if (step % a.evalEvery === 0 || step === a.steps) {
      const ev = await trainer.evaluate();
      last = { mIoU: ev.seg!.mIoU, perClassIoU: ev.seg!.perClassIoU, pixelAccuracy: ev.accuracy };
      const perClass = ev
        .seg!.classNames.map((c, i) => `${c} ${ev.seg!.perClassIoU[i] === null ? 'n/a' : (100 * ev.seg!.perClassIoU[i]!).toFixed(0)}`)
        .join(', ');
      log(`  eval step ${step}: mIoU ${(last.mIoU * 100).toFixed(1)}% pixel acc ${(ev.accuracy * 100).toFixed(1)}% (IoU % ${perClass})`);
      if (a.out && a.checkpoints && step < a.steps) await save(a.out.replace(/\.json$/, `-step${step}.json`), step, (performance.now() - t0) / 1000);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  if (a.out) await save(a.out, a.steps, seconds);
  trainer.dispose();
  if (source) disposeParams(source.store);
  const { hyperparams, ...settings } = a;
  return { ...settings, ...hyperparams, params: cost.inference.params, macs: cost.inference.macs, upscaleParams: cost.upscale.params, seconds, ...last };

  async function save(out: string, steps: number, seconds: number): Promise<void> {
    const { json, weights } = await serializeSegModel(trainer.model, {
      slot: slotOf(a.model, a.upscale),
      chain: a.chain,
      size: a.size,
      dataset: a.style === 'classic' ? STREETS_DATASET_ID : STREETS_REAL_DATASET_ID,
      classNames: [...data.classNames],
      palette: data.palette.map((c) => [c[0], c[1], c[2]] as [number, number, number]),
      steps: before.steps + steps,
      seed: a.seed,
      mIoU: last.mIoU,
      seconds: before.seconds + seconds,
      origin: a.origin,
    });
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, JSON.stringify(json));
    await writeFile(out.replace(/\.json$/, '.bin'), new Uint8Array(weights));
  }
}

export async function main(args: string[]): Promise<void> {
  const a = parseSegArgs(args);
  if (!isBackendPreference(a.backend)) throw new Error(`backend=${a.backend} is not one of auto, webgpu, webgl, wasm, cpu`);
  const info = await initBackend(a.backend);
  console.log(`backend ${info.name}`);
  console.log(`RESULT ${JSON.stringify(await runSegment(a))}`);
}
