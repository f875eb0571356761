/**
 * Run a list of Prune-lab configurations (TECHNIQUES.md §1) one after another in one process and
 * append every result as one JSON line to a file, so partial results survive an interruption:
 *   node scripts/run-node.mjs scripts/node/pruneCompare.ts config=results/sweep-w16.json out=results/sweep-w16.jsonl [key=value …]
 * The config file is JSON: either an array of runs, or { "defaults": {…}, "runs": [{…}, …] }. A run is
 * an object of the same key=value settings that prune.ts takes (method, model, width, steps, batch, seed,
 * trainSize, testSize, lr, lambda1, lambda2, beta, lambdaGL, schedule, augment, …) plus an optional
 * "label". Precedence: the run's own keys, then extra key=value arguments on the command line, then the
 * file's defaults. `runs=[…]` (inline JSON) may replace `config=`. `only=label1,label2` picks runs by
 * label; `skipDone=true` skips runs whose label already has a line in `out`. Datasets are generated once
 * per (seed, trainSize, testSize) and reused.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type ImageDataset, generateShapesDataset, channelSparsity, PruneTrainer } from '../../src/engine';
import { isBackendPreference } from '../../src/protocol/backend';
import { layerThresholds, parseArgs, recalText } from './prune';

type RunSpec = Record<string, string | number | boolean>;

/** Norm levels at which we also count "small" groups, to show shrinking that never reaches exact zero. */
const NORM_LEVELS = [1e-15, 1e-8, 1e-4, 1e-3, 1e-2, 1e-1] as const;

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

function loadRuns(cli: Map<string, string>): { label: string; spec: RunSpec }[] {
  let doc: unknown;
  if (cli.has('runs')) doc = JSON.parse(cli.get('runs')!);
  else if (cli.has('config')) doc = JSON.parse(readFileSync(cli.get('config')!, 'utf8'));
  else throw new Error('give config=<file.json> or runs=<inline JSON array>');
  const defaults: RunSpec = Array.isArray(doc) ? {} : ((doc as { defaults?: RunSpec }).defaults ?? {});
  const runs: RunSpec[] = Array.isArray(doc) ? doc : (doc as { runs: RunSpec[] }).runs;
  if (!Array.isArray(runs) || runs.length === 0) throw new Error('the config has no runs');
  const overrides: RunSpec = {};
  for (const [k, v] of cli) if (!['config', 'runs', 'out', 'only', 'skipDone'].includes(k)) overrides[k] = v;
  return runs.map((r, i) => {
    const spec: RunSpec = { ...defaults, ...overrides, ...r };
    const label = String(spec.label ?? `run${i + 1}`);
    delete spec.label;
    return { label, spec };
  });
}

/** Share of groups with ‖w_g‖₂ below each level, over all conv kernels (norms from channelSparsity). */
function normProfile(norms: Float32Array[]): { below: Record<string, number>; minNorm: number; medianNorm: number } {
  const all = Float32Array.from(norms.flatMap((n) => [...n])).sort();
  const below: Record<string, number> = {};
  for (const level of NORM_LEVELS) {
    let c = 0;
    for (const v of all) if (v < level) c++;
    below[level.toExponential(0)] = all.length ? c / all.length : 0;
  }
  const positive = all.filter((v) => v > 0);
  return { below, minNorm: positive.length ? positive[0]! : 0, medianNorm: all.length ? all[Math.floor(all.length / 2)]! : 0 };
}

