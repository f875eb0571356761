/**
 * Batches of a segmentation split (TECHNIQUES.md §2): seeded reshuffle every epoch, optional random
 * horizontal flip of image and labels together, and the fixed input normalisation every Segment-lab
 * model uses (so shipped weights work on any image, whatever dataset they were trained on).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { SegSplit } from './segDataset';
import { EpochSampler } from './epochSampler';
import { applySegAugment, drawSegAugment, type SegAugment } from './segAugment';
import { mulberry32, type Rng } from '../random';

/** Per-channel RGB mean and std on the 0–255 scale (the ImageNet constants). */
export const SEG_MEAN = [123.675, 116.28, 103.53] as const;
export const SEG_STD = [58.395, 57.12, 57.375] as const;

/** NHWC uint8 RGB images (count×h×w×3) → normalised float32 `[count, h, w, 3]`. */
export function segImagesTensor(images: Uint8Array, count: number, height: number, width: number): tf.Tensor4D {
  const n = count * height * width;
  if (images.length !== n * 3) throw new Error(`Expected ${n * 3} bytes for ${count} RGB images of ${height}×${width}, got ${images.length}.`);
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n * 3; i += 3) {
    out[i] = (images[i]! - SEG_MEAN[0]) / SEG_STD[0];
    out[i + 1] = (images[i + 1]! - SEG_MEAN[1]) / SEG_STD[1];
    out[i + 2] = (images[i + 2]! - SEG_MEAN[2]) / SEG_STD[2];
  }
  return tf.tensor4d(out, [count, height, width, 3]);
}

export interface SegBatch {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** Copy images/labels `indices` of a split, flipping each one left–right when `flips[k]`. */
export function gatherSegBatch(split: SegSplit, indices: readonly number[], height: number, width: number, flips?: readonly boolean[]): SegBatch {
  const px = height * width;
  const images = new Uint8Array(indices.length * px * 3);
  const labels = new Uint8Array(indices.length * px);
  indices.forEach((idx, k) => {
    if (!(idx >= 0 && idx < split.count)) throw new RangeError(`Image ${idx} is outside the split of ${split.count}.`);
    const img = split.images.subarray(idx * px * 3, (idx + 1) * px * 3);
    const lab = split.labels.subarray(idx * px, (idx + 1) * px);
    if (!flips?.[k]) {
      images.set(img, k * px * 3);
      labels.set(lab, k * px);
      return;
    }
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const src = y * width + (width - 1 - x);
        const dst = k * px + y * width + x;
        labels[dst] = lab[src]!;
        images[dst * 3] = img[src * 3]!;
        images[dst * 3 + 1] = img[src * 3 + 1]!;
        images[dst * 3 + 2] = img[src * 3 + 2]!;
      }
    }
  });
  return { images, labels, count: indices.length };
}

/** Seeded epoch-wise shuffling over a split, with optional flips and zoom / colour augmentation (segAugment.ts). */
export class SegBatcher {
  private readonly sampler: EpochSampler;
  /** The augmentation's own seeded stream (so turning it on leaves the order and flips unchanged). */
  private readonly augmentRng: Rng;
  /** The augmentation, null when it would change nothing (zoom 1, colour 0). */
  private readonly augment: SegAugment | null;

  constructor(
    private readonly split: SegSplit,
    private readonly height: number,
    private readonly width: number,
    seed: number,
    flip: boolean,
    augment: SegAugment | null = null,
  ) {
    this.sampler = new EpochSampler(split.count, seed, flip);
    this.augment = augment && (augment.maxZoom > 1 || augment.color > 0) ? augment : null;
    this.augmentRng = mulberry32(seed ^ 0x2545f491);
  }

  /** Fractional epochs drawn so far. */
  get epochProgress(): number {
    return this.sampler.epochProgress;
  }

  /** The next `size` images (wrapping into a fresh shuffle at the end of an epoch). */
  next(size: number): SegBatch {
    const { indices, flips } = this.sampler.next(size);
    const batch = gatherSegBatch(this.split, indices, this.height, this.width, flips);
    const a = this.augment;
    if (a) {
      const px = this.height * this.width;
      for (let k = 0; k < batch.count; k++) {
        const d = drawSegAugment(a, this.height, this.width, this.augmentRng);
        applySegAugment(batch.images.subarray(k * px * 3, (k + 1) * px * 3), batch.labels.subarray(k * px, (k + 1) * px), this.height, this.width, d);
      }
    }
    return batch;
  }
}
