/** Minibatches from a uint8 image split: seeded epoch shuffles, per-channel normalisation to float32 NHWC. */
import { augmentDrawer, writeAugmented, type Augment, type AugmentDraw } from './augment';
import { mulberry32, type Rng } from '../random';

export interface Split {
  /** NHWC uint8, count × H × W × 3. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

export interface ChannelStats {
  mean: [number, number, number];
  std: [number, number, number];
}

/** Per-channel mean and standard deviation of uint8 RGB images, in the [0, 1] scale. */
export function channelStats(images: Uint8Array): ChannelStats {
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  const n = images.length / 3;
  for (let i = 0; i < images.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      const v = images[i + c]! / 255;
      sum[c]! += v;
      sq[c]! += v * v;
    }
  }
  const mean = sum.map((s) => s / n) as [number, number, number];
  const std = sq.map((s, c) => Math.sqrt(Math.max(s / n - mean[c]! ** 2, 1e-12))) as [number, number, number];
  return { mean, std };
}

export interface Batch {
  /** Normalised float32 NHWC. */
  x: Float32Array;
  /** int32 labels. */
  y: Int32Array;
  size: number;
}

/** Copy images `indices` of `split` into a normalised float32 batch (augmented when `augment` is given). */
export function gatherBatch(split: Split, indices: ArrayLike<number>, pixelsPerImage: number, stats: ChannelStats, augment?: AugmentDraw): Batch {
  const size = indices.length;
  const x = new Float32Array(size * pixelsPerImage * 3);
  const y = new Int32Array(size);
  const scale = stats.std.map((s) => 1 / (255 * s));
  const shift = stats.mean.map((m, c) => m / stats.std[c]!);
  for (let b = 0; b < size; b++) {
    const idx = indices[b]!;
    y[b] = split.labels[idx]!;
    const src = idx * pixelsPerImage * 3;
    const dst = b * pixelsPerImage * 3;
    if (augment) {
      writeAugmented(split.images, src, x, dst, augment.geometry, augment.draw(), scale, shift);
      continue;
    }
    for (let p = 0; p < pixelsPerImage * 3; p += 3) {
      for (let c = 0; c < 3; c++) x[dst + p + c] = split.images[src + p + c]! * scale[c]! - shift[c]!;
    }
  }
  return { x, y, size };
}

/** Endless shuffled minibatches: each epoch visits every image once in a seeded order. */
export class Batcher {
  private order: Uint32Array;
  private cursor = 0;
  private readonly rng: Rng;
  private readonly augment?: AugmentDraw;
  epoch = 0;

  /** `augment` (random crop with zero padding + horizontal flip) draws from its own seeded stream. */
  constructor(
    private readonly split: Split,
    private readonly pixelsPerImage: number,
    private readonly stats: ChannelStats,
    seed: number,
    augment?: Augment,
  ) {
    this.rng = mulberry32(seed);
    if (augment) this.augment = augmentDrawer(augment, mulberry32(seed ^ 0x5bd1e995));
    this.order = new Uint32Array(split.count);
    this.shuffle();
  }

  private shuffle(): void {
    const o = this.order;
    for (let i = 0; i < o.length; i++) o[i] = i;
    for (let i = o.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng() * (i + 1));
      const t = o[i]!;
      o[i] = o[j]!;
      o[j] = t;
    }
  }

  /** The next batch of `size` images; starts a new epoch (reshuffled) when the current one is used up. */
  next(size: number): Batch {
    if (this.cursor + size > this.order.length) {
      this.epoch++;
      this.cursor = 0;
      this.shuffle();
    }
    const indices = this.order.subarray(this.cursor, Math.min(this.cursor + size, this.order.length));
    this.cursor += indices.length;
    return gatherBatch(this.split, indices, this.pixelsPerImage, this.stats, this.augment);
  }

  /** Fractional epochs done, e.g. 1.25. */
  get epochProgress(): number {
    return this.epoch + this.cursor / this.order.length;
  }
}
