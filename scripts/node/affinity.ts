/**
 * One Affinity-lab run headless (TECHNIQUES.md §3), on wasm in Node by default: a teacher on labels, or
 * a student distilled from a teacher file with KD + FA/FFA + CE. Settings are the lab's own (its spec's
 * defaults, key=value to change any), plus teacher=<file.json> (its .bin beside it), out=<file.json> to
 * save the trained network, logEvery, backend. Ends with a `RESULT {json}` line.
 *
 *   npm run pretrain:affinity      (the shipped teacher: public/models/affinity/teacher.json)
 *   node scripts/run-node.mjs scripts/node/affinity.ts role=student teacher=public/models/affinity/teacher.json lossType=ffa steps=600
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  AffinityTrainer,
  affinityTrainerOptions,
  affinityNetCost,
  disposeParams,
  initBackend,
  loadAffinityNet,
  loadDataset,
  serializeAffinityNet,
  type AffinityNet,
} from '../../src/engine';
import { isBackendPreference } from '../../src/protocol/backend';
import { AFFINITY_LAB } from '../../src/protocol/labs/affinity';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

export interface AffinityRunResult {
  role: string;
  lossType: string;
  order: string;
  k: number;
  steps: number;
  seed: number;
  testAccuracy: number;
  teacherAccuracy: number | null;
  params: number;
  macs: number;
  seconds: number;
  msPerStep: number;
}

/** Run one config; `log` gets progress lines. */
export async function runAffinity(args: string[], log: (line: string) => void): Promise<AffinityRunResult> {
  const kv = new Map(args.map((a) => a.split('=') as [string, string]));
  const extra = ['teacher', 'out', 'logEvery', 'backend', 'origin'];
  const { config, issues } = AFFINITY_LAB.normalize(Object.fromEntries([...kv].filter(([k]) => !extra.includes(k))));
  if (issues.length > 0) throw new Error(issues.join(' '));
  const logEvery = Number(kv.get('logEvery') ?? 50);
  let teacher: AffinityNet | null = null;
  let teacherAccuracy: number | null = null;
  const teacherFile = kv.get('teacher');
  if (config.role === 'student' && teacherFile) {
    const json = JSON.parse(await readFile(teacherFile, 'utf8'));
    const bin = await readFile(teacherFile.replace(/\.json$/, '.bin'));
    const loaded = loadAffinityNet(json, bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer);
    teacher = loaded.net;
    teacherAccuracy = typeof loaded.provenance.testAccuracy === 'number' ? loaded.provenance.testAccuracy : null;
  }
  const data = await loadDataset(config, () => undefined);
  const trainer = new AffinityTrainer(affinityTrainerOptions(config, teacher), data);
  const t0 = performance.now();
  let stepMs = 0;
  let ev = { accuracy: NaN, loss: NaN };
  for (let step = 1; step <= config.steps; step++) {
    const s0 = performance.now();
    const r = await trainer.step();
    stepMs += performance.now() - s0;
    if (!Number.isFinite(r.loss)) throw new Error(`The loss became ${r.loss} at step ${step}: lower the learning rate.`);
    if (step % logEvery === 0 || step === config.steps)
      log(
        `step ${step}/${config.steps} loss ${r.loss.toFixed(4)} (ce ${r.ce.toFixed(4)} kd ${r.kd.toFixed(4)} fa ${r.fa.toFixed(4)}) acc ${pct(r.accuracy)} lr ${r.lr.toExponential(2)}`,
      );
    if (step % config.evalEvery === 0 || step === config.steps) {
      ev = await trainer.evaluate();
      log(`  eval step ${step}: test acc ${pct(ev.accuracy)}, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const cost = affinityNetCost(trainer.model.architecture);
  const out = kv.get('out');
  if (out) {
    const net = trainer.releaseModel();
    const { json, weights } = await serializeAffinityNet(net, {
      role: config.role,
      dataset: config.dataset,
      datasetName: data.name,
      classNames: [...data.classNames],
      testAccuracy: ev.accuracy,
      steps: config.steps,
      seed: config.seed,
      lossType: config.lossType,
      seconds,
      origin: kv.get('origin') ?? 'scripts/node/affinity.ts',
      machine: `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores`,
    });
    await mkdir(path.dirname(out), { recursive: true });
    await writeFile(out, JSON.stringify(json));
    await writeFile(out.replace(/\.json$/, '.bin'), new Uint8Array(weights));
    disposeParams(net.store);
    log(`wrote ${out}`);
  } else trainer.dispose();
  if (teacher) disposeParams(teacher.store);
  return {
    role: config.role,
    lossType: teacher ? config.lossType : 'none',
    order: config.order,
    k: config.k,
    steps: config.steps,
    seed: config.seed,
    testAccuracy: ev.accuracy,
    teacherAccuracy,
    params: cost.params,
    macs: cost.macs,
    seconds,
    msPerStep: stepMs / config.steps,
  };
}

export async function main(args: string[]): Promise<void> {
  const backend = args.find((a) => a.startsWith('backend='))?.slice(8) ?? 'wasm';
  if (!isBackendPreference(backend)) throw new Error(`backend=${backend} is not a backend`);
  const info = await initBackend(backend);
  console.log(`backend ${info.name}${info.simd !== undefined ? ` (SIMD ${info.simd}, ${info.threads ?? 1} thread)` : ''}`);
  const r = await runAffinity(args, (line) => console.log(line));
  console.log(`RESULT ${JSON.stringify(r)}`);
}
