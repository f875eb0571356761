/**
 * What FA and FFA cost as the feature map grows (TECHNIQUES.md §3: O(B·C·N²) time and O(B·N²) memory for
 * FA, O(B·C·N·k) for FFA): the measured time of the loss's forward + backward w.r.t. the student feature,
 * and the peak memory tfjs reports while it runs (`tf.profile`'s peakBytes), on the current backend.
 * Features are seeded pseudo-random NHWC tensors; the teacher has twice the student's channels.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AffinityCostPoint } from '../../protocol/labs/affinity';
import { mulberry32, normal } from '../random';
import { faLoss, ffaLoss, gaussianZ } from '../techniques/affinity';

export interface AffinityCostOptions {
  /** Map sides to measure (N = side²), ascending. */
  sides: readonly number[];
  k: number;
  order: 1 | 2;
  batch: number;
  studentChannels: number;
  /** FA is skipped above this many bytes of N×N matrices (B·N²·4 bytes each; the loss and its gradient hold several). */
  faBudgetBytes: number;
  /** Timed repetitions after one warm-up; the median is reported. */
  repeats: number;
}

/** One measured (or skipped) size and method: the protocol's AffinityCostPoint. */
export type AffinityCostRow = AffinityCostPoint;

function seededFeature(shape: [number, number, number, number], seed: number): tf.Tensor4D {
  const rng = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = normal(rng);
  return tf.tensor4d(v, shape);
}

/** Forward + backward of one loss w.r.t. the student feature; resolves when the gradient is read back. */
async function once(loss: (fs: tf.Tensor4D) => tf.Scalar, fs: tf.Tensor4D): Promise<void> {
  const g = tf.grad((x: tf.Tensor) => loss(x as tf.Tensor4D))(fs);
  await g.data();
  g.dispose();
}

/** Time and peak memory of FA and FFA per map size (see the module comment); never throws for an out-of-memory size. */
export async function measureAffinityCost(opts: AffinityCostOptions, onProgress?: (fraction: number) => void): Promise<AffinityCostRow[]> {
  const rows: AffinityCostRow[] = [];
  const total = opts.sides.length * 2;
  let faStopped: string | null = null;
  for (const [i, side] of opts.sides.entries()) {
    const n = side * side;
    const fs = seededFeature([opts.batch, side, side, opts.studentChannels], 1000 + side);
    const ft = seededFeature([opts.batch, side, side, 2 * opts.studentChannels], 2000 + side);
    const z = gaussianZ(n, opts.k, 3000 + side);
    try {
      for (const method of ['fa', 'ffa'] as const) {
        const matrixBytes = opts.batch * n * n * 4;
        if (method === 'fa' && (faStopped || matrixBytes > opts.faBudgetBytes)) {
          faStopped ??= `skipped: the batch’s N×N affinity matrices would take ${(matrixBytes / 2 ** 20).toFixed(0)} MB each`;
          rows.push({ side, n, method, ms: null, peakBytes: null, note: faStopped });
          continue;
        }
        const loss = method === 'fa' ? (x: tf.Tensor4D) => faLoss(x, ft, opts.order) : (x: tf.Tensor4D) => ffaLoss(x, ft, z, opts.order);
        try {
          await once(loss, fs); // warm-up: shader compiles, first allocations
          const times: number[] = [];
          for (let r = 0; r < opts.repeats; r++) {
            const t0 = performance.now();
            await once(loss, fs);
            times.push(performance.now() - t0);
          }
          const info = await tf.profile(() => once(loss, fs));
          times.sort((a, b) => a - b);
          rows.push({ side, n, method, ms: times[Math.floor(times.length / 2)]!, peakBytes: info.peakBytes, note: null });
        } catch (err) {
          const msg = err instanceof Error ? err.message : String(err);
          if (method === 'fa') faStopped = `ran out of memory (${msg})`;
          rows.push({ side, n, method, ms: null, peakBytes: null, note: method === 'fa' ? faStopped : `failed (${msg})` });
        }
        onProgress?.((2 * i + (method === 'fa' ? 1 : 2)) / total);
      }
    } finally {
      tf.dispose([fs, ft, z]);
    }
  }
  return rows;
}
