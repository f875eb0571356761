/** Entry of bench.html: exposes `window.__runBench` for scripts/bench.mjs, backed by the bench worker. */
import * as Comlink from 'comlink';
import type { BenchCase, BenchRun } from './types';

interface BenchWorker {
  runBench(backend: string, cases: BenchCase[]): Promise<BenchRun>;
}

const worker = Comlink.wrap<BenchWorker>(new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module', name: 'bench' }));
window.__runBench = (backend: string, cases: BenchCase[]) => worker.runBench(backend, cases);
