/** The classification dataset of the last run, kept so the next run on the same data starts at once. */
import type { ImageDataset } from '../engine';
import type { TrainConfig } from '../protocol/labs';

export type ImageDataRequest = Pick<TrainConfig, 'dataset' | 'seed' | 'trainSize' | 'testSize'>;

export class ImageDataCache {
  private cache: { key: string; data: ImageDataset } | null = null;

  constructor(private readonly load: (config: ImageDataRequest, onProgress: (fraction: number) => void) => Promise<ImageDataset>) {}

  /** The dataset a config names (imported ones are fixed; the built-in one depends on seed and sizes). */
  async get(config: ImageDataRequest, onProgress: (fraction: number) => void): Promise<ImageDataset> {
    const key = config.dataset === 'shapes' ? `shapes:${config.seed}:${config.trainSize}:${config.testSize}` : config.dataset;
    if (this.cache?.key === key) return this.cache.data;
    this.cache = null; // free the old one before loading the next
    const data = await this.load(config, onProgress);
    this.cache = { key, data };
    return data;
  }

  /** Drop a cached dataset (after it was deleted from storage). */
  forget(id: string): void {
    if (this.cache?.key === id) this.cache = null;
  }
}
