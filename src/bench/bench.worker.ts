/**
 * The benchmark worker behind bench.html: tfjs runs in a worker as in the app (the threaded wasm
 * build deadlocks on a page's main thread), without the app's event seam.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, WASM_PATHS } from '../engine';
import { isBackendPreference } from '../protocol/backend';
import { benchAffinity } from './affinityBench';
import { benchDetect } from './detectBench';
import { benchMatMul } from './matmulBench';
import { benchPrune } from './pruneBench';
import { benchSegment } from './segBench';
import { benchTraining } from './trainBench';
import type { AdapterResult, BenchCase, BenchRun } from './types';

let adapter: AdapterResult | null = null;

async function ensureBackend(backend: string): Promise<AdapterResult> {
  if (adapter) {
    if (adapter.name !== backend) throw new Error(`this page already runs ${adapter.name}; open a fresh page for ${backend}`);
    return adapter;
  }
  // 'wasm-nothreads': threads off; 'wasm-t<N>': N XNNPACK threads; 'wasm': the engine's default thread count.
  const threads = /^wasm-t(\d+)$/.exec(backend);
  const name = backend === 'wasm-nothreads' || threads ? 'wasm' : backend;
  if (!isBackendPreference(name) || name === 'auto') throw new Error(`not a backend: ${backend}`);
  const info = await initBackend(name, { wasmPaths: WASM_PATHS, wasmThreads: threads ? Number(threads[1]) : backend !== 'wasm-nothreads' });
  if (info.name !== name) throw new Error(`asked for ${name} but got ${info.name}`);
  adapter = {
    name: backend,
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    isSoftware: info.isSoftware,
    ...(info.simd !== undefined ? { simd: info.simd } : {}),
    ...(info.threads !== undefined ? { threads: info.threads } : {}),
  };
  return adapter;
}

async function runCase(c: BenchCase) {
  if (c.kind === 'matmul') return benchMatMul(c.n, c.runs);
  if (c.kind === 'prune') return benchPrune(c.model, c.width, c.batchSize, c.timedSteps);
  if (c.kind === 'segment') return benchSegment(c.size, c.batchSize, c.timedSteps, c.inferenceRuns, c.model);
  if (c.kind === 'affinity') return benchAffinity(c.side, c.k, c.width, c.batchSize, c.timedSteps);
  if (c.kind === 'detect') return benchDetect(c.encoder, c.batchSize, c.timedSteps, c.inferenceRuns);
  return benchTraining(c.model, c.width, c.batchSize, c.timedSteps);
}

async function runBench(backend: string, cases: BenchCase[]): Promise<BenchRun> {
  const info = await ensureBackend(backend);
  const results: BenchRun['results'] = [];
  for (const c of cases) {
    const before = tf.memory().numTensors;
    results.push(await runCase(c));
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) console.warn(`bench case ${c.kind} left ${leaked} tensors behind`);
  }
  return { adapter: info, results };
}

Comlink.expose({ runBench });
