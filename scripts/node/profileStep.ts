/**
 * Per-kernel profile of one training step on wasm (issue #17), and the same step in PyTorch on the same CPU:
 *   npm run bench:profile -- cases=vgg16,resnet18,seg,detect threads=1
 * For each case: the engine's real trainer (ClassifyTrainer, SegTrainer, DetectTrainer) takes `warmup` steps, then `timed`
 * plain steps (the step time), then ONE step with every kernel of the backend timed (src/engine/profile/kernelProfile.ts):
 * per kernel its calls, self ms and share of the step, and the split forward / backward / optimiser (tfjs's 'forward' and
 * 'backward' gradient scopes; what runs after the tape is the update). Cases:
 *   vgg16, resnet18: Train lab defaults (built-in shapes, 32×32, 10 classes, SGD + Nesterov, wd 5e-4), width 1/4, batch 32;
 *   seg: the Segment lab student (bilinear, width 1/2, size low 64×128, batch 8) distilled from the shipped low tutor (the lab's
 *        default chain teacher → tutor → student; `segSource=none` trains on labels alone);
 *   detect: the Detect lab's default model (transformer encoder, backbone w0.5, d 64, 2+2 layers, 4 heads, FFN 4·d, 20 queries,
 *        128×256), batch 8, AdamW + clipping, its two-pass step (probe forward + Hungarian matching, then the gradient pass).
 * Then, when a python with torch is found (`python3`, then /usr/bin/python3), scripts/torch_step.py runs VGG-16 / ResNet-18 at
 * the same width, batch and thread count and the wasm / torch ratio is printed. Writes bench-results/profile.json and .md.
 * tfjs-backend-wasm runs single-threaded in Node (its WASM_HAS_MULTITHREAD_SUPPORT flag is false under IS_NODE), so `threads`
 * sets PyTorch's thread count and compares against the 1-thread wasm step; it defaults to the wasm backend's count.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  ClassifyTrainer,
  DetectTrainer,
  SegTrainer,
  disposeParams,
  generateDetectDataset,
  generateStreetDataset,
  initBackend,
  loadDataset,
  profileKernels,
  segHyperparamsOf,
  type KernelProfile,
  type Phase,
  type SegModel,
} from '../../src/engine';
import { isBackendPreference } from '../../src/protocol/backend';
import { DETECT_INPUT, DETECT_LAB } from '../../src/protocol/labs/detect';
import { SEG_MODEL_WIDTH, SEGMENT_LAB } from '../../src/protocol/labs/segment';
import { TRAIN_LAB } from '../../src/protocol/labs/train';
import { parseKeyValues } from './keyValues';
import { readSegModel } from './segment';

const CASES = ['vgg16', 'resnet18', 'seg', 'detect'] as const;
type CaseName = (typeof CASES)[number];
const KNOWN = new Set(['cases', 'threads', 'warmup', 'timed', 'torch', 'torchSteps', 'top', 'out', 'backend', 'segSource', 'width', 'batch', 'python']);
const CHOICES = { segSource: ['tutor', 'teacher', 'none'] } as const;

/** The phases as the tables name them. */
const PHASE_LABEL: Record<Phase, string> = {
  beforeTape: 'before the tape',
  forward: 'forward',
  backward: 'backward',
  afterTape: 'optimiser (after the tape)',
};

interface Steppable {
  step(): Promise<unknown>;
  dispose(): void;
}

interface BuiltCase {
  description: string;
  params: number;
  trainer: Steppable;
  /** What 'before the tape' is in this case. */
  beforeTape?: string;
  cleanup?: () => void;
}

interface CaseResult {
  case: CaseName;
  description: string;
  params: number;
  warmupSteps: number;
  /** Plain (unprofiled) step times after the warm-up, ms. */
  stepMs: number[];
  meanStepMs: number;
  /** Median of stepMs. */
  medianStepMs: number;
  /** CPU time (user + system, this process) of each timed step, ms: what a busy neighbour on a shared machine inflates least. */
  stepCpuMs: number[];
  medianStepCpuMs: number;
  /** Tensors alive after the profiled step minus before it (0: the step and the profiler leak nothing). */
  profiledStepTensorDelta: number;
  /** The profiled step (kernel wrappers on). */
  profile: KernelProfile;
  beforeTape?: string;
}

