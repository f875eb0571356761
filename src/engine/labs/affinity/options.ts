/** An Affinity-lab run config (the lab's spec) as trainer options. */
import type { AffinityConfig } from '../../../protocol/labs/affinity';
import type { AffinityNet } from '../../models/affinity/affinityNet';
import type { AffinityTrainerOptions } from './trainer';

/** The trainer options of a config; without a teacher the affinity loss is off (KD and FA need one). */
export function affinityTrainerOptions(config: AffinityConfig, teacher: AffinityNet | null): AffinityTrainerOptions {
  const { lr, momentum, weightDecay, kdWeight, faWeight, ceWeight, temperature, k, clipNorm } = config;
  return {
    role: config.role,
    width: config.width,
    seed: config.seed,
    batchSize: config.batchSize,
    totalSteps: config.steps,
    augment: config.augment,
    lossType: teacher ? config.lossType : 'none',
    order: config.order === '1' ? 1 : 2,
    kdMode: config.kdMode,
    zMode: config.zMode,
    taps: ([32, 16, 8, 4] as const).filter((t) => config[`tap${t}`]),
    hyperparams: { lr, momentum, weightDecay, kdWeight, faWeight, ceWeight, temperature, k, clipNorm },
    teacher,
  };
}
