/**
 * `npm run pretrain:detect`: trains the Detect lab's two shipped detectors — the transformer-encoder one and the
 * convolutional-encoder one, same backbone, d, L and decoder, fixed seeds — on the built-in street-people scenes
 * (data/detectScenes.ts, 128×256; never on real photos) and writes them to public/models/detect/<slot>.json + .bin,
 * with a manifest (settings, AP@0.5, AP, seconds, machine). First (once, cached) the backbone is pretrained on the scenes'
 * class maps (BACKBONE_PRETRAIN), DETR's ImageNet start made here. Settings: key=value — encoders=transformer,conv (run one
 * per process to use both cores: the manifest merges; run the backbone stage alone first), steps, batch, lr, backboneLr,
 * trainSize, testSize, backend, backbone=<file>; stages=1,2,3 (default all: stage 1 trains from the pretrained backbone,
 * stage 2 fine-tunes that detector with the letterbox augmentation, FINE_TUNE_DETECT, stage 3 with the zoom-in augmentation
 * too, ZOOM_FINE_TUNE; stages=2 or 3 fine-tune the detectors already in outDir), fineTuneSteps, letterbox, zoomSteps,
 * outDir (default public/models/detect); style=classic|realistic (the
 * built-in scenes: classic, the shipped detectors' data, or issue #15's realistic streets — then the backbone is pretrained
 * on the realistic scenes too, into <outDir>/backbone.json unless backbone= says otherwise); backboneSteps, backboneBatch
 * (the backbone stage's length and batch, default BACKBONE_PRETRAIN's).
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { initBackend } from '../../src/engine';
import { isBackendPreference } from '../../src/protocol/backend';
import { parseDetectArgs, runDetect } from './detect';
import { parseBackboneArgs, runBackbonePretrain } from './detectBackbone';

const OUT = 'public/models/detect';
const SLOT_OF: Record<string, string> = { transformer: 'transformer', conv: 'conv' };

/** The shipped architecture and schedule (the lab's defaults where they exist: width 0.5, d 64, L 2, 2 decoder layers, 20 queries). */
export const PRETRAIN_DETECT = {
  width: 0.5,
  d: 64,
  layers: 2,
  heads: 4,
  ffn: 256,
  decLayers: 2,
  decFfn: 256,
  queries: 20,
  batch: 8,
  steps: 4000,
  /** TECHNIQUES.md §4: AdamW lr 1e-4, backbone 1e-5 (×0.1) — the backbone starts pretrained (BACKBONE_PRETRAIN). */
  lr: 1e-4,
  backboneLr: 0.1,
  trainSize: 2000,
  testSize: 200,
  seed: 1,
  dataSeed: 1,
} as const;

/**
 * Stage 0, the stand-in for ImageNet pretraining (engine/detect/backbonePretrain.ts): MobileNetV3-Small trained on the scenes'
 * class maps, once, shared by both detectors (so the encoder comparison starts from the same backbone). Shipped as
 * public/models/detect/backbone.json + .bin, which the lab's runs start from too (pass backbone=<file> to use another; a
 * missing file is trained and written).
 */
export const BACKBONE_PRETRAIN = { steps: 2000, batch: 16, lr: 2e-3 } as const;
const BACKBONE_FILE = `${OUT}/backbone.json`;

/**
 * Stage 2: the stage-1 detector fine-tuned with the letterbox augmentation (DetectBatcher), so that a photo the viewer fits
 * between grey side bars looks like something seen in training (stage 1 never showed a bar, and the detectors put boxes on them).
 * Another sampling seed than stage 1's, so the scenes come in a new order.
 */
export const FINE_TUNE_DETECT = { steps: 4000, letterbox: 0.5, seed: 2 } as const;

/**
 * Stage 3 (2026-11-30): the stage-2 detector fine-tuned with half the images zoomed in 1–2.5× (DetectBatcher's zoom, before the
 * letterbox), so that near people — as photos show them — are common; sampling seed 4. Against the same 2,000 steps without
 * the zoom it doubled the real photos' pooled recall@20 (README, "Stage 3, the zoom fine-tune").
 */
export const ZOOM_FINE_TUNE = { steps: 2000, letterbox: 0.5, zoom: 0.5, seed: 4 } as const;

