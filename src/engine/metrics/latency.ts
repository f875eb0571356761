/** Wall-clock inference latency of a classifier on the current tfjs backend (eval-mode forward, NHWC input). */
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../models/model';

export interface LatencyOptions {
  /** Untimed runs first (shader compilation, allocator warm-up); default 3. */
  warmup?: number;
  /** Timed runs; the median is reported; default 10. */
  runs?: number;
}

export interface LatencyResult {
  /** Median wall time of one batch: forward + read-back of the logits. */
  msPerBatch: number;
  msPerImage: number;
  minMs: number;
  maxMs: number;
  /** Every timed run in order. */
  runsMs: number[];
  batchSize: number;
  inputSize: number;
  backend: string;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Time `runs` eval-mode forwards of a fixed random NHWC batch [batchSize, inputSize, inputSize, 3], awaiting the logits each run. */
export async function measureLatency(model: Classifier, batchSize: number, inputSize: number, opts: LatencyOptions = {}): Promise<LatencyResult> {
  const warmup = opts.warmup ?? 3;
  const runs = opts.runs ?? 10;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`Latency needs at least one timed run, got ${runs}.`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`Latency warm-up must be a non-negative integer, got ${warmup}.`);
  const x = tf.randomNormal([batchSize, inputSize, inputSize, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const once = async (): Promise<number> => {
    const start = performance.now();
    const y = tf.tidy(() => model.forward(x, { training: false }));
    await y.data();
    const ms = performance.now() - start;
    y.dispose();
    return ms;
  };
  const runsMs: number[] = [];
  try {
    for (let i = 0; i < warmup; i++) await once();
    for (let i = 0; i < runs; i++) runsMs.push(await once());
  } finally {
    x.dispose();
  }
  const msPerBatch = median(runsMs);
  return {
    msPerBatch,
    msPerImage: msPerBatch / batchSize,
    minMs: Math.min(...runsMs),
    maxMs: Math.max(...runsMs),
    runsMs,
    batchSize,
    inputSize,
    backend: tf.getBackend(),
  };
}
