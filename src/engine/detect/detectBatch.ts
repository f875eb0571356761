/**
 * Batches of a detection split (TECHNIQUES.md §4, the dataset shape of data/detectDataset.ts): seeded reshuffle every epoch
 * and an optional random horizontal flip of the image with its boxes (cx → 1 − cx). Normalisation is the Segment lab's fixed
 * ImageNet mean/std (`segImagesTensor`).
 */
import type { DetectBox, DetectSplit } from '../data/detectDataset';
import type { Box } from './boxes';
import { EpochSampler } from '../data/epochSampler';

export interface DetectBatch {
  /** count·H·W·3 bytes. */
  images: Uint8Array;
  boxes: DetectBox[][];
  count: number;
  /** The split indices drawn (for tests and logs). */
  indices: number[];
}

/** Throw one clear sentence unless the split is consistent with height × width RGB images. */
export function checkDetectSplit(s: DetectSplit, height: number, width: number, what = 'split'): void {
  const n = s.count;
  if (s.boxes.length !== n) throw new Error(`The ${what} has ${n} images but ${s.boxes.length} box lists.`);
  if (s.images.length !== n * height * width * 3)
    throw new Error(`The ${what} needs ${n * height * width * 3} image bytes for ${n} RGB images of ${height}×${width}, got ${s.images.length}.`);
  s.boxes.forEach((bs, i) => {
    for (const b of bs) {
      if (![b.cx, b.cy, b.w, b.h].every(Number.isFinite)) throw new Error(`Image ${i} of the ${what} has a malformed box ${JSON.stringify(b)}.`);
    }
  });
}

/** A box flipped left–right (normalised cx → 1 − cx). */
export function flipBox(b: DetectBox): DetectBox {
  return { ...b, cx: 1 - b.cx };
}

/** A DetectBox as DETR's (cx, cy, w, h) tuple. */
export function boxTuple(b: DetectBox): Box {
  return [b.cx, b.cy, b.w, b.h];
}

/** The training targets of each image: its non-ignored boxes as (cx, cy, w, h). Ignore boxes are never matched. */
export function targetBoxes(boxes: readonly (readonly DetectBox[])[]): Box[][] {
  return boxes.map((bs) => bs.filter((b) => !b.ignore).map(boxTuple));
}

/** Copy images `indices` of a split with their boxes, flipping each one left–right when `flips[k]`. */
export function gatherDetectBatch(split: DetectSplit, indices: readonly number[], height: number, width: number, flips?: readonly boolean[]): DetectBatch {
  const px = height * width;
  const images = new Uint8Array(indices.length * px * 3);
  const boxes: DetectBox[][] = [];
  indices.forEach((idx, k) => {
    if (!(idx >= 0 && idx < split.count)) throw new RangeError(`Image ${idx} is outside the split of ${split.count}.`);
    const img = split.images.subarray(idx * px * 3, (idx + 1) * px * 3);
    if (!flips?.[k]) {
      images.set(img, k * px * 3);
      boxes.push(split.boxes[idx]!.map((b) => ({ ...b })));
      return;
    }
    boxes.push(split.boxes[idx]!.map(flipBox));
    for (let y = 0; y < height; y++) {
      const row = y * width;
      for (let x = 0; x < width; x++) {
        const src = (row + width - 1 - x) * 3;
        const dst = (k * px + row + x) * 3;
        images[dst] = img[src]!;
        images[dst + 1] = img[src + 1]!;
        images[dst + 2] = img[src + 2]!;
      }
    }
  });
  return { images, boxes, count: indices.length, indices: [...indices] };
}

/** Seeded epoch-wise shuffling over a detection split, with optional flips. */
export class DetectBatcher {
  private readonly sampler: EpochSampler;

  constructor(
    private readonly split: DetectSplit,
    private readonly height: number,
    private readonly width: number,
    seed: number,
    /** Live: flip each drawn image with probability 1/2. */
    flip: boolean,
  ) {
    checkDetectSplit(split, height, width, 'training split');
    this.sampler = new EpochSampler(split.count, seed, flip);
  }

  /** Fractional epochs drawn so far. */
  get epochProgress(): number {
    return this.sampler.epochProgress;
  }

  /** Live: flip each drawn image with probability 1/2. */
  get flip(): boolean {
    return this.sampler.flip;
  }
  set flip(on: boolean) {
    this.sampler.flip = on;
  }

  /** The next `size` images (wrapping into a fresh shuffle at the end of an epoch). */
  next(size: number): DetectBatch {
    const { indices, flips } = this.sampler.next(size);
    return gatherDetectBatch(this.split, indices, this.height, this.width, flips);
  }
}