interface ManifestEntry {
  slot: string;
  encoder: string;
  file: string;
  /** Every stage together. */
  steps: number;
  seed: number;
  fineTune?: { steps: number; seed: number; letterbox: number };
  zoomFineTune?: { steps: number; seed: number; letterbox: number; zoom: number };
  params: number;
  macs: number;
  ap50: number | null;
  ap: number | null;
  recall20: number | null;
  /** The validation score threshold with the best F1 at IoU 0.5 (the viewer's suggestion), and that F1. */
  scoreThreshold: number | null;
  f1: number | null;
  seconds: number;
}

/** The models of the manifest in a folder (none when it is missing or unreadable). */
async function readManifest(dir: string): Promise<ManifestEntry[]> {
  try {
    return (JSON.parse(await readFile(`${dir}/manifest.json`, 'utf8')) as { models?: ManifestEntry[] }).models ?? [];
  } catch {
    return [];
  }
}

export async function main(args: string[]): Promise<void> {
  const kv = new Map(args.map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] as [string, string]));
  const encoders = (kv.get('encoders') ?? 'transformer,conv').split(',').filter(Boolean);
  for (const e of encoders) if (!SLOT_OF[e]) throw new Error(`encoders=${e}: the shipped detectors are ${Object.keys(SLOT_OF).join(', ')}`);
  const backend = kv.get('backend') ?? 'wasm';
  if (!isBackendPreference(backend)) throw new Error(`backend=${backend} is not a backend`);
  const info = await initBackend(backend);
  const settings = { ...PRETRAIN_DETECT } as Record<string, number>;
  for (const k of ['steps', 'batch', 'lr', 'backboneLr', 'trainSize', 'testSize'] as const) if (kv.has(k)) settings[k] = Number(kv.get(k));
  const outDir = kv.get('outDir') ?? OUT;
  await mkdir(outDir, { recursive: true });
  const style = kv.get('style') ?? 'classic';
  if (style !== 'classic' && style !== 'realistic') throw new Error(`style=${style}: the built-in scenes are classic or realistic`);
  const backboneFile = kv.get('backbone') ?? (style === 'classic' ? BACKBONE_FILE : `${outDir}/backbone.json`);
  if (!existsSync(backboneFile)) {
    console.log(`== backbone pretraining (${backboneFile} not found)`);
    const backboneSteps = Number(kv.get('backboneSteps') ?? BACKBONE_PRETRAIN.steps);
    const b = parseBackboneArgs([
      `width=${settings.width}`,
      `steps=${backboneSteps}`,
      `batch=${kv.get('backboneBatch') ?? BACKBONE_PRETRAIN.batch}`,
      `lr=${BACKBONE_PRETRAIN.lr}`,
      `trainSize=${settings.trainSize}`,
      `testSize=${settings.testSize}`,
      `dataSeed=${settings.dataSeed}`,
      `seed=${settings.seed}`,
      `evalEvery=${Math.max(1, Math.round(backboneSteps / 4))}`,
      `out=${backboneFile}`,
      `style=${style}`,
      'origin=npm run pretrain:detect',
    ]);
    const r = await runBackbonePretrain(b, (line) => console.log(`  ${line}`));
    await appendFile('results/detect-backbone.jsonl', JSON.stringify(r) + '\n');
  }
  const stages = (kv.get('stages') ?? '1,2,3').split(',').map(Number);
  for (const st of stages)
    if (st !== 1 && st !== 2 && st !== 3)
      throw new Error(`stages=${kv.get('stages')}: the stages are 1 (from the backbone), 2 (the letterbox fine-tune) and 3 (the zoom fine-tune)`);
  const zoomFineTune = { ...ZOOM_FINE_TUNE, steps: Number(kv.get('zoomSteps') ?? ZOOM_FINE_TUNE.steps) };
  const fineTune = {
    ...FINE_TUNE_DETECT,
    steps: Number(kv.get('fineTuneSteps') ?? FINE_TUNE_DETECT.steps),
    letterbox: Number(kv.get('letterbox') ?? FINE_TUNE_DETECT.letterbox),
  };
  for (const encoder of encoders) {
    const slot = SLOT_OF[encoder]!;
    const out = `${outDir}/${slot}.json`;
    const common = (steps: number, evals = 6) => [
      `encoder=${encoder}`,
      `style=${style}`,
      `evalEvery=${Math.max(1, Math.round(steps / evals))}`,
      'logEvery=50',
      `backend=${backend}`,
      `out=${out}`,
      `results=results/detect-pretrain.jsonl`,
      'origin=npm run pretrain:detect',
    ];
    let r: Record<string, unknown> | null = null;
    let seconds = 0;
    if (stages.includes(1)) {
      const a = parseDetectArgs([...Object.entries(settings).map(([k, v]) => `${k}=${v}`), ...common(settings.steps!), `backbone=${backboneFile}`]);
      console.log(`== ${slot} (${encoder} encoder), stage 1: ${a.steps} steps from the pretrained backbone`);
      r = await runDetect(a, (line) => console.log(`  ${line}`));
      seconds += r.seconds as number;
    }
    if (stages.includes(2)) {
      if (!existsSync(out)) throw new Error(`stage 2 fine-tunes ${out}, which is not there: run stage 1 first`);
      const a = parseDetectArgs([
        ...Object.entries({ ...settings, ...fineTune }).map(([k, v]) => `${k}=${v}`),
        ...common(fineTune.steps),
        `init=${out}`,
        `priorSteps=${settings.steps}`,
      ]);
      console.log(`== ${slot} (${encoder} encoder), stage 2: ${a.steps} more steps from ${out}, letterbox ${a.letterbox}`);
      r = await runDetect(a, (line) => console.log(`  ${line}`));
      seconds += r.seconds as number;
    }
    if (stages.includes(3)) {
      if (!existsSync(out)) throw new Error(`stage 3 fine-tunes ${out}, which is not there: run stages 1 and 2 first`);
      const a = parseDetectArgs([
        ...Object.entries({ ...settings, ...zoomFineTune }).map(([k, v]) => `${k}=${v}`),
        ...common(zoomFineTune.steps, 2),
        `init=${out}`,
        `priorSteps=${settings.steps! + fineTune.steps}`,
      ]);
      console.log(`== ${slot} (${encoder} encoder), stage 3: ${a.steps} more steps from ${out}, zoom ${a.zoom}, letterbox ${a.letterbox}`);
      r = await runDetect(a, (line) => console.log(`  ${line}`));
      seconds += r.seconds as number;
    }
    if (!r) continue;
    // A run of the later stages alone continues the detector in outDir, made by the earlier stages: its entry counts them on.
    const prev = (await readManifest(outDir)).find((m) => m.slot === slot);
    if (!stages.includes(1) && prev) seconds += prev.seconds;
    const last = Math.max(...stages);
    const entry: ManifestEntry = {
      slot,
      encoder,
      file: `${slot}.json`,
      steps: settings.steps! + (last >= 2 ? fineTune.steps : 0) + (last >= 3 ? zoomFineTune.steps : 0),
      seed: settings.seed!,
      ...(last >= 2 ? { fineTune } : {}),
      ...(last >= 3 ? { zoomFineTune } : {}),
      params: r.params as number,
      macs: r.macs as number,
      ap50: r.ap50 as number | null,
      ap: r.ap as number | null,
      recall20: r.recall20 as number | null,
      scoreThreshold: (r.bestF1 as { threshold: number } | null)?.threshold ?? null,
      f1: (r.bestF1 as { f1: number } | null)?.f1 ?? null,
      seconds,
    };
    // Merge into the manifest (another process may be training the other encoder at the same time).
    let models = await readManifest(outDir);
    models = [...models.filter((m) => m.slot !== slot), entry].sort((x, y) => x.slot.localeCompare(y.slot));
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    const manifest = {
      format: 'pdw-detect-zoo',
      createdBy: 'npm run pretrain:detect',
      data: `built-in ${style} street-people scenes 128×256, ${settings.trainSize} train / ${settings.testSize} validation, data seed ${settings.dataSeed}`,
      style,
      backend: info.name,
      machine: `${cpu}, ${os.cpus().length} cores`,
      models,
    };
    await writeFile(`${outDir}/manifest.json`, JSON.stringify(manifest, null, 2) + '\n');
    console.log(`RESULT ${JSON.stringify(entry)}`);
  }
}
