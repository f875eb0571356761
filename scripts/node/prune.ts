/**
 * Headless Prune-lab experiment in Node (wasm by default), TECHNIQUES.md §1:
 *   node scripts/run-node.mjs scripts/node/prune.ts method=rgsm model=vgg16 width=0.0625 steps=200 lambda1=0.01
 * Trains one PruneTrainer on the built-in shapes dataset, prints progress (loss, lr, channel sparsity),
 * and ends with one line `RESULT {json}`: test accuracy on u and on w, channel and weight sparsity, settings.
 * RGSM extras: `bnRecal=8` (alias `bnRecalBatches`; 0 = off; default the lab's) recalibrates BN statistics for u
 * before evaluating it (`accuracyURecal` in the result), `thresholds=per-layer` scales the prox threshold per
 * layer by the initial group norms (ours; `layerScales` and `layerThresholds` in the result).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, generateShapesDataset, pruneOptions, type PruneHyperparams, type PruneSessionOptions, PruneTrainer } from '../../src/engine';
import { isBackendPreference } from '../../src/protocol/backend';
import { PRUNE_LAB } from '../../src/protocol/labs/prune';
import { parseKeyValues } from './keyValues';

/** The live settings' defaults (the Prune lab's spec). */
const DEFAULT_OPTIONS = pruneOptions(PRUNE_LAB.defaults());
const DEFAULT_HYPERPARAMS = DEFAULT_OPTIONS.hyperparams;

const CHOICES = {
  method: ['none', 'gl-penalty', 'gl-prox', 'rgsm'],
  model: ['vgg16', 'resnet18'],
  prox: ['hard', 'soft'],
  grouping: ['input', 'output'],
  schedule: ['step', 'cosine', 'constant'],
  thresholds: ['global', 'per-layer'],
} as const;
const NUMBERS = [
  'width',
  'steps',
  'batch',
  'seed',
  'trainSize',
  'testSize',
  'evalEvery',
  'logEvery',
  'bnRecal',
  'bnRecalBatches',
  ...Object.keys(DEFAULT_HYPERPARAMS),
];
const KNOWN = new Set([...Object.keys(CHOICES), ...NUMBERS, 'augment', 'backend']);

export function parseArgs(args: string[]) {
  const kv = parseKeyValues(args, KNOWN, CHOICES);
  const num = kv.num;
  const pick = kv.pick;
  const hyperparams = Object.fromEntries(Object.entries(DEFAULT_HYPERPARAMS).map(([k, v]) => [k, num(k, v)])) as unknown as PruneHyperparams;
  const steps = Math.round(num('steps', 200));
  const opts: PruneSessionOptions = {
    model: pick('model', 'vgg16'),
    width: num('width', 1 / 16),
    seed: Math.round(num('seed', 1)),
    batchSize: Math.round(num('batch', 32)),
    totalSteps: steps,
    method: pick('method', 'rgsm'),
    prox: pick('prox', 'hard'),
    grouping: pick('grouping', 'input'),
    schedule: pick('schedule', 'step'),
    augment: kv.flag('augment', true),
    bnRecalBatches: Math.round(num('bnRecal', num('bnRecalBatches', DEFAULT_OPTIONS.bnRecalBatches))),
    thresholds: pick('thresholds', 'global'),
    hyperparams,
  };
  const evalEvery = Math.round(num('evalEvery', 50));
  return {
    opts,
    backend: kv.get('backend') ?? 'wasm',
    trainSize: Math.round(num('trainSize', 2000)),
    testSize: Math.round(num('testSize', 500)),
    evalEvery,
    logEvery: Math.round(num('logEvery', Math.min(evalEvery, 10))),
  };
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
/** "73.0% (u, recalibrated BN) " or nothing when recalibration is off. */
export const recalText = (v: number | null) => (v === null ? '' : `${pct(v)} (u, recalibrated BN) `);

/** Per-layer hard thresholds s_l·sqrt(2λ1/β) by layer name (per-layer mode), or null. */
export function layerThresholds(s: { layers: string[]; layerScales: number[] | null; hardThreshold: number }): Record<string, number> | null {
  const scales = s.layerScales;
  return scales ? Object.fromEntries(s.layers.map((name, i) => [name, scales[i]! * s.hardThreshold])) : null;
}

export async function main(args: string[]): Promise<void> {
  const { opts, backend, trainSize, testSize, evalEvery, logEvery } = parseArgs(args);
  if (!isBackendPreference(backend)) throw new Error(`backend=${backend} is not one of auto, webgpu, webgl, wasm, cpu`);
  const info = await initBackend(backend);
  console.log(`backend ${info.name}; options ${JSON.stringify(opts)}; train ${trainSize}, test ${testSize}`);
  const data = await generateShapesDataset({ seed: opts.seed, trainSize, testSize });
  const trainer = new PruneTrainer(opts, data);
  console.log(`${opts.model} width ${opts.width}: ${trainer.numParams} parameters, ${trainer.numLayers} conv layers; method ${opts.method}`);
  const t0 = performance.now();
  for (let step = 1; step <= opts.totalSteps; step++) {
    const r = await trainer.step();
    if (!Number.isFinite(r.loss)) throw new Error(`loss became ${r.loss} at step ${step}`);
    const last = step === opts.totalSteps;
    if (step % logEvery === 0 || last) {
      const s = await trainer.sparsity();
      console.log(
        `step ${step}/${opts.totalSteps} epoch ${trainer.epoch.toFixed(2)} lr ${r.lr.toExponential(2)} loss ${r.loss.toFixed(4)} ` +
          `objective ${r.objective.toFixed(4)} batch acc ${pct(r.accuracy)} channel sparsity ${pct(s.total)} (on ${s.measuredOn}) ` +
          `weight sparsity ${pct(s.weightSparsity)} ${((performance.now() - t0) / 1000).toFixed(1)} s, ${tf.memory().numTensors} tensors`,
      );
    }
    if (step % evalEvery === 0 && !last) {
      const ev = await trainer.evaluate();
      console.log(`  eval step ${step}: test acc ${pct(ev.accuracy)} (u) ${recalText(ev.accuracyURecal)}${pct(ev.accuracyW)} (w)`);
    }
  }
  const ev = await trainer.evaluate();
  const s = await trainer.sparsity();
  const result = {
    method: opts.method,
    model: opts.model,
    width: opts.width,
    steps: opts.totalSteps,
    accuracyU: ev.accuracy,
    accuracyW: ev.accuracyW,
    accuracyURecal: ev.accuracyURecal,
    lossU: ev.loss,
    lossW: ev.lossW,
    lossURecal: ev.lossURecal,
    bnRecalBatches: trainer.bnRecalBatches,
    thresholds: opts.thresholds,
    channelSparsity: s.total,
    weightSparsity: s.weightSparsity,
    layerSparsity: Object.fromEntries(s.layers.map((name, i) => [name, s.layerSparsity[i]])),
    hardThreshold: s.hardThreshold,
    layerScales: s.layerScales ? Object.fromEntries(s.layers.map((name, i) => [name, s.layerScales![i]])) : null,
    layerThresholds: layerThresholds(s),
    measuredOn: s.measuredOn,
    seconds: (performance.now() - t0) / 1000,
    backend: info.name,
    trainSize,
    testSize,
    settings: opts,
  };
  console.log(`RESULT ${JSON.stringify(result)}`);
  trainer.dispose();
}
