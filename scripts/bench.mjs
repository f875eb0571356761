// `npm run bench`: backend peak (matMul), VGG-16 training throughput per backend, and the main-thread
// responsiveness of each lab of the real app during a run on wasm (scripts/benchLabs.mjs), in headless Chromium against `vite preview` of dist/.
// Prints a table and writes bench-results/bench.json. A benchmark, not a test: it never fails on numbers.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { LAB_CASES, LONG_TASK_MS, benchLab, printLabs } from './benchLabs.mjs';

const PORT = Number(process.env.BENCH_PORT ?? 4319);
const BASE = `http://localhost:${PORT}`;
const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
// wasm-nothreads: wasm with WebAssembly threads switched off (the page itself is cross-origin isolated); wasm-t<N>: N XNNPACK threads.
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'wasm,wasm-nothreads,webgpu,webgl,cpu').split(',').filter(Boolean);
/** Each case with its own time limit; a case past it is recorded as failed and the page is replaced. */
const CASES = [
  { label: 'matmul', timeoutMs: 120_000, spec: { kind: 'matmul', n: 1024, runs: 3 } },
  { label: 'vgg16 w1/16', timeoutMs: 180_000, spec: { kind: 'train', model: 'vgg16', width: 1 / 16, batchSize: 32, timedSteps: 3 } },
  { label: 'vgg16 w1/4', timeoutMs: 300_000, spec: { kind: 'train', model: 'vgg16', width: 1 / 4, batchSize: 32, timedSteps: 2 } },
  { label: 'resnet18 w1/4', timeoutMs: 300_000, spec: { kind: 'train', model: 'resnet18', width: 1 / 4, batchSize: 32, timedSteps: 1 } },
  // Prune lab: RGSM overhead and compact-model speed-up (the software GPU adapters only at width 1/16: minutes per step otherwise).
  { label: 'prune vgg16 w1/4', timeoutMs: 600_000, only: ['wasm'], spec: { kind: 'prune', model: 'vgg16', width: 1 / 4, batchSize: 32, timedSteps: 3 } },
  { label: 'prune resnet18 w1/4', timeoutMs: 600_000, only: ['wasm'], spec: { kind: 'prune', model: 'resnet18', width: 1 / 4, batchSize: 32, timedSteps: 3 } },
  {
    label: 'prune vgg16 w1/16',
    timeoutMs: 600_000,
    only: ['wasm', 'webgpu'],
    spec: { kind: 'prune', model: 'vgg16', width: 1 / 16, batchSize: 32, timedSteps: 3 },
  },
  // Segment lab: each model's inference ms/image and training ms/step (batch 8) at the low input size
  // (one case per model, so the software GPU adapters' minutes per step keep what finished).
  ...['teacher', 'teacher-w2', 'tutor', 'student-bilinear', 'student-pixelshuffle'].map((model) => ({
    label: `segment low ${model}`,
    timeoutMs: 600_000,
    only: ['wasm', 'webgpu', 'webgl'],
    spec: { kind: 'segment', size: 'low', batchSize: 8, timedSteps: 2, inferenceRuns: 3, model },
  })),
  // Affinity lab: FA vs FFA(k=15) loss alone at N = 32², and a student step (w1/4, batch 32) with KD only, KD+FA, KD+FFA.
  {
    label: 'affinity N=32²',
    timeoutMs: 600_000,
    only: ['wasm', 'webgpu'],
    spec: { kind: 'affinity', side: 32, k: 15, width: 1 / 4, batchSize: 32, timedSteps: 2 },
  },
  // Detect lab: per encoder kind at the shipped architecture, batch-1 inference (target < 50 ms on wasm) and a training step (batch 8).
  ...['transformer', 'conv', 'dwconv', 'none'].map((encoder) => ({
    label: `detect ${encoder}`,
    timeoutMs: 600_000,
    only: ['wasm', 'webgpu'],
    spec: { kind: 'detect', encoder, batchSize: 8, timedSteps: 2, inferenceRuns: 5 },
  })),
];
// BENCH_CASES=prune runs only the cases whose label contains one of the comma-separated words; BENCH_APP=0 skips the app runs,
// BENCH_LABS=prune,train runs only those labs' responsiveness cases; BENCH_DIST=/tmp/x serves that build instead of dist/;
// BENCH_OUT=file writes the report there instead of bench-results/bench.json.
const CASE_FILTER = (process.env.BENCH_CASES ?? '').split(',').filter(Boolean);
const RUN_APP = process.env.BENCH_APP !== '0';
const LAB_FILTER = (process.env.BENCH_LABS ?? '').split(',').filter(Boolean);
const OUT_FILE = process.env.BENCH_OUT ?? 'bench-results/bench.json';
const DIST_ARGS = process.env.BENCH_DIST ? ['--outDir', process.env.BENCH_DIST] : [];

