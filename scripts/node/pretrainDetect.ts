/**
 * `npm run pretrain:detect`: trains the Detect lab's two shipped detectors — the transformer-encoder one and the
 * convolutional-encoder one, same backbone, d, L and decoder, fixed seeds — on the built-in street-people scenes
 * (data/detectScenes.ts, 128×256; never on real photos) and writes them to public/models/detect/<slot>.json + .bin,
 * with a manifest (settings, AP@0.5, AP, seconds, machine). Settings: key=value — encoders=transformer,conv (run one per
 * process to use both cores: the manifest merges), steps, batch, lr, trainSize, backend.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { initBackend } from '../../src/engine';
import { isBackendPreference } from '../../src/protocol/backend';
import { parseDetectArgs, runDetect } from './detect';

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
  steps: 2000,
  lr: 1e-3,
  /** The backbone is trained from scratch here (no ImageNet weights), so it learns at the full lr, not DETR's ×0.1. */
  backboneLr: 1,
  trainSize: 2000,
  testSize: 200,
  seed: 1,
  dataSeed: 1,
} as const;

interface ManifestEntry {
  slot: string;
  encoder: string;
  file: string;
  steps: number;
  seed: number;
  params: number;
  macs: number;
  ap50: number | null;
  ap: number | null;
  recall20: number | null;
  seconds: number;
}

export async function main(args: string[]): Promise<void> {
  const kv = new Map(args.map((a) => a.split('=') as [string, string]));
  const encoders = (kv.get('encoders') ?? 'transformer,conv').split(',');
  for (const e of encoders) if (!SLOT_OF[e]) throw new Error(`encoders=${e}: the shipped detectors are ${Object.keys(SLOT_OF).join(', ')}`);
  const backend = kv.get('backend') ?? 'wasm';
  if (!isBackendPreference(backend)) throw new Error(`backend=${backend} is not a backend`);
  const info = await initBackend(backend);
  const settings = { ...PRETRAIN_DETECT } as Record<string, number>;
  for (const k of ['steps', 'batch', 'lr', 'backboneLr', 'trainSize', 'testSize'] as const) if (kv.has(k)) settings[k] = Number(kv.get(k));
  await mkdir(OUT, { recursive: true });
  for (const encoder of encoders) {
    const slot = SLOT_OF[encoder]!;
    const steps = settings.steps!;
    const a = parseDetectArgs([
      ...Object.entries(settings).map(([k, v]) => `${k}=${v}`),
      `encoder=${encoder}`,
      `evalEvery=${Math.max(1, Math.round(steps / 6))}`,
      'logEvery=50',
      `backend=${backend}`,
      `out=${OUT}/${slot}.json`,
      `results=results/detect-pretrain.jsonl`,
      'origin=npm run pretrain:detect',
    ]);
    console.log(`== ${slot} (${encoder} encoder)`);
    const r = await runDetect(a, (line) => console.log(`  ${line}`));
    const entry: ManifestEntry = {
      slot,
      encoder,
      file: `${slot}.json`,
      steps: a.steps,
      seed: a.seed,
      params: r.params as number,
      macs: r.macs as number,
      ap50: r.ap50 as number | null,
      ap: r.ap as number | null,
      recall20: r.recall20 as number | null,
      seconds: r.seconds as number,
    };
    // Merge into the manifest (another process may be training the other encoder at the same time).
    let models: ManifestEntry[] = [];
    try {
      models = (JSON.parse(await readFile(`${OUT}/manifest.json`, 'utf8')) as { models: ManifestEntry[] }).models ?? [];
    } catch {
      models = [];
    }
    models = [...models.filter((m) => m.slot !== slot), entry].sort((x, y) => x.slot.localeCompare(y.slot));
    const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
    const manifest = {
      format: 'pdw-detect-zoo',
      createdBy: 'npm run pretrain:detect',
      data: `built-in street-people scenes 128×256, ${settings.trainSize} train / ${settings.testSize} validation, data seed ${settings.dataSeed}`,
      backend: info.name,
      machine: `${cpu}, ${os.cpus().length} cores`,
      models,
    };
    await writeFile(`${OUT}/manifest.json`, JSON.stringify(manifest, null, 2) + '\n');
    console.log(`RESULT ${JSON.stringify(entry)}`);
  }
}
