/**
 * Prune-lab benchmark on the current backend: RGSM step time against the dense step (overhead), and the
 * compact model's measured inference speed-up against its MAC reduction.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PruneTrainer, compactModel, disposeParams, loadDataset, measureLatency, modelCost, pruneOptions, type PruneSessionOptions } from '../engine';
import { DEFAULT_ZERO_THRESHOLD, PRUNE_LAB } from '../protocol/labs/prune';
import type { PruneResult } from './types';

async function meanStepMs(opts: PruneSessionOptions, timedSteps: number): Promise<number> {
  const data = await loadDataset({ ...PRUNE_LAB.defaults(), trainSize: 64, testSize: 16 }, () => undefined);
  const trainer = new PruneTrainer(opts, data);
  try {
    await trainer.step(); // warm-up: shader compilation
    const t0 = performance.now();
    for (let i = 0; i < timedSteps; i++) await trainer.step();
    return (performance.now() - t0) / timedSteps;
  } finally {
    trainer.dispose();
  }
}

/** Zero every other input-channel group of each conv kernel but the first (the RGB one), as pruning would. */
function zeroHalfTheGroups(trainer: PruneTrainer): void {
  const [, ...rest] = [...trainer.kernels.values()];
  for (const k of rest) {
    const cin = k.shape[2]!;
    const mask = tf.tensor4d(
      Array.from({ length: cin }, (_, c) => (c % 2 === 0 ? 1 : 0)),
      [1, 1, cin, 1],
    );
    k.assign(tf.tidy(() => tf.mul(k, mask)));
    mask.dispose();
  }
}

/** Dense vs RGSM step time, then a half-pruned model compacted and timed (batch `batchSize`, 32×32 inputs). */
export async function benchPrune(model: 'vgg16' | 'resnet18', width: number, batchSize: number, timedSteps: number): Promise<PruneResult> {
  const base = pruneOptions({ ...PRUNE_LAB.defaults(), model, width, batchSize, steps: 1000 });
  const denseMs = await meanStepMs({ ...base, method: 'none' }, timedSteps);
  const rgsmMs = await meanStepMs({ ...base, method: 'rgsm' }, timedSteps);

  const data = await loadDataset({ ...PRUNE_LAB.defaults(), trainSize: 64, testSize: 16 }, () => undefined);
  const trainer = new PruneTrainer({ ...base, method: 'none' }, data);
  try {
    zeroHalfTheGroups(trainer);
    const { model: compact } = await compactModel(trainer.model, { threshold: DEFAULT_ZERO_THRESHOLD });
    try {
      const before = modelCost(trainer.model);
      const after = modelCost(compact);
      const latencyOpts = { warmup: 2, runs: 7 };
      const denseLatency = await measureLatency(trainer.model, batchSize, 32, latencyOpts);
      const compactLatency = await measureLatency(compact, batchSize, 32, latencyOpts);
      const speedup = denseLatency.msPerBatch / compactLatency.msPerBatch;
      const macsRatio = before.macs / after.macs;
      return {
        kind: 'prune',
        model,
        width,
        batchSize,
        denseStepMs: denseMs,
        rgsmStepMs: rgsmMs,
        rgsmOverhead: rgsmMs / denseMs,
        paramsBefore: before.params,
        paramsAfter: after.params,
        macsBefore: before.macs,
        macsAfter: after.macs,
        latencyBeforeMs: denseLatency.msPerBatch,
        latencyAfterMs: compactLatency.msPerBatch,
        speedup,
        macsRatio,
        speedupOverMacsRatio: speedup / macsRatio,
      };
    } finally {
      disposeParams(compact.store);
    }
  } finally {
    trainer.dispose();
  }
}
