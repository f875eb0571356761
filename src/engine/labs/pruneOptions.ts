/** Settings of a Prune-lab session (TECHNIQUES.md §1: RGSM vs group Lasso) and its learning-rate schedules. */
import type { PruneConfig } from '../../protocol/labs';
import type { ChannelSparsity } from '../metrics/channelSparsity';

export type PruneMethod = 'none' | 'gl-penalty' | 'gl-prox' | 'rgsm';
export type LrSchedule = 'step' | 'cosine' | 'constant';
/** RGSM prox thresholds: one for all layers (§1), or scaled per layer by the initial group norms (ours; groupNormScales.ts). */
export type ThresholdMode = 'global' | 'per-layer';

/** Every key is live: it may change between two steps. */
export interface PruneHyperparams {
  lr: number;
  momentum: number;
  weightDecay: number;
  lambda1: number;
  lambda2: number;
  beta: number;
  lambdaGL: number;
  zeroThreshold: number;
}

export interface PruneSessionOptions {
  model: 'vgg16' | 'resnet18';
  width: number;
  seed: number;
  batchSize: number;
  totalSteps: number;
  method: PruneMethod;
  prox: 'hard' | 'soft';
  grouping: 'input' | 'output';
  schedule: LrSchedule;
  augment: boolean;
  /**
   * RGSM: before evaluating u, re-estimate BN running statistics with u's weights over this many training
   * batches (no augmentation; prune/bnRecalibration.ts); 0 = off. The other methods ignore it.
   */
  bnRecalBatches: number;
  /** RGSM: global threshold sqrt(2λ1/β), or per layer s_l·sqrt(2λ1/β) (ours). The other methods ignore it. */
  thresholds: ThresholdMode;
  hyperparams: PruneHyperparams;
}

/** Sparsity as the Prune lab shows it: on u for RGSM, on w for the baselines. */
export interface SparsityReport extends ChannelSparsity {
  measuredOn: 'u' | 'w';
  /** The RGSM hard-prox threshold sqrt(2λ1/β) at the time of measuring. */
  hardThreshold: number;
  /** Per-layer threshold scales s_l (layer order) in per-layer mode: layer l's hard threshold is s_l·hardThreshold; null otherwise. */
  layerScales: number[] | null;
}

/** Milestones of the 'step' schedule as fractions of the total steps; the lr is ×0.1 at each. */
export const STEP_MILESTONES = [0.4, 0.6, 0.8] as const;

/**
 * The lr of 0-based `step` out of `totalSteps` from the base lr: 'step' ×0.1 at 40 %, 60 %, 80 %;
 * 'cosine' base·0.5·(1 + cos(π·step/totalSteps)); 'constant' the base.
 */
export function scheduledLr(base: number, schedule: LrSchedule, step: number, totalSteps: number): number {
  const t = totalSteps > 0 ? Math.min(Math.max(step / totalSteps, 0), 1) : 0;
  switch (schedule) {
    case 'constant':
      return base;
    case 'cosine':
      return base * 0.5 * (1 + Math.cos(Math.PI * t));
    case 'step': {
      let lr = base;
      for (const m of STEP_MILESTONES) if (step >= m * totalSteps) lr *= 0.1;
      return lr;
    }
  }
}

/** The Prune lab's session options from a run config (every live key included). */
export function pruneOptions(config: PruneConfig): PruneSessionOptions {
  return {
    model: config.model,
    width: config.width,
    seed: config.seed,
    batchSize: config.batchSize,
    totalSteps: config.steps,
    method: config.method,
    prox: config.prox,
    grouping: config.grouping,
    schedule: config.schedule,
    augment: config.augment,
    bnRecalBatches: config.bnRecalBatches,
    thresholds: config.thresholds,
    hyperparams: {
      lr: config.lr,
      momentum: config.momentum,
      weightDecay: config.weightDecay,
      lambda1: config.lambda1,
      lambda2: config.lambda2,
      beta: config.beta,
      lambdaGL: config.lambdaGL,
      zeroThreshold: config.zeroThreshold,
    },
  };
}
