/** Wall-clock inference latency of a classifier or a detector on the current tfjs backend (eval-mode forward, NHWC input). */
import * as tf from '@tensorflow/tfjs-core';
import type { DetectModel } from '../models/detect/detector';
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

/** Checked warm-up and timed run counts of `opts` (defaults 3 and 10). */
function runCounts(opts: LatencyOptions): { warmup: number; runs: number } {
  const warmup = opts.warmup ?? 3;
  const runs = opts.runs ?? 10;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`Latency needs at least one timed run, got ${runs}.`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`Latency warm-up must be a non-negative integer, got ${warmup}.`);
  return { warmup, runs };
}

/** `warmup` untimed then `runs` timed calls of `once` (each resolves once its outputs are read back); every timed wall time in order. */
async function timeRuns(once: () => Promise<void>, warmup: number, runs: number): Promise<number[]> {
  const runsMs: number[] = [];
  for (let i = 0; i < warmup; i++) await once();
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await once();
    runsMs.push(performance.now() - start);
  }
  return runsMs;
}

function summarise(runsMs: number[], batchSize: number, inputSize: number): LatencyResult {
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

/** Time `runs` eval-mode forwards of a fixed random NHWC batch [batchSize, inputSize, inputSize, 3], awaiting the logits each run. */
export async function measureLatency(model: Classifier, batchSize: number, inputSize: number, opts: LatencyOptions = {}): Promise<LatencyResult> {
  const { warmup, runs } = runCounts(opts);
  const x = tf.randomNormal([batchSize, inputSize, inputSize, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  try {
    const runsMs = await timeRuns(
      async () => {
        const y = tf.tidy(() => model.forward(x, { training: false }));
        try {
          await y.data();
        } finally {
          y.dispose();
        }
      },
      warmup,
      runs,
    );
    return summarise(runsMs, batchSize, inputSize);
  } finally {
    x.dispose();
  }
}

/**
 * Batch-1 latency of a detector at its own input size, as the viewer times it: an eval-mode forward with the last decoder
 * layer's scores and boxes read back. The input is a fixed deterministic pattern (2·sin(0.37·i), no RNG, so Node and the
 * worker time the same tensor); weights and input values do not change the time. `inputSize` in the result is the height.
 */
export async function measureDetectLatency(model: DetectModel, opts: LatencyOptions = {}): Promise<LatencyResult> {
  const { warmup, runs } = runCounts(opts);
  const { inputHeight: h, inputWidth: w } = model.architecture;
  const x = tf.tensor4d(
    Float32Array.from({ length: h * w * 3 }, (_, i) => 2 * Math.sin(i * 0.37)),
    [1, h, w, 3],
  );
  try {
    const runsMs = await timeRuns(
      async () => {
        const out = model.forward(x, { training: false });
        try {
          const last = out.logits.length - 1;
          await Promise.all([out.logits[last]!.data(), out.boxes[last]!.data()]);
        } finally {
          tf.dispose([...out.logits, ...out.boxes, ...(out.attention ? [out.attention] : [])]);
        }
      },
      warmup,
      runs,
    );
    return summarise(runsMs, 1, h);
  } finally {
    x.dispose();
  }
}
