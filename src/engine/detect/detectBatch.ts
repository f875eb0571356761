/**
 * Batches of a detection split (TECHNIQUES.md §4, the dataset shape of data/detectDataset.ts): seeded reshuffle every epoch,
 * an optional random horizontal flip of the image with its boxes (cx → 1 − cx), zoom-in and letterbox augmentations. Normalisation is the Segment lab's fixed
 * ImageNet mean/std (`segImagesTensor`).
 */
import type { DetectBox, DetectSplit } from '../data/detectDataset';
import type { Box } from './boxes';
import { EpochSampler } from '../data/epochSampler';
import { mulberry32, type Rng } from '../random';

/** The grey of a letterbox's bars (YOLO's 114), as the Detect viewer and the real-photo evaluation pad photos. */
export const LETTERBOX_GREY = 114;
/** Narrowest a letterboxed training image gets, as a fraction of the frame's width (a 3:4 portrait photo in a 2:1 frame is 0.375). */
export const LETTERBOX_MIN_SCALE = 0.35;

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

/**
 * Image `k` of a batch shown as the viewer shows a photo narrower than the frame: squeezed horizontally to `scale`·W columns
 * (linear interpolation between the two nearest source columns, pixel centres aligned, i.e. align-corners false), centred
 * as the viewer centres it, grey bars (LETTERBOX_GREY) left and right. Boxes move and narrow with the image: cx → ox/W + cx·s',
 * w → w·s' with s' = the content width / W. Heights and rows are untouched. In place.
 */
export function letterboxImage(batch: DetectBatch, k: number, height: number, width: number, scale: number): void {
  const cw = Math.max(1, Math.min(width, Math.round(width * scale)));
  const ox = Math.floor((width - cw) / 2);
  const px = height * width;
  const base = k * px * 3;
  const src = batch.images.slice(base, base + px * 3);
  const sx = width / cw;
  for (let x = 0; x < width; x++) {
    const inside = x >= ox && x < ox + cw;
    const f = Math.min(width - 1, Math.max(0, (x - ox + 0.5) * sx - 0.5));
    const x0 = Math.floor(f);
    const x1 = Math.min(width - 1, x0 + 1);
    const t = f - x0;
    for (let y = 0; y < height; y++) {
      const dst = base + (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        batch.images[dst + c] = inside ? Math.round(src[(y * width + x0) * 3 + c]! * (1 - t) + src[(y * width + x1) * 3 + c]! * t) : LETTERBOX_GREY;
      }
    }
  }
  const s = cw / width;
  batch.boxes[k] = batch.boxes[k]!.map((b) => ({ ...b, cx: ox / width + b.cx * s, w: b.w * s }));
}

/** Largest zoom of the zoom augmentation: a window of a 1/ZOOM_MAX_SCALE of the frame's height and width, blown up to the frame. */
export const ZOOM_MAX_SCALE = 2.5;
/** A zoomed box seen on less than this share of its area becomes an ignore region (a sliver of a person is not a target). */
export const ZOOM_MIN_VISIBLE = 0.25;

/**
 * Image `k` of a batch zoomed in by `scale` ≥ 1 (DETR's random-crop augmentation at a fixed aspect, so that near people, as
 * photos show them, are common): the window of H/scale × W/scale pixels whose left edge is at fx·(W − W/scale) and top edge
 * at fy·(H − H/scale) (fx, fy ∈ [0, 1]), resampled bilinearly to the frame with pixel centres aligned (align-corners false:
 * output x samples left + (x + ½)/scale − ½, clamped to the image). Boxes: corners mapped u → (u − left/W)·scale, clipped to
 * the frame; a box that leaves the frame is dropped, one seen on less than ZOOM_MIN_VISIBLE of its (zoomed) area becomes an
 * ignore region; modal boxes cut by the frame's edge stay targets, as in the scenes. In place.
 */
