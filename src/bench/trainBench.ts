/** Training throughput of the engine's ClassifyTrainer (VGG-16 or ResNet-18, built-in shapes data) on the current backend. */
import { ClassifyTrainer, loadDataset } from '../engine';
import { TRAIN_LAB } from '../protocol/labs/train';
import type { TrainResult } from './types';

/** Build a trainer, run one warm-up step (shader compilation), then time `timedSteps` steps. */
export async function benchTraining(model: 'vgg16' | 'resnet18', width: number, batchSize: number, timedSteps: number): Promise<TrainResult> {
  const config = { ...TRAIN_LAB.defaults(), model, width, batchSize, trainSize: 64, testSize: 16 };
  const data = await loadDataset(config, () => undefined);
  const t0 = performance.now();
  const trainer = new ClassifyTrainer(config, data);
  const tBuilt = performance.now();
  try {
    await trainer.step();
    const t1 = performance.now();
    const stepMs: number[] = [];
    let finalLoss = NaN;
    for (let i = 0; i < timedSteps; i++) {
      const s = performance.now();
      const r = await trainer.step();
      stepMs.push(performance.now() - s);
      finalLoss = r.loss;
    }
    const meanStepMs = stepMs.reduce((a, b) => a + b, 0) / stepMs.length;
    return {
      kind: 'train',
      model,
      width,
      batchSize: trainer.batchSize,
      params: trainer.numParams,
      setupMs: tBuilt - t0,
      warmupStepMs: t1 - tBuilt,
      stepMs,
      meanStepMs,
      imagesPerSecond: trainer.batchSize / (meanStepMs / 1000),
      finalLoss,
    };
  } finally {
    trainer.dispose();
  }
}
