/**
 * Re-estimating batch-norm running statistics for a model whose conv weights changed (RGSM's u, TECHNIQUES.md
 * §1): u reuses the running mean/variance gathered while training w, which no longer fit when u cuts groups
 * that were not small in w. NHWC activations, HWIO kernels.
 *
 * Convention (PyTorch's `momentum=None`, cumulative average): after K training-mode forward passes, every BN's
 * running mean is the plain mean of the K per-batch means, and its running variance the plain mean of the K
 * per-batch *unbiased* variances (n/(n−1)·biased, n = B·H·W): the same variance the engine's BN puts into its
 * running estimate (layers.ts `batchNorm`), so recalibrated and trained statistics mean the same thing.
 *
 * How, without touching layers.ts: before each pass every running statistic is set to 0, so the BN's own update
 * `running ← (1 − m)·running + m·stat` leaves m·stat (m = BN_MOMENTUM); dividing by m recovers the batch
 * statistic (float32, relative error ~1e-7), which is summed and averaged over the K passes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BN_MOMENTUM } from '../../models/layers';
import type { ForwardMode } from '../../models/layers';
import type { ParamStore } from '../../models/params';

/** Any model with a param store and a forward pass (a classifier, a segmentation model); only BN state is touched. */
export interface BnModel {
  readonly store: ParamStore;
  forward(x: tf.Tensor4D, mode: ForwardMode): unknown;
}

const isBnStatistic = (name: string) => name.endsWith('.runningMean') || name.endsWith('.runningVar');

/** The BN running-statistics variables of a model (its `*.runningMean` / `*.runningVar` state), by name. */
export function bnStatistics(model: Pick<BnModel, 'store'>): Map<string, tf.Variable> {
  return new Map([...model.store.state].filter(([name]) => isBnStatistic(name)));
}

/** An exact copy of the BN running statistics (clones share the variables' data; the caller owns them). */
export function saveBnStatistics(model: Pick<BnModel, 'store'>): Map<string, tf.Tensor> {
  return new Map([...bnStatistics(model)].map(([name, v]) => [name, tf.clone(v)]));
}

/** Put saved statistics back (bit-exact) and dispose the copies. */
export function restoreBnStatistics(model: Pick<BnModel, 'store'>, saved: Map<string, tf.Tensor>): void {
  const vars = bnStatistics(model);
  for (const [name, t] of saved) {
    vars.get(name)?.assign(t);
    t.dispose();
  }
  saved.clear();
}

/**
 * Set every BN's running mean/variance to the cumulative average of the batch statistics of `batches` training-mode
 * forward passes (no gradient, no weight change) on the inputs `nextInput()` returns (NHWC; disposed here).
 * `batches` 0 leaves the statistics alone.
 */
export function recalibrateBnStatistics(model: BnModel, batches: number, nextInput: () => tf.Tensor4D): void {
  if (batches <= 0) return;
  const vars = bnStatistics(model);
  const sums = new Map([...vars].map(([name, v]) => [name, tf.zerosLike(v)]));
  try {
    for (let k = 0; k < batches; k++) {
      for (const v of vars.values()) tf.tidy(() => v.assign(tf.zerosLike(v)));
      const x = nextInput();
      try {
        tf.tidy(() => {
          model.forward(x, { training: true });
        });
      } finally {
        x.dispose();
      }
      for (const [name, v] of vars) {
        const prev = sums.get(name)!;
        sums.set(
          name,
          tf.tidy(() => tf.add(prev, tf.div(v, BN_MOMENTUM))),
        );
        prev.dispose();
      }
    }
    for (const [name, v] of vars) tf.tidy(() => v.assign(tf.div(sums.get(name)!, batches)));
  } finally {
    for (const s of sums.values()) s.dispose();
  }
}

/**
 * Run `fn` with recalibrated BN statistics (see `recalibrateBnStatistics`), then restore the previous statistics
 * exactly, even if `fn` throws.
 */
export async function withRecalibratedBn<T>(model: BnModel, batches: number, nextInput: () => tf.Tensor4D, fn: () => Promise<T>): Promise<T> {
  const saved = saveBnStatistics(model);
  try {
    recalibrateBnStatistics(model, batches, nextInput);
    return await fn();
  } finally {
    restoreBnStatistics(model, saved);
  }
}