export function zoomImage(batch: DetectBatch, k: number, height: number, width: number, scale: number, fx: number, fy: number): void {
  if (!(scale >= 1)) throw new Error(`The zoom must be at least 1, got ${scale}.`);
  const wh = height / scale;
  const ww = width / scale;
  const top = fy * (height - wh);
  const left = fx * (width - ww);
  const px = height * width;
  const base = k * px * 3;
  const src = batch.images.slice(base, base + px * 3);
  const axis = (n: number, off: number, size: number) =>
    Array.from({ length: n }, (_, i) => {
      const f = Math.min(size - 1, Math.max(0, off + (i + 0.5) / scale - 0.5));
      const i0 = Math.floor(f);
      return { i0, i1: Math.min(size - 1, i0 + 1), t: f - i0 };
    });
  const xs = axis(width, left, width);
  const ys = axis(height, top, height);
  for (let y = 0; y < height; y++) {
    const { i0: y0, i1: y1, t: ty } = ys[y]!;
    for (let x = 0; x < width; x++) {
      const { i0: x0, i1: x1, t: tx } = xs[x]!;
      const dst = base + (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const a = src[(y0 * width + x0) * 3 + c]! * (1 - tx) + src[(y0 * width + x1) * 3 + c]! * tx;
        const b = src[(y1 * width + x0) * 3 + c]! * (1 - tx) + src[(y1 * width + x1) * 3 + c]! * tx;
        batch.images[dst + c] = Math.round(a * (1 - ty) + b * ty);
      }
    }
  }
  const lx = left / width;
  const ty = top / height;
  const out: DetectBox[] = [];
  for (const b of batch.boxes[k]!) {
    const x1 = (b.cx - b.w / 2 - lx) * scale;
    const x2 = (b.cx + b.w / 2 - lx) * scale;
    const y1 = (b.cy - b.h / 2 - ty) * scale;
    const y2 = (b.cy + b.h / 2 - ty) * scale;
    const cx1 = Math.max(0, x1);
    const cx2 = Math.min(1, x2);
    const cy1 = Math.max(0, y1);
    const cy2 = Math.min(1, y2);
    if (cx2 <= cx1 || cy2 <= cy1) continue;
    const visible = ((cx2 - cx1) * (cy2 - cy1)) / ((x2 - x1) * (y2 - y1));
    out.push({ cx: (cx1 + cx2) / 2, cy: (cy1 + cy2) / 2, w: cx2 - cx1, h: cy2 - cy1, ignore: b.ignore || visible < ZOOM_MIN_VISIBLE });
  }
  batch.boxes[k] = out;
}

/** Seeded epoch-wise shuffling over a detection split, with optional flips, zooming and letterboxing. */
export class DetectBatcher {
  private readonly sampler: EpochSampler;
  /** Draws of the letterbox augmentation (apart from the sampler's, so turning it on does not change the order or the flips). */
  private readonly letterboxRng: Rng;
  /** Draws of the zoom augmentation (apart from the others', likewise). */
  private readonly zoomRng: Rng;

  constructor(
    private readonly split: DetectSplit,
    private readonly height: number,
    private readonly width: number,
    seed: number,
    /** Live: flip each drawn image with probability 1/2. */
    flip: boolean,
    /** Live: letterbox each drawn image with this probability, at a width fraction uniform in [LETTERBOX_MIN_SCALE, 1). */
    public letterbox = 0,
    /** Live: zoom each drawn image in with this probability (before any letterboxing), by a factor uniform in [1, ZOOM_MAX_SCALE], at a uniform position. */
    public zoom = 0,
  ) {
    checkDetectSplit(split, height, width, 'training split');
    if (!(letterbox >= 0 && letterbox <= 1)) throw new Error(`The letterbox probability must be in [0, 1], got ${letterbox}.`);
    if (!(zoom >= 0 && zoom <= 1)) throw new Error(`The zoom probability must be in [0, 1], got ${zoom}.`);
    this.sampler = new EpochSampler(split.count, seed, flip);
    this.letterboxRng = mulberry32(seed ^ 0x5bd1e995);
    this.zoomRng = mulberry32(seed ^ 0x2f6b4d1);
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
    const batch = gatherDetectBatch(this.split, indices, this.height, this.width, flips);
    if (this.zoom > 0) {
      for (let k = 0; k < batch.count; k++) {
        if (this.zoomRng() >= this.zoom) continue;
        const scale = 1 + (ZOOM_MAX_SCALE - 1) * this.zoomRng();
        zoomImage(batch, k, this.height, this.width, scale, this.zoomRng(), this.zoomRng());
      }
    }
    if (this.letterbox > 0) {
      for (let k = 0; k < batch.count; k++) {
        if (this.letterboxRng() >= this.letterbox) continue;
        const scale = LETTERBOX_MIN_SCALE + (1 - LETTERBOX_MIN_SCALE) * this.letterboxRng();
        letterboxImage(batch, k, this.height, this.width, scale);
      }
    }
    return batch;
  }
}