interface TorchResult {
  model: string;
  params: number;
  threads: number;
  torch: string;
  msPerStep: number;
  medianMsPerStep: number;
  medianCpuMsPerStep: number;
  forwardMs: number;
  backwardMs: number;
  optimizerMs: number;
  stepMs: number[];
}

async function buildCase(name: CaseName, o: { width: number; batch: number; segSource: string }): Promise<BuiltCase> {
  if (name === 'vgg16' || name === 'resnet18') {
    const config = { ...TRAIN_LAB.defaults(), model: name, width: o.width, batchSize: o.batch, trainSize: 256, testSize: 16 };
    const data = await loadDataset(config, () => undefined);
    const trainer = new ClassifyTrainer(config, data);
    return {
      description: `${name} w${config.width} batch ${config.batchSize}, ${data.height}×${data.width}×3, ${data.classNames.length} classes, SGD Nesterov μ ${config.momentum} wd ${config.weightDecay}`,
      params: trainer.numParams,
      trainer,
    };
  }
  if (name === 'seg') {
    const defaults = SEGMENT_LAB.defaults();
    const data = await generateStreetDataset({ seed: 1, size: 'low', trainSize: 32, testSize: 4 });
    const file = `public/models/segment/low/${o.segSource}.json`;
    let source: SegModel | null = null;
    if (o.segSource !== 'none') {
      if (!existsSync(file)) throw new Error(`segSource=${o.segSource}: ${file} is missing (segSource=none trains on labels alone)`);
      source = await readSegModel(file);
    }
    const trainer = new SegTrainer(
      {
        kind: 'student',
        upscale: 'bilinear',
        width: SEG_MODEL_WIDTH.student,
        seed: 1,
        batchSize: 8,
        totalSteps: 300,
        flip: true,
        hyperparams: segHyperparamsOf(defaults),
        source,
      },
      data,
    );
    return {
      description: `Segment student (bilinear) w${SEG_MODEL_WIDTH.student} batch 8, ${data.height}×${data.width}, ${source ? `distilled from the ${o.segSource} (${file})` : 'labels only'}, SGD μ ${defaults.momentum}`,
      params: trainer.numParams,
      trainer,
      ...(source ? { beforeTape: `the frozen ${o.segSource}'s forward` } : {}),
      cleanup: () => {
        if (source) disposeParams(source.store);
      },
    };
  }
  const c = DETECT_LAB.defaults();
  const data = await generateDetectDataset({ seed: 1, trainSize: 32, testSize: 4 });
  const ffn = c.ffnRatio * c.d;
  const trainer = new DetectTrainer(
    {
      architecture: {
        inputHeight: DETECT_INPUT.height,
        inputWidth: DETECT_INPUT.width,
        widthMultiplier: c.width,
        d: c.d,
        encoder: { kind: c.encoder, layers: c.encoderLayers, heads: c.heads, ffn },
        decoder: { layers: c.decoderLayers, heads: c.heads, ffn, queries: c.queries },
      },
      seed: 1,
      batchSize: c.batchSize,
      flip: c.flip,
      backboneLrMultiplier: c.backboneLr,
      weightDecay: c.weightDecay,
      hyperparams: { lr: c.lr, clip: c.clip },
    },
    data,
  );
  return {
    description: `Detect lab default: ${c.encoder} encoder, backbone w${c.width}, d ${c.d}, ${c.encoderLayers}+${c.decoderLayers} layers, ${c.heads} heads, FFN ${ffn}, ${c.queries} queries, ${data.height}×${data.width}, batch ${c.batchSize}, AdamW + clip ${c.clip}`,
    params: trainer.numParams,
    trainer,
    beforeTape: 'the probe forward (matching pass) and BN-state save/restore',
  };
}

