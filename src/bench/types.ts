/** Plain-JSON shapes exchanged between scripts/bench.mjs and the benchmark page. */
import type { BackendInfo } from '../protocol/backend';

/** One measurement the page can run on the current backend. */
export type BenchCase =
  | { kind: 'matmul'; n: number; runs: number }
  | { kind: 'train'; model: 'vgg16' | 'resnet18'; width: number; batchSize: number; timedSteps: number }
  | { kind: 'prune'; model: 'vgg16' | 'resnet18'; width: number; batchSize: number; timedSteps: number }
  | { kind: 'segment'; size: 'low' | 'high'; batchSize: number; timedSteps: number; inferenceRuns: number; model?: string }
  | { kind: 'affinity'; side: number; k: number; width: number; batchSize: number; timedSteps: number }
  | { kind: 'detect'; encoder: 'none' | 'transformer' | 'conv' | 'dwconv'; batchSize: number; timedSteps: number; inferenceRuns: number };

/** Detect lab: one encoder kind at the shipped architecture: batch-1 inference ms (median) and training ms/step. */
export interface DetectBenchResult {
  kind: 'detect';
  encoder: string;
  height: number;
  width: number;
  batchSize: number;
  params: number;
  macs: number;
  inferenceMs: number;
  stepMs: number;
}

/** Affinity lab: the loss alone, FA vs FFA at one N (time and peak memory), and a distillation step per loss type. */
export interface AffinityBenchResult {
  kind: 'affinity';
  n: number;
  k: number;
  faMs: number | null;
  ffaMs: number | null;
  faPeakBytes: number | null;
  ffaPeakBytes: number | null;
  width: number;
  batchSize: number;
  steps: { lossType: 'none' | 'fa' | 'ffa'; stepMs: number }[];
}

/** Segment lab: per model, inference ms per image (batch 1, median) and training ms per step. */
export interface SegBenchResult {
  kind: 'segment';
  size: 'low' | 'high';
  height: number;
  width: number;
  batchSize: number;
  models: { label: string; params: number; macs: number; inferenceMs: number; stepMs: number }[];
}

/** Prune lab: RGSM overhead per step and the compact model's speed-up against its MAC reduction. */
export interface PruneResult {
  kind: 'prune';
  model: string;
  width: number;
  batchSize: number;
  denseStepMs: number;
  rgsmStepMs: number;
  /** RGSM step time ÷ dense step time (target ≤ 1.15). */
  rgsmOverhead: number;
  paramsBefore: number;
  paramsAfter: number;
  macsBefore: number;
  macsAfter: number;
  latencyBeforeMs: number;
  latencyAfterMs: number;
  speedup: number;
  macsRatio: number;
  /** Measured speed-up ÷ MAC reduction (target ≥ 0.7). */
  speedupOverMacsRatio: number;
}

export interface MatMulResult {
  kind: 'matmul';
  n: number;
  /** Seconds of each timed run (dispatch until `await data()` resolves). */
  seconds: number[];
  medianSeconds: number;
  gflops: number;
}

export interface TrainResult {
  kind: 'train';
  model: string;
  width: number;
  batchSize: number;
  params: number;
  /** Model + optimiser construction time. */
  setupMs: number;
  /** The first step, which compiles the shaders; not part of the mean. */
  warmupStepMs: number;
  stepMs: number[];
  meanStepMs: number;
  imagesPerSecond: number;
  finalLoss: number;
}

/** The backend report, named as the bench names it ('wasm-nothreads' and 'wasm-t<N>' included). */
export type AdapterResult = Pick<BackendInfo, 'vendor' | 'architecture' | 'description' | 'isSoftware' | 'simd' | 'threads'> & { name: string };

export interface BenchRun {
  adapter: AdapterResult;
  results: (MatMulResult | TrainResult | PruneResult | SegBenchResult | AffinityBenchResult | DetectBenchResult)[];
}

declare global {
  interface Window {
    /** Initialise `backend` (once per page; 'wasm-nothreads' = wasm with threads off) and run the cases in order. */
    __runBench?: (backend: string, cases: BenchCase[]) => Promise<BenchRun>;
  }
}