const t0 = performance.now();
const log = (msg) => console.log(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${msg}`);
const errText = (e) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/** Start `vite preview` in its own process group and wait until it answers. */
async function startPreview() {
  const child = spawn('npx', ['vite', 'preview', '--port', String(PORT), '--strictPort', ...DIST_ARGS], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`vite preview exited (${child.exitCode}): ${output}`);
    try {
      if ((await fetch(`${BASE}/bench.html`)).ok) return child;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`vite preview did not answer on ${BASE} within 60 s: ${output}`);
}

function stopPreview(child) {
  if (child?.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
}

/** Reject after `ms` with a readable message (the work itself is abandoned by closing its page). */
function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A fresh context + bench page (fresh GPU device, fresh tfjs) with console warnings collected. */
async function openBenchPage(browser, notes) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('console', (m) => (m.type() === 'warning' || m.type() === 'error') && notes.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => notes.push(`pageerror: ${errText(e)}`));
  page.on('crash', () => notes.push('page crashed'));
  await page.goto(`${BASE}/bench.html`);
  await page.waitForFunction(() => typeof window.__runBench === 'function', null, { timeout: 30_000 });
  return { context, page };
}

/** All cases on one backend, one page for the backend (replaced only after a timeout). */
async function benchBackend(browser, backend) {
  const out = { backend, adapter: null, cases: {}, notes: [] };
  let session = null;
  for (const c of CASES) {
    if (c.only && !c.only.includes(backend)) continue;
    if (CASE_FILTER.length && !CASE_FILTER.some((w) => c.label.includes(w))) continue;
    const started = performance.now();
    try {
      session ??= await openBenchPage(browser, out.notes);
      const run = session.page.evaluate(([b, spec]) => window.__runBench(b, [spec]), [backend, c.spec]);
      run.catch(() => undefined);
      const res = await withTimeout(run, c.timeoutMs, `${backend} ${c.label}`);
      out.adapter = res.adapter;
      out.cases[c.label] = { ok: true, ...res.results[0] };
      log(`${backend} ${c.label}: ok in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (e) {
      out.cases[c.label] = { ok: false, error: errText(e) };
      log(`${backend} ${c.label}: FAILED: ${errText(e)}`);
      await session?.context.close().catch(() => undefined);
      session = null;
    }
  }
  await session?.context.close().catch(() => undefined);
  return out;
}

