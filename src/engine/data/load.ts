/** Produce the dataset a run config names. */
import type { TrainConfig } from '../../protocol/labs';
import type { ImageDataset } from './dataset';
import { generateShapesDataset } from './shapes';

/** The built-in shapes dataset (NHWC uint8, 32×32×3) for a config, with progress in [0, 1]. */
export function loadDataset(
  config: Pick<TrainConfig, 'dataset' | 'seed' | 'trainSize' | 'testSize'>,
  onProgress: (fraction: number) => void,
): Promise<ImageDataset> {
  return generateShapesDataset({ seed: config.seed, trainSize: config.trainSize, testSize: config.testSize, onProgress });
}
