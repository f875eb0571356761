/**
 * Headless Detect-lab run in Node (wasm by default), TECHNIQUES.md §4:
 *   node scripts/run-node.mjs scripts/node/detect.ts encoder=conv width=0.5 d=64 layers=2 steps=2000 batch=8 lr=1e-4 \
 *     evalEvery=500 trainSize=2000 testSize=200 out=/tmp/detr-conv.json results=/tmp/detect.jsonl
 * Trains one compact DETR on the built-in street-people scenes (data/detectScenes.ts, 128×256) — or, with `data=toy`, on a
 * synthetic PLACEHOLDER set defined below (for smoke runs only) — prints per-log-step losses and per-eval AP, and ends with one
 * line `RESULT {json}` (settings, params, MACs per part, AP@0.5, AP@[.5:.95], recall@20, seconds), also appended to `results=`.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DEFAULT_DETECT_HYPERPARAMS,
  DETECT_ENCODERS,
  DetectTrainer,
  detectCost,
  disposeParams,
  generateDetectDataset,
  loadDetector,
  serializeDetector,
  STREET_STYLES,
  type StreetStyle,
  type DetectArchitectureOptions,
  type DetectBox,
  type DetectDataset,
  type DetectEvalResult,
  type DetectHyperparams,
  type DetectModel,
  type DetectSplit,
  type HeightBandScores,
} from '../../src/engine';
import { parseKeyValues } from './keyValues';
import { emitResult, startBackend } from './scriptIO';

const DATA = ['scenes', 'toy'] as const;
const CHOICES = { encoder: DETECT_ENCODERS, data: DATA, style: STREET_STYLES } as const;
const NUMBERS = [
  'width',
  'd',
  'layers',
  'heads',
  'ffn',
  'decLayers',
  'decFfn',
  'queries',
  'steps',
  'batch',
  'seed',
  'dataSeed',
  'trainSize',
  'testSize',
  'evalEvery',
  'logEvery',
  'backboneLr',
  'weightDecay',
  'letterbox',
  'zoom',
  'priorSteps',
  ...Object.keys(DEFAULT_DETECT_HYPERPARAMS),
];
const KNOWN = new Set([...Object.keys(CHOICES), ...NUMBERS, 'backend', 'out', 'results', 'flip', 'origin', 'backbone', 'init']);

export interface DetectRunArgs {
  encoder: (typeof DETECT_ENCODERS)[number];
  data: (typeof DATA)[number];
  /** The built-in scenes' style (classic: the shipped detectors' scenes; realistic: issue #15's streets). */
  style: StreetStyle;
  width: number;
  d: number;
  layers: number;
  heads: number;
  ffn: number;
  decLayers: number;
  decFfn: number;
  queries: number;
  steps: number;
  batch: number;
  seed: number;
  dataSeed: number;
  trainSize: number;
  testSize: number;
  evalEvery: number;
  logEvery: number;
  backboneLr: number;
  weightDecay: number;
  flip: boolean;
  /** Probability of the letterbox augmentation (DetectBatcher). */
  letterbox: number;
  /** Probability of the zoom-in augmentation (DetectBatcher). */
  zoom: number;
  /** Steps the `init` detector was trained for before this run (its saved provenance counts them: steps = priorSteps + steps). */
  priorSteps: number;
  hyperparams: DetectHyperparams;
  backend: string;
  out?: string;
  results?: string;
  /** Provenance written into a saved model (default: this script). */
  origin: string;
  /** A detector file (detectBackbone.ts's output) whose backbone the run starts from; fresh when absent. */
  backbone?: string;
  /** A detector file of the same architecture whose every weight the run starts from (a fine-tune); overrides `backbone`. */
  init?: string;
}

/** A detector file (serializeDetector's JSON, its weights in the `.bin` beside it): the parsed JSON and the loaded model with its provenance. */
export async function readDetectorFile(
  file: string,
): Promise<{ json: Record<string, unknown> & { provenance: Record<string, unknown> } } & ReturnType<typeof loadDetector>> {
  const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown> & { provenance: Record<string, unknown> };
  const bin = await readFile(file.replace(/\.json$/, '') + '.bin');
  return { json, ...loadDetector(json, bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength)) };
}

/** The detector architecture options of a run's settings (encoder and decoder share `heads`). */
export function architectureOptions(
  a: Pick<DetectRunArgs, 'encoder' | 'width' | 'd' | 'layers' | 'heads' | 'ffn' | 'decLayers' | 'decFfn' | 'queries'>,
): DetectArchitectureOptions {
  return {
    widthMultiplier: a.width,
    d: a.d,
    encoder: { kind: a.encoder, layers: a.layers, heads: a.heads, ffn: a.ffn },
    decoder: { layers: a.decLayers, heads: a.heads, ffn: a.decFfn, queries: a.queries },
  };
}

