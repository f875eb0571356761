/**
 * Issue #12 item 9, the encoder comparison (TECHNIQUES.md §4): encoders none / transformer / conv / dwconv at the shipped
 * architecture (PRETRAIN_DETECT: width 0.5, d 64, L 2, 2 decoder layers, 20 queries, batch 8, AdamW lr 1e-4, backbone ×0.1),
 * each from the shipped pretrained backbone, on the built-in scenes (data seed 1), for every seed; one JSON line per run
 * (the RESULT of detect.ts plus the measured batch-1 latency) appended to `out`, so an interrupted sweep resumes:
 *   node scripts/run-node.mjs scripts/node/detectCompare.ts encoders=none,dwconv,conv,transformer seeds=1,2,3 steps=1000 \
 *     out=results/detect-compare.jsonl [latencyRuns=20] [backbone=public/models/detect/backbone.json] [key=value for detect.ts]
 * Runs already in `out` (same encoder, seed and steps) are skipped. Latency is the median of `latencyRuns` eval-mode forwards
 * of one 128×256 image after training, on this process's backend; on a shared machine it carries the other processes' load,
 * so the README's latency column comes from a separate quiet run (`steps=0`).
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  DETECT_ENCODERS,
  buildDetector,
  detectArchitecture,
  detectCost,
  disposeParams,
  measureDetectLatency,
  type DetectEncoderKind,
  type DetectModel,
} from '../../src/engine';
import { architectureOptions, parseDetectArgs, runDetect } from './detect';
import { PRETRAIN_DETECT } from './pretrainDetect';
import { emitResult, startBackend } from './scriptIO';

const OWN = ['encoders', 'seeds', 'out', 'latencyRuns'];

/** A fresh detector with this encoder at the shipped architecture. */
function buildFor(encoder: DetectEncoderKind): DetectModel {
  return buildDetector(detectArchitecture(architectureOptions({ ...PRETRAIN_DETECT, encoder })), 1);
}

/** Latency of a fresh detector with this encoder (weights do not change the time). */
async function encoderLatency(encoder: DetectEncoderKind, runs: number): Promise<{ ms: number; params: number; macs: number }> {
  const model = buildFor(encoder);
  try {
    const c = detectCost(model);
    return { ms: (await measureDetectLatency(model, { warmup: 3, runs })).msPerBatch, params: c.params, macs: c.macs };
  } finally {
    disposeParams(model.store);
  }
}

export async function main(args: string[]): Promise<void> {
  const own = new Map<string, string>();
  const rest: string[] = [];
  for (const a of args) {
    const k = a.slice(0, a.indexOf('='));
    if (OWN.includes(k)) own.set(k, a.slice(a.indexOf('=') + 1));
    else rest.push(a);
  }
  const encoders = (own.get('encoders') ?? DETECT_ENCODERS.join(',')).split(',').filter(Boolean) as DetectEncoderKind[];
  for (const e of encoders) if (!DETECT_ENCODERS.includes(e)) throw new Error(`encoders=${e}: the encoders are ${DETECT_ENCODERS.join(', ')}`);
  const seeds = (own.get('seeds') ?? '1,2,3').split(',').map(Number);
  const out = own.get('out') ?? 'results/detect-compare.jsonl';
  const latencyRuns = Number(own.get('latencyRuns') ?? 20);
  const s = PRETRAIN_DETECT;
  const base = [
    `width=${s.width}`,
    `d=${s.d}`,
    `layers=${s.layers}`,
    `heads=${s.heads}`,
    `ffn=${s.ffn}`,
    `decLayers=${s.decLayers}`,
    `decFfn=${s.decFfn}`,
    `queries=${s.queries}`,
    `batch=${s.batch}`,
    `lr=${s.lr}`,
    `backboneLr=${s.backboneLr}`,
    `trainSize=${s.trainSize}`,
    `testSize=${s.testSize}`,
    `dataSeed=${s.dataSeed}`,
    'backbone=public/models/detect/backbone.json',
  ];
  const first = parseDetectArgs([...base, ...rest]);
  await startBackend(first.backend);
  if (first.steps === 0) {
    // Latency only (a quiet machine): one line per encoder, nothing trained.
    for (const e of encoders) {
      const l = await encoderLatency(e, latencyRuns);
      console.log(`${e}: ${l.params} params, ${(l.macs / 1e6).toFixed(1)} M MACs, batch-1 latency ${l.ms.toFixed(1)} ms (${first.backend})`);
    }
    return;
  }
  const done = new Set(
    existsSync(out)
      ? readFileSync(out, 'utf8')
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => {
            const r = JSON.parse(l) as { encoder: string; seed: number; steps: number };
            return `${r.encoder}/${r.seed}/${r.steps}`;
          })
      : [],
  );
  // Seed-major order: a sweep cut short still has every encoder at the first seeds.
  for (const seed of seeds)
    for (const encoder of encoders) {
      const a = parseDetectArgs([...base, ...rest, `encoder=${encoder}`, `seed=${seed}`]);
      if (done.has(`${encoder}/${seed}/${a.steps}`)) {
        console.log(`== ${encoder} seed ${seed}: in ${out}, skipped`);
        continue;
      }
      console.log(`== ${encoder} seed ${seed}, ${a.steps} steps`);
      const result = await runDetect({ ...a, results: undefined }, (line) => console.log(`  ${line}`));
      await emitResult(out, { ...result, latencyMs: (await encoderLatency(encoder, latencyRuns)).ms, latencyRuns });
    }
}
