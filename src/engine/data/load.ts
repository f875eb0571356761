/** Produce the dataset a run config names, in chunks so the worker stays responsive while generating. */
import type { TrainConfig } from '../../protocol/config';
import type { ImageDataset, ImageSplit } from './dataset';
import { SHAPE_CLASS_NAMES, SHAPE_SPLIT, renderShapeImage, shapeLabel } from './shapes';

const SIZE = 32;
const CHUNK = 250;

const pause = () => new Promise<void>((r) => setTimeout(r, 0));

async function generateSplit(seed: number, split: 0 | 1, count: number, onImages: (n: number) => void): Promise<ImageSplit> {
  const stride = SIZE * SIZE * 3;
  const images = new Uint8Array(count * stride);
  const labels = new Uint8Array(count);
  for (let start = 0; start < count; start += CHUNK) {
    const end = Math.min(count, start + CHUNK);
    for (let i = start; i < end; i++) {
      labels[i] = shapeLabel(seed, split, i);
      renderShapeImage(seed, split, i, labels[i]!, images, i * stride);
    }
    onImages(end - start);
    await pause();
  }
  return { images, labels, count };
}

/** The built-in shapes dataset (NHWC uint8, 32×32×3) for a config, with progress in [0, 1]. */
export async function loadDataset(config: TrainConfig, onProgress: (fraction: number) => void): Promise<ImageDataset> {
  const total = config.trainSize + config.testSize;
  let done = 0;
  const tick = (n: number) => onProgress((done += n) / total);
  const train = await generateSplit(config.seed, SHAPE_SPLIT.train, config.trainSize, tick);
  const test = await generateSplit(config.seed, SHAPE_SPLIT.test, config.testSize, tick);
  return { name: 'shapes', classNames: SHAPE_CLASS_NAMES, height: SIZE, width: SIZE, channels: 3, train, test };
}