/** Parse key=value settings (unknown keys and bad values throw). */
export function parseDetectArgs(args: string[]): DetectRunArgs {
  const kv = parseKeyValues(args, KNOWN, CHOICES);
  const num = kv.num;
  const pick = kv.pick;
  const steps = Math.round(num('steps', 300));
  return {
    encoder: pick('encoder', 'transformer'),
    data: pick('data', 'scenes'),
    style: pick('style', 'classic'),
    width: num('width', 1),
    d: Math.round(num('d', 128)),
    layers: Math.round(num('layers', 2)),
    heads: Math.round(num('heads', 4)),
    ffn: Math.round(num('ffn', 512)),
    decLayers: Math.round(num('decLayers', 2)),
    decFfn: Math.round(num('decFfn', 512)),
    queries: Math.round(num('queries', 20)),
    steps,
    batch: Math.round(num('batch', 8)),
    seed: Math.round(num('seed', 1)),
    dataSeed: Math.round(num('dataSeed', 1)),
    trainSize: Math.round(num('trainSize', 1000)),
    testSize: Math.round(num('testSize', 100)),
    evalEvery: Math.round(num('evalEvery', steps)),
    logEvery: Math.round(num('logEvery', 25)),
    backboneLr: num('backboneLr', 0.1),
    weightDecay: num('weightDecay', 1e-4),
    flip: kv.flag('flip', true),
    letterbox: num('letterbox', 0),
    zoom: num('zoom', 0),
    priorSteps: Math.round(num('priorSteps', 0)),
    hyperparams: Object.fromEntries(Object.entries(DEFAULT_DETECT_HYPERPARAMS).map(([k, v]) => [k, num(k, v)])) as unknown as DetectHyperparams,
    backend: kv.get('backend') ?? 'wasm',
    out: kv.get('out'),
    results: kv.get('results'),
    origin: kv.get('origin') ?? 'scripts/node/detect.ts',
    backbone: kv.get('backbone'),
    init: kv.get('init'),
  };
}

/**
 * PLACEHOLDER DATA for smoke runs of this script only (`data=toy`), not a dataset to report numbers on: 64×128 noise images with
 * 1–3 solid rectangles of random colours standing in for "people" (portrait boxes), none ignored.
 */
export function toyPlaceholderDataset(seed: number, trainSize: number, testSize: number): DetectDataset {
  const H = 64;
  const W = 128;
  let a = seed >>> 0; // mulberry32, as src/engine/random.ts
  const rng = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const split = (count: number): DetectSplit => {
    const images = new Uint8Array(count * H * W * 3);
    const boxes: DetectBox[][] = [];
    for (let i = 0; i < count; i++) {
      const base = i * H * W * 3;
      for (let p = 0; p < H * W * 3; p++) images[base + p] = Math.floor(rng() * 256);
      const bs: DetectBox[] = [];
      const k = 1 + Math.floor(rng() * 3);
      for (let j = 0; j < k; j++) {
        const h = 0.3 + 0.5 * rng();
        const w = Math.min(0.4, h * (H / W) * (0.35 + 0.3 * rng()));
        const cx = w / 2 + (1 - w) * rng();
        const cy = h / 2 + (1 - h) * rng();
        const colour = [Math.floor(rng() * 256), Math.floor(rng() * 256), Math.floor(rng() * 256)];
        const [x0, x1] = [Math.round((cx - w / 2) * W), Math.round((cx + w / 2) * W)];
        const [y0, y1] = [Math.round((cy - h / 2) * H), Math.round((cy + h / 2) * H)];
        for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) for (let c = 0; c < 3; c++) images[base + (y * W + x) * 3 + c] = colour[c]!;
        bs.push({ cx, cy, w, h, ignore: false });
      }
      boxes.push(bs);
    }
    return { images, boxes, count };
  };
  return { name: 'toy-placeholder', height: H, width: W, train: split(trainSize), test: split(testSize) };
}

async function loadData(a: DetectRunArgs): Promise<DetectDataset> {
  if (a.data === 'toy') return toyPlaceholderDataset(a.dataSeed, a.trainSize, a.testSize);
  return generateDetectDataset({ seed: a.dataSeed, trainSize: a.trainSize, testSize: a.testSize, style: a.style });
}

const fmt = (v: number | null) => (v === null ? 'n/a' : (v * 100).toFixed(1));
/** One line of AP@0.5 / recall@20 per person height band (detect.ts, detectScenesEval.ts, eval:detect:real). */
export const bandLine = (bands: readonly HeightBandScores[]) =>
  bands.map((b) => `${b.label}: ${b.people} people, AP@0.5 ${fmt(b.ap50)} recall@20 ${fmt(b.recall20)}`).join(' · ');

