/** Peak throughput of the current tfjs backend: an n×n · n×n float32 matMul, read back each run. */
import * as tf from '@tensorflow/tfjs-core';
import type { MatMulResult } from './types';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function timeOnce(a: tf.Tensor2D, b: tf.Tensor2D): Promise<number> {
  const t0 = performance.now();
  const c = tf.matMul(a, b);
  await c.data();
  const seconds = (performance.now() - t0) / 1000;
  c.dispose();
  return seconds;
}

/** One warm-up run, then the median of `runs` timed runs; GFLOP/s = 2·n³ / seconds. */
export async function benchMatMul(n: number, runs: number): Promise<MatMulResult> {
  const a = tf.randomUniform([n, n], -1, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomUniform([n, n], -1, 1, 'float32', 2) as tf.Tensor2D;
  try {
    await a.data();
    await b.data();
    await timeOnce(a, b);
    const seconds: number[] = [];
    for (let i = 0; i < runs; i++) seconds.push(await timeOnce(a, b));
    const medianSeconds = median(seconds);
    return { kind: 'matmul', n, seconds, medianSeconds, gflops: (2 * n ** 3) / medianSeconds / 1e9 };
  } finally {
    tf.dispose([a, b]);
  }
}