async function runCase(name: CaseName, o: { width: number; batch: number; segSource: string; warmup: number; timed: number }): Promise<CaseResult> {
  const built = await buildCase(name, o);
  try {
    for (let i = 0; i < o.warmup; i++) await built.trainer.step();
    const stepMs: number[] = [];
    const stepCpuMs: number[] = [];
    for (let i = 0; i < o.timed; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await built.trainer.step();
      stepMs.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      stepCpuMs.push((c.user + c.system) / 1000);
    }
    const tensorsBefore = tf.memory().numTensors;
    const { profile } = await profileKernels(() => built.trainer.step());
    const delta = tf.memory().numTensors - tensorsBefore;
    if (delta !== 0) console.warn(`${name}: ${delta} more tensors after the profiled step than before it`);
    return {
      case: name,
      description: built.description,
      params: built.params,
      warmupSteps: o.warmup,
      stepMs,
      meanStepMs: stepMs.length > 0 ? stepMs.reduce((a, b) => a + b, 0) / stepMs.length : profile.wallMs,
      medianStepMs: stepMs.length > 0 ? median(stepMs) : profile.wallMs,
      stepCpuMs,
      medianStepCpuMs: stepCpuMs.length > 0 ? median(stepCpuMs) : NaN,
      profiledStepTensorDelta: delta,
      profile,
      ...(built.beforeTape ? { beforeTape: built.beforeTape } : {}),
    };
  } finally {
    built.trainer.dispose();
    built.cleanup?.();
  }
}