/** Train one detector as the args say; returns the RESULT object. */
export async function runDetect(a: DetectRunArgs, log: (line: string) => void = console.log): Promise<Record<string, unknown>> {
  const tData = performance.now();
  const data = await loadData(a);
  log(
    `data ${data.name} ${data.height}×${data.width}: ${data.train.count} train, ${data.test.count} test (${((performance.now() - tData) / 1000).toFixed(1)} s)`,
  );
  let initBackbone: DetectModel | null = null;
  let init: DetectModel | null = null;
  if (a.init) {
    init = (await readDetectorFile(a.init)).model;
    log(`every weight from ${a.init}`);
  } else if (a.backbone) {
    initBackbone = (await readDetectorFile(a.backbone)).model;
    log(`backbone from ${a.backbone}`);
  }
  const trainer = new DetectTrainer(
    {
      architecture: architectureOptions(a),
      seed: a.seed,
      batchSize: a.batch,
      flip: a.flip,
      letterbox: a.letterbox,
      zoom: a.zoom,
      hyperparams: a.hyperparams,
      backboneLrMultiplier: a.backboneLr,
      weightDecay: a.weightDecay,
      initBackbone,
      init,
    },
    data,
  );
  if (initBackbone) disposeParams(initBackbone.store);
  if (init) disposeParams(init.store);
  const cost = detectCost(trainer.model);
  log(
    `DETR ${a.encoder}×${trainer.model.architecture.encoder.layers} w${a.width} d${a.d}: ${cost.params} params, ${(cost.macs / 1e6).toFixed(1)} M MACs (${cost.parts.map((p) => `${p.part} ${(p.macs / 1e6).toFixed(2)}M`).join(', ')})`,
  );
  const t0 = performance.now();
  let last: DetectEvalResult | null = null;
  /** Write the model as trained so far (every evaluation is a checkpoint: a long run stopped early keeps its last one). */
  const save = async (steps: number, seconds: number) => {
    const { json, weights } = await serializeDetector(trainer.model, {
      dataset: data.name,
      steps: a.priorSteps + steps,
      seed: a.seed,
      ap50: last?.ap50 ?? null,
      ap: last?.ap ?? null,
      scoreThreshold: last?.bestF1?.threshold ?? null,
      f1: last?.bestF1?.f1 ?? null,
      seconds,
      origin: a.origin,
      encoder: a.encoder,
    });
    await mkdir(path.dirname(a.out!), { recursive: true });
    await writeFile(a.out!, JSON.stringify(json));
    await writeFile(a.out!.replace(/\.json$/, '') + '.bin', new Uint8Array(weights));
  };
  for (let step = 1; step <= a.steps; step++) {
    const r = await trainer.step();
    if (!Number.isFinite(r.loss)) throw new Error(`loss became ${r.loss} at step ${step}`);
    if (step % a.logEvery === 0 || step === 1)
      log(
        `step ${step}/${a.steps} loss ${r.loss.toFixed(3)} [${r.layers.map((l) => `ce ${l.ce.toFixed(3)} l1 ${l.l1.toFixed(3)} giou ${l.giou.toFixed(3)}`).join(' | ')}] matched ${r.matched} |g| ${r.gradNorm.toFixed(2)} ${r.ms.toFixed(0)} ms/step`,
      );
    if (step % a.evalEvery === 0 || step === a.steps) {
      last = await trainer.evaluate();
      log(
        `  eval step ${step}: AP@0.5 ${fmt(last.ap50)} AP ${fmt(last.ap)} recall@20 ${fmt(last.recall20)} above ${a.hyperparams.scoreThreshold}: ${last.meanAboveThreshold.toFixed(2)}/image, best F1 ${last.bestF1 ? `${fmt(last.bestF1.f1)} at > ${last.bestF1.threshold.toFixed(3)}` : '–'} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
      );
      log(`    by height: ${bandLine(last.byHeight)}`);
      if (a.out && step < a.steps) await save(step, (performance.now() - t0) / 1000);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  if (a.out) await save(a.steps, seconds);
  trainer.dispose();
  const { hyperparams, results, ...settings } = a;
  void results;
  return {
    ...settings,
    ...hyperparams,
    dataset: data.name,
    params: cost.params,
    macs: cost.macs,
    parts: Object.fromEntries(cost.parts.map((p) => [p.part, { params: p.params, macs: p.macs }])),
    ap50: last?.ap50 ?? null,
    ap: last?.ap ?? null,
    recall20: last?.recall20 ?? null,
    meanAboveThreshold: last?.meanAboveThreshold ?? null,
    bestF1: last?.bestF1 ?? null,
    byHeight: last?.byHeight ?? null,
    seconds,
  };
}

export async function main(args: string[]): Promise<void> {
  const a = parseDetectArgs(args);
  await startBackend(a.backend);
  await emitResult(a.results, await runDetect(a));
}
