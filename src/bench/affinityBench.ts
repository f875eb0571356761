/**
 * Affinity-lab benchmark on the current backend: the loss alone (forward + backward) of FA vs FFA(k) at one
 * map size, time and peak memory (the target at N = 32²: FFA ≥ 10× faster and ≥ 10× less memory),
 * and one full distillation step of the student (batch 32) with KD only, KD + FA and KD + FFA.
 */
import { AffinityTrainer, createAffinityNet, disposeParams, generateShapesDataset, measureAffinityCost } from '../engine';
import { AFFINITY_LAB } from '../protocol/labs/affinity';
import type { AffinityBenchResult } from './types';

export async function benchAffinity(side: number, k: number, width: number, batchSize: number, timedSteps: number): Promise<AffinityBenchResult> {
  const [fa, ffa] = await measureAffinityCost({ sides: [side], k, order: 2, batch: 2, studentChannels: 16, faBudgetBytes: 2 ** 31, repeats: 3 });
  const data = await generateShapesDataset({ seed: 1, trainSize: Math.max(64, batchSize * 2), testSize: 16 });
  const teacher = createAffinityNet('teacher', { numClasses: 10, width, seed: 2 });
  const { lr, momentum, weightDecay, kdWeight, faWeight, ceWeight, temperature, clipNorm } = AFFINITY_LAB.defaults();
  const steps: AffinityBenchResult['steps'] = [];
  try {
    for (const lossType of ['none', 'fa', 'ffa'] as const) {
      const trainer = new AffinityTrainer(
        {
          role: 'student',
          width,
          seed: 1,
          batchSize,
          totalSteps: 1000,
          augment: false,
          lossType,
          order: 2,
          kdMode: 'mse',
          zMode: 'fixed',
          taps: [16, 8, 4],
          hyperparams: { lr, momentum, weightDecay, kdWeight, faWeight, ceWeight, temperature, k, clipNorm },
          teacher,
        },
        data,
      );
      try {
        await trainer.step(); // warm-up
        const t0 = performance.now();
        for (let i = 0; i < timedSteps; i++) await trainer.step();
        steps.push({ lossType, stepMs: (performance.now() - t0) / timedSteps });
      } finally {
        trainer.dispose();
      }
    }
  } finally {
    disposeParams(teacher.store);
  }
  return {
    kind: 'affinity',
    n: side * side,
    k,
    faMs: fa!.ms,
    ffaMs: ffa!.ms,
    faPeakBytes: fa!.peakBytes,
    ffaPeakBytes: ffa!.peakBytes,
    width,
    batchSize,
    steps,
  };
}