/** The first python that imports torch: `python3`, then /usr/bin/python3 (Debian's python3-torch), or only `given`; null when none does. */
function findTorchPython(given?: string): string | null {
  for (const py of given ? [given] : ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}

function runTorch(py: string, models: string[], o: { width: number; batch: number; threads: number; steps: number; warmup: number }): TorchResult[] {
  const script = path.resolve('scripts/torch_step.py');
  const args = [script, '--models', models.join(','), '--width', String(o.width), '--batch', String(o.batch), '--threads', String(o.threads)];
  args.push('--warmup', String(o.warmup), '--steps', String(o.steps));
  const r = spawnSync(py, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${py} scripts/torch_step.py failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as TorchResult);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** A markdown table (also readable as the console table). */
function table(head: string[], rows: string[][]): string {
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

function phaseTable(r: CaseResult): string {
  const p = r.profile;
  const rows = p.phases.map((s) => [
    PHASE_LABEL[s.phase] + (s.phase === 'beforeTape' && r.beforeTape ? `: ${r.beforeTape}` : ''),
    String(s.calls),
    ms(s.kernelMs),
    ms(s.spanMs),
    pct(s.spanMs / p.wallMs),
  ]);
  rows.push(['outside kernels (engine, JS, data, read-back)', '', ms(p.wallMs - p.kernelMs), '', pct((p.wallMs - p.kernelMs) / p.wallMs)]);
  rows.push(['**step (profiled)**', String(p.phases.reduce((a, s) => a + s.calls, 0)), ms(p.kernelMs), ms(p.wallMs), '100%']);
  return table(['phase', 'kernel calls', 'kernel ms', 'span ms', 'span share'], rows);
}

function kernelTable(r: CaseResult, top: number): string {
  const p = r.profile;
  const phaseMs = (k: KernelProfile['kernels'][number], ph: Phase) => k.byPhase[ph]?.selfMs ?? 0;
  const rows = p.kernels.slice(0, top).map((k) => [
    k.name,
    k.nestedCalls > 0 ? `${k.calls} (${k.nestedCalls} nested)` : String(k.calls),
    ms(k.selfMs),
    pct(k.selfMs / p.wallMs),
    k.inclusiveMs > k.selfMs + 1e-9 ? ms(k.inclusiveMs) : '',
    ms(phaseMs(k, 'beforeTape') + phaseMs(k, 'forward')),
    ms(phaseMs(k, 'backward')),
    ms(phaseMs(k, 'afterTape')),
    Object.entries(k.byCaller)
      .sort((a, b) => b[1].selfMs - a[1].selfMs)
      .map(([caller, c]) => `${caller} ${c.calls}× ${ms(c.selfMs)}`)
      .join(', '),
  ]);
  const rest = p.kernels.slice(top);
  if (rest.length > 0) {
    const restMs = rest.reduce((a, k) => a + k.selfMs, 0);
    rows.push([`(${rest.length} other kernels)`, String(rest.reduce((a, k) => a + k.calls, 0)), ms(restMs), pct(restMs / p.wallMs), '', '', '', '', '']);
  }
  return table(['kernel', 'calls', 'self ms', 'share of step', 'incl. ms', 'fwd ms', 'bwd ms', 'opt ms', 'nested in (calls, self ms)'], rows);
}

function ratioTable(results: CaseResult[], torch: TorchResult[]): string {
  const rows: string[][] = [];
  for (const t of torch) {
    const w = results.find((r) => r.case === t.model);
    if (!w) continue;
    const span = (ph: Phase) => w.profile.phases.find((s) => s.phase === ph)?.spanMs ?? 0;
    rows.push([
      t.model,
      `${w.params} / ${t.params}`,
      ms(w.medianStepMs),
      ms(t.medianMsPerStep),
      `**${(w.medianStepMs / t.medianMsPerStep).toFixed(1)}×**`,
      `${ms(w.medianStepCpuMs)} / ${ms(t.medianCpuMsPerStep)} = **${(w.medianStepCpuMs / t.medianCpuMsPerStep).toFixed(1)}×**`,
      `${ms(span('forward'))} / ${ms(t.forwardMs)}`,
      `${ms(span('backward'))} / ${ms(t.backwardMs)}`,
      `${ms(span('afterTape'))} / ${ms(t.optimizerMs)}`,
    ]);
  }
  return table(
    [
      'network',
      'params wasm / torch',
      'wasm ms/step (median)',
      'torch ms/step (median)',
      'wasm ÷ torch',
      'CPU ms/step wasm / torch (median)',
      'fwd ms wasm (profiled step) / torch (mean)',
      'bwd ms',
      'opt ms',
    ],
    rows,
  );
}

export async function main(args: string[]): Promise<void> {
  const kv = parseKeyValues(args, KNOWN, CHOICES);
  const cases = (kv.get('cases') ?? CASES.join(',')).split(',').map((s) => s.trim());
  for (const c of cases) if (!(CASES as readonly string[]).includes(c)) throw new Error(`cases: "${c}" is not one of ${CASES.join(', ')}`);
  const backendArg = kv.get('backend') ?? 'wasm';
  if (!isBackendPreference(backendArg)) throw new Error(`backend=${backendArg} is not one of auto, webgpu, webgl, wasm, cpu`);
  const o = {
    width: kv.num('width', 1 / 4),
    batch: Math.round(kv.num('batch', 32)),
    segSource: kv.pick('segSource', 'tutor'),
    warmup: Math.round(kv.num('warmup', 2)),
    timed: Math.round(kv.num('timed', 5)),
  };
  const top = Math.round(kv.num('top', 15));
  const outDir = kv.get('out') ?? 'bench-results';

  const info = await initBackend(backendArg);
  const wasmThreads = info.name === 'wasm' ? (info.threads ?? 1) : 1;
  const threads = Math.round(kv.num('threads', wasmThreads));
  const cpus = os.cpus();
  const machine = `${cpus.length}× ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
  const loadStart = os.loadavg();
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
  console.log(`machine: ${machine}; load average ${load(loadStart)}`);
  console.log(
    `backend ${info.name}${info.name === 'wasm' ? ` (SIMD ${info.simd}, ${wasmThreads} thread${wasmThreads === 1 ? '' : 's'}; tfjs-backend-wasm is single-threaded in Node)` : ''}; torch threads ${threads}`,
  );
  if (info.name === 'wasm' && threads !== wasmThreads) console.log(`note: the ratio compares ${wasmThreads}-thread wasm with ${threads}-thread PyTorch`);

  const withTorch = kv.flag('torch', true) && cases.some((c) => c === 'vgg16' || c === 'resnet18');
  const py = withTorch ? findTorchPython(kv.get('python')) : null;
  let torchNote = '';
  if (withTorch && !py) {
    torchNote = `PyTorch not found (${kv.get('python') ?? 'neither `python3` nor /usr/bin/python3'} cannot import torch): comparison skipped`;
    console.log(torchNote);
  }
  const torchOpts = { width: o.width, batch: o.batch, threads, steps: Math.round(kv.num('torchSteps', 5)), warmup: o.warmup };
  const results: CaseResult[] = [];
  const torch: TorchResult[] = [];
  for (const name of cases as CaseName[]) {
    console.log(`\n== ${name}: ${o.warmup} warm-up + ${o.timed} timed steps, then 1 profiled step`);
    const r = await runCase(name, o);
    results.push(r);
    console.log(r.description);
    console.log(
      `${r.params} parameters; step ${ms(r.medianStepMs)} ms median (timed: ${r.stepMs.map(ms).join(', ')}; CPU ${ms(r.medianStepCpuMs)} ms median), profiled step ${ms(r.profile.wallMs)} ms, ${ms(r.profile.kernelMs)} ms in kernels`,
    );
    console.log(phaseTable(r));
    console.log(kernelTable(r, top));
    if (py && (name === 'vgg16' || name === 'resnet18')) {
      // Right after the wasm case, so both see the same neighbours on a shared machine.
      const [t] = runTorch(py, [name], torchOpts);
      if (!t) throw new Error(`scripts/torch_step.py printed no result for ${name}`);
      torch.push(t);
      console.log(
        `PyTorch ${t.torch} (${py}, ${t.threads} thread${t.threads === 1 ? '' : 's'}): ${ms(t.medianMsPerStep)} ms median per step (CPU ${ms(t.medianCpuMsPerStep)} ms), ${t.params} parameters`,
      );
    }
  }
  if (torch.length > 0) {
    torchNote = `PyTorch ${torch[0]!.torch} (${py}), ${threads} thread${threads === 1 ? '' : 's'}, NCHW, same architecture, batch and optimiser, random inputs, run right after the wasm case`;
    console.log(`\n== wasm vs PyTorch (${threads} thread${threads === 1 ? '' : 's'})`);
    console.log(ratioTable(results, torch));
  }

  const when = new Date().toISOString();
  await mkdir(outDir, { recursive: true });
  const json = {
    when,
    machine,
    loadAverage: { start: loadStart, end: os.loadavg() },
    backend: { name: info.name, simd: info.simd ?? null, threads: wasmThreads },
    torchThreads: threads,
    settings: { ...o, cases },
    cases: results,
    torch,
    torchNote,
    ratios: torch.map((t) => {
      const w = results.find((r) => r.case === t.model)!;
      return {
        model: t.model,
        wasmMedianMs: w.medianStepMs,
        torchMedianMs: t.medianMsPerStep,
        ratio: w.medianStepMs / t.medianMsPerStep,
        wasmMedianCpuMs: w.medianStepCpuMs,
        torchMedianCpuMs: t.medianCpuMsPerStep,
        cpuRatio: w.medianStepCpuMs / t.medianCpuMsPerStep,
      };
    }),
  };
  await writeFile(path.join(outDir, 'profile.json'), JSON.stringify(json, null, 1) + '\n');
  const md: string[] = [
    `# Training-step profile (${when})`,
    '',
    `Machine: ${machine}. Backend ${info.name}${info.name === 'wasm' ? `, SIMD ${info.simd}, ${wasmThreads} thread` : ''}. ` +
      `${o.warmup} warm-up steps, ${o.timed} timed steps, then one step with every kernel timed (self time: excluding the kernels it ran). ` +
      `Load average (1, 5, 15 min) ${load(loadStart)} at the start, ${load(os.loadavg())} at the end. Generated by \`npm run bench:profile\`.`,
  ];
  for (const r of results) {
    md.push(
      '',
      `## ${r.case}`,
      '',
      `${r.description}; ${r.params} parameters. Step ${ms(r.medianStepMs)} ms wall (median of ${r.stepMs.length}: ${r.stepMs.map(ms).join(', ')}), ${ms(r.medianStepCpuMs)} ms CPU, profiled ${ms(r.profile.wallMs)} ms.`,
    );
    md.push('', phaseTable(r), '', kernelTable(r, top));
  }
  if (torchNote) md.push('', '## wasm vs PyTorch', '', torchNote + '.', ...(torch.length > 0 ? ['', ratioTable(results, torch)] : []));
  await writeFile(path.join(outDir, 'profile.md'), md.join('\n') + '\n');
  console.log(`\nwrote ${path.join(outDir, 'profile.json')} and profile.md`);
}