const fmt = (v, digits = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—');

function printTable(rows) {
  const header = [
    'backend',
    'adapter',
    'software?',
    'matMul GFLOP/s',
    'VGG-16 w1/16 img/s',
    'VGG-16 w1/4 img/s',
    'ResNet-18 w1/4 img/s',
    'ms/step (VGG w1/16 | w1/4 | ResNet w1/4)',
  ];
  const cell = (c, key, f) => (c.cases[key] === undefined ? '—' : c.cases[key].ok ? f(c.cases[key]) : 'FAILED');
  const adapterText = (a) => {
    const base = [a.vendor, a.architecture || a.description].filter(Boolean).join(' / ') || '—';
    return a.threads !== undefined ? `${base} (SIMD ${a.simd ? 'on' : 'off'}, ${a.threads} thread${a.threads === 1 ? '' : 's'})` : base;
  };
  const body = rows.map((r) => [
    r.backend,
    r.adapter ? adapterText(r.adapter) : '—',
    r.adapter ? (r.adapter.isSoftware ? 'yes' : 'no') : '—',
    cell(r, 'matmul', (x) => fmt(x.gflops, 2)),
    cell(r, 'vgg16 w1/16', (x) => fmt(x.imagesPerSecond, 2)),
    cell(r, 'vgg16 w1/4', (x) => fmt(x.imagesPerSecond, 2)),
    cell(r, 'resnet18 w1/4', (x) => fmt(x.imagesPerSecond, 2)),
    ['vgg16 w1/16', 'vgg16 w1/4', 'resnet18 w1/4'].map((k) => cell(r, k, (x) => fmt(x.meanStepMs, 0))).join(' | '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cols) => cols.map((c, i) => c.padEnd(widths[i])).join(' | ');
  console.log(['', line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n'));
  for (const r of rows) for (const [k, c] of Object.entries(r.cases)) if (!c.ok) console.log(`  ${r.backend} ${k} failed: ${c.error}`);
  const ips = (b, k) => rows.find((r) => r.backend === b)?.cases[k]?.imagesPerSecond;
  const wasm = ips('wasm', 'vgg16 w1/4');
  const gpu = ips('webgpu', 'vgg16 w1/4');
  if (wasm && gpu) console.log(`\nwasm vs software webgpu, VGG-16 w1/4 batch 32 training: ${(wasm / gpu).toFixed(1)}× (target ≥ 10×)`);
  const pruneRows = rows.flatMap((r) =>
    Object.entries(r.cases)
      .filter(([k, c]) => k.startsWith('prune') && c.ok)
      .map(([k, c]) => ({ backend: r.backend, label: k, ...c })),
  );
  if (pruneRows.length) {
    console.log(
      '\nPrune lab (batch 32): RGSM step ÷ dense step (target ≤ 1.15); half the input groups zeroed, compacted: measured speed-up vs MAC reduction (target ≥ 0.7×)',
    );
    for (const p of pruneRows) {
      console.log(
        `  ${p.backend.padEnd(8)} ${p.label.padEnd(20)} dense ${fmt(p.denseStepMs, 0)} ms, RGSM ${fmt(p.rgsmStepMs, 0)} ms → overhead ${fmt(p.rgsmOverhead, 3)}; ` +
          `params ${p.paramsBefore} → ${p.paramsAfter}, MACs ×${fmt(p.macsRatio, 2)} fewer, latency ${fmt(p.latencyBeforeMs, 1)} → ${fmt(p.latencyAfterMs, 1)} ms = ×${fmt(p.speedup, 2)} (${fmt(p.speedupOverMacsRatio, 2)} of the MAC ratio)`,
      );
    }
  }
}

function printSegment(rows) {
  const segRows = rows.flatMap((r) =>
    Object.entries(r.cases)
      .filter(([k, c]) => k.startsWith('segment') && c.ok)
      .map(([k, c]) => ({ backend: r.backend, label: k, ...c })),
  );
  if (!segRows.length) return;
  console.log('\nSegment lab: inference ms/image (batch 1, median) and training ms/step (CE + OHEM + aux, no source)');
  for (const s of segRows) {
    for (const m of s.models) {
      const what = `${s.backend.padEnd(7)} ${s.height}×${s.width} b${s.batchSize} ${m.label.padEnd(24)}`;
      console.log(
        `  ${what} ${String(m.params).padStart(8)} params ${fmt(m.macs / 1e6, 1).padStart(6)} M MACs  infer ${fmt(m.inferenceMs, 1).padStart(7)} ms  step ${fmt(m.stepMs, 0).padStart(6)} ms`,
      );
    }
  }
}

function printAffinity(rows) {
  const aRows = rows.flatMap((r) =>
    Object.entries(r.cases)
      .filter(([k, c]) => k.startsWith('affinity') && c.ok)
      .map(([, c]) => ({ backend: r.backend, ...c })),
  );
  if (!aRows.length) return;
  console.log('\nAffinity lab: the loss alone (forward + backward), FA vs FFA, and a distillation step per loss type');
  for (const a of aRows) {
    const speed = a.faMs && a.ffaMs ? a.faMs / a.ffaMs : NaN;
    const mem = a.faPeakBytes && a.ffaPeakBytes ? a.faPeakBytes / a.ffaPeakBytes : NaN;
    console.log(
      `  ${a.backend.padEnd(7)} N=${a.n} k=${a.k}: FA ${fmt(a.faMs, 1)} ms / ${fmt(a.faPeakBytes / 2 ** 20, 1)} MB, FFA ${fmt(a.ffaMs, 1)} ms / ${fmt(a.ffaPeakBytes / 2 ** 20, 1)} MB: ` +
        `×${fmt(speed, 1)} faster, ×${fmt(mem, 1)} less memory (target ≥ 10 each: ${speed >= 10 && mem >= 10 ? 'met' : 'NOT met'}); ` +
        `student w${a.width} b${a.batchSize} step: ${a.steps.map((s) => `${s.lossType === 'none' ? 'KD only' : `KD+${s.lossType.toUpperCase()}`} ${fmt(s.stepMs, 0)} ms`).join(', ')}`,
    );
  }
}

function printDetect(rows) {
  const dRows = rows.flatMap((r) =>
    Object.entries(r.cases)
      .filter(([k, c]) => k.startsWith('detect') && c.ok)
      .map(([, c]) => ({ backend: r.backend, ...c })),
  );
  if (!dRows.length) return;
  console.log('\nDetect lab (width 0.5, d 64, L 2, 2 decoder layers, 20 queries): batch-1 inference ms (median; target < 50 ms on wasm) and training ms/step');
  for (const d of dRows) {
    console.log(
      `  ${d.backend.padEnd(7)} ${d.height}×${d.width} ${d.encoder.padEnd(12)} ${String(d.params).padStart(8)} params ${fmt(d.macs / 1e6, 1).padStart(6)} M MACs  infer ${fmt(d.inferenceMs, 1).padStart(7)} ms  step b${d.batchSize} ${fmt(d.stepMs, 0).padStart(6)} ms`,
    );
  }
}

async function main() {
  const preview = await startPreview();
  let browser;
  try {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    log(`chromium ${browser.version()}, preview on ${BASE}`);
    const backends = [];
    for (const b of BACKENDS) backends.push(await benchBackend(browser, b));
    const labs = [];
    for (const c of LAB_CASES) {
      if (!RUN_APP || (LAB_FILTER.length && !LAB_FILTER.includes(c.lab))) continue;
      log(`responsiveness: ${c.lab} lab on wasm`);
      labs.push(await benchLab(browser, BASE, c));
      log(`responsiveness: ${c.lab} ${labs.at(-1).ok ? 'ok' : `FAILED: ${labs.at(-1).error}`}`);
    }
    const wallSeconds = (performance.now() - t0) / 1000;
    printTable(backends);
    printSegment(backends);
    printAffinity(backends);
    printDetect(backends);
    if (labs.length) printLabs(labs);
    else console.log('\nLab responsiveness: skipped (BENCH_APP=0 or no lab in BENCH_LABS)');
    const cpus = os.cpus();
    const report = {
      date: new Date().toISOString(),
      machine: {
        cpu: cpus[0]?.model ?? 'unknown',
        cores: cpus.length,
        memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
        platform: `${os.platform()} ${os.release()}`,
      },
      chromium: browser.version(),
      node: process.version,
      wallSeconds,
      backends,
      responsiveness: { longTaskTargetMs: LONG_TASK_MS, labs },
    };
    await mkdir(path.dirname(OUT_FILE), { recursive: true });
    await writeFile(OUT_FILE, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwall time ${wallSeconds.toFixed(0)} s; wrote ${OUT_FILE}`);
  } finally {
    await browser?.close().catch(() => undefined);
    stopPreview(preview);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