export async function main(args: string[]): Promise<void> {
  const cli = new Map<string, string>();
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq < 1) throw new Error(`argument "${a}" is not key=value`);
    cli.set(a.slice(0, eq), a.slice(eq + 1));
  }
  const out = cli.get('out') ?? 'results/prune-compare.jsonl';
  mkdirSync(path.dirname(out), { recursive: true });
  let runs = loadRuns(cli);
  if (cli.has('only')) {
    const only = new Set(cli.get('only')!.split(','));
    runs = runs.filter((r) => only.has(r.label));
  }
  if (cli.get('skipDone') === 'true' && existsSync(out)) {
    const done = new Set(
      readFileSync(out, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => (JSON.parse(l) as { label: string }).label),
    );
    runs = runs.filter((r) => !done.has(r.label));
  }
  const parsed = runs.map(({ label, spec }) => ({ label, ...parseArgs(Object.entries(spec).map(([k, v]) => `${k}=${v}`)) }));
  const backends = new Set(parsed.map((p) => p.backend));
  if (backends.size > 1) throw new Error(`all runs must use one backend, got ${[...backends].join(', ')}`);
  const backend = [...backends][0] ?? 'wasm';
  if (!isBackendPreference(backend)) throw new Error(`backend=${backend} is not one of auto, webgpu, webgl, wasm, cpu`);
  const info = await initBackend(backend);
  console.log(`backend ${info.name}; ${parsed.length} runs → ${out}`);

  const datasets = new Map<string, ImageDataset>();
  for (const [index, p] of parsed.entries()) {
    const { opts, trainSize, testSize, evalEvery, logEvery, label } = p;
    const key = `${opts.seed}/${trainSize}/${testSize}`;
    if (!datasets.has(key)) datasets.set(key, await generateShapesDataset({ seed: opts.seed, trainSize, testSize }));
    const data = datasets.get(key)!;
    const trainer = new PruneTrainer(opts, data);
    const hp = opts.hyperparams;
    console.log(
      `[${index + 1}/${parsed.length}] ${label}: ${opts.model} width ${opts.width} ${trainer.numParams} params; method ${opts.method} ` +
        `λ1 ${hp.lambda1} λ2 ${hp.lambda2} β ${hp.beta} λGL ${hp.lambdaGL} lr ${hp.lr} (${opts.schedule}) batch ${opts.batchSize} steps ${opts.totalSteps} seed ${opts.seed}`,
    );
    const t0 = performance.now();
    const curve: { step: number; accuracyU: number; accuracyW: number; accuracyURecal: number | null; channelSparsity: number }[] = [];
    let lastLoss = NaN;
    for (let step = 1; step <= opts.totalSteps; step++) {
      const r = await trainer.step();
      lastLoss = r.loss;
      if (!Number.isFinite(r.loss)) {
        console.log(`  loss became ${r.loss} at step ${step}; stopping this run`);
        break;
      }
      const last = step === opts.totalSteps;
      if (step % logEvery === 0 || last) {
        const s = await trainer.sparsity();
        const prof = normProfile(s.norms);
        console.log(
          `  step ${step} lr ${r.lr.toExponential(1)} loss ${r.loss.toFixed(3)} obj ${r.objective.toFixed(3)} batch acc ${pct(r.accuracy)} ` +
            `chan sp ${pct(s.total)} (on ${s.measuredOn}; <1e-4 ${pct(prof.below['1e-4']!)}, <1e-2 ${pct(prof.below['1e-2']!)}, <1e-1 ${pct(prof.below['1e-1']!)}; median ‖w_g‖ ${prof.medianNorm.toFixed(3)}) ` +
            `${((performance.now() - t0) / 1000).toFixed(0)} s`,
        );
      }
      if (evalEvery > 0 && step % evalEvery === 0 && !last) {
        const ev = await trainer.evaluate();
        const s = await trainer.sparsity();
        curve.push({ step, accuracyU: ev.accuracy, accuracyW: ev.accuracyW, accuracyURecal: ev.accuracyURecal, channelSparsity: s.total });
        console.log(`  eval step ${step}: test acc ${pct(ev.accuracy)} (u) ${recalText(ev.accuracyURecal)}${pct(ev.accuracyW)} (w)`);
      }
    }
    const trainSeconds = (performance.now() - t0) / 1000;
    const ev = await trainer.evaluate();
    const s = await trainer.sparsity();
    // Sparsity of the dense w too (equal to s for the baselines; for RGSM, w is only near-sparse).
    const sw = trainer.rgsm
      ? await channelSparsity(
          [...trainer.kernels].map(([name, kernel]) => ({ name, kernel })),
          opts.grouping,
          hp.zeroThreshold,
        )
      : s;
    const result = {
      label,
      method: opts.method,
      model: opts.model,
      width: opts.width,
      steps: trainer.stepCount,
      batch: opts.batchSize,
      seed: opts.seed,
      lr: hp.lr,
      schedule: opts.schedule,
      lambda1: hp.lambda1,
      lambda2: hp.lambda2,
      beta: hp.beta,
      lambdaGL: hp.lambdaGL,
      prox: opts.prox,
      grouping: opts.grouping,
      augment: opts.augment,
      bnRecalBatches: trainer.bnRecalBatches,
      thresholds: opts.thresholds,
      trainSize,
      testSize,
      params: trainer.numParams,
      accuracyU: ev.accuracy,
      accuracyW: ev.accuracyW,
      accuracyURecal: ev.accuracyURecal,
      lossU: ev.loss,
      lossW: ev.lossW,
      lossURecal: ev.lossURecal,
      finalTrainLoss: lastLoss,
      channelSparsity: s.total,
      zeroGroups: s.zeroGroups.reduce((a, b) => a + b, 0),
      groups: s.groups.reduce((a, b) => a + b, 0),
      weightSparsity: s.weightSparsity,
      measuredOn: s.measuredOn,
      zeroThreshold: hp.zeroThreshold,
      layerSparsity: Object.fromEntries(s.layers.map((name, i) => [name, s.layerSparsity[i]])),
      layerGroups: Object.fromEntries(s.layers.map((name, i) => [name, s.groups[i]])),
      normProfile: normProfile(s.norms),
      channelSparsityW: sw.total,
      normProfileW: normProfile(sw.norms),
      hardThreshold: s.hardThreshold,
      layerScales: s.layerScales ? Object.fromEntries(s.layers.map((name, i) => [name, s.layerScales![i]])) : null,
      layerThresholds: layerThresholds(s),
      curve,
      trainSeconds,
      seconds: (performance.now() - t0) / 1000,
      imagesPerSecond: (trainer.stepCount * trainer.batchSize) / trainSeconds,
      backend: info.name,
      settings: opts,
      date: new Date().toISOString(),
    };
    appendFileSync(out, `${JSON.stringify(result)}\n`);
    console.log(
      `RESULT ${label}: acc u ${pct(result.accuracyU)}${result.accuracyURecal === null ? '' : ` u+recal ${pct(result.accuracyURecal)}`} w ${pct(result.accuracyW)}; channel sparsity ${pct(result.channelSparsity)} ` +
        `(${result.zeroGroups}/${result.groups}), weight sparsity ${pct(result.weightSparsity)}; ${result.seconds.toFixed(0)} s, ` +
        `${result.imagesPerSecond.toFixed(0)} img/s; ${tf.memory().numTensors} tensors`,
    );
    trainer.dispose();
  }
}
