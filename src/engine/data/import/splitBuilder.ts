/** A growable NHWC uint8 image split filled in place, in segments (one per file) put in canonical order at the end. */
import type { ImageSplit } from '../dataset';

interface Segment {
  /** Canonical rank of the file (e.g. the batch number); segments are sorted by it, stably. */
  order: number;
  start: number;
  count: number;
}

/** Builds one ImageSplit (NHWC uint8 images + uint8 labels) without ever holding it twice for standard-sized inputs. */
export class SplitBuilder {
  images = new Uint8Array(0);
  labels = new Uint8Array(0);
  /** Images written so far; the next one goes at byte `count * imageBytes`. */
  count = 0;
  private capacity = 0;
  private readonly segments: Segment[] = [];

  constructor(readonly imageBytes: number) {}

  /** Make room for `images` images in total up front (used when every file size is known in advance). */
  reserve(images: number): void {
    if (images > this.capacity) this.grow(images);
  }

  /** Start a file of `records` images; if the buffers must grow, grow them to at least `hint` images in total. */
  beginSegment(order: number, records: number, hint = 0): void {
    const needed = this.count + records;
    if (needed > this.capacity) this.grow(Math.max(needed, hint));
    this.segments.push({ order, start: this.count, count: 0 });
  }

  /** Byte offset in `images` where the next image must be written (NHWC). */
  get nextImageOffset(): number {
    return this.count * this.imageBytes;
  }

  /** Record the label of the image just written at `nextImageOffset`. */
  commit(label: number): void {
    this.labels[this.count++] = label;
    const segment = this.segments[this.segments.length - 1];
    if (segment) segment.count++;
  }

  /** The finished split: segments sorted by `order` in place, buffers trimmed if fewer images came than reserved. */
  finish(): ImageSplit {
    this.sortSegments();
    const images = this.count === this.capacity ? this.images : this.images.slice(0, this.nextImageOffset);
    const labels = this.count === this.capacity ? this.labels : this.labels.slice(0, this.count);
    return { images, labels, count: this.count };
  }

  private grow(capacity: number): void {
    const images = new Uint8Array(capacity * this.imageBytes);
    images.set(this.images.subarray(0, this.nextImageOffset));
    const labels = new Uint8Array(capacity);
    labels.set(this.labels.subarray(0, this.count));
    this.images = images;
    this.labels = labels;
    this.capacity = capacity;
  }

  /** Selection sort by rotations (three in-place reversals each), so no second copy of the images is needed. */
  private sortSegments(): void {
    const segs = this.segments;
    for (let i = 0; i < segs.length; i++) {
      let j = i;
      for (let k = i + 1; k < segs.length; k++) if (segs[k]!.order < segs[j]!.order) j = k;
      if (j === i) continue;
      const moved = segs[j]!;
      const to = segs[i]!.start;
      this.rotate(to, moved.start, moved.start + moved.count);
      for (let k = i; k < j; k++) segs[k]!.start += moved.count;
      moved.start = to;
      segs.splice(j, 1);
      segs.splice(i, 0, moved);
    }
  }

  /** Turn records [a, b) [b, c) into [b, c) [a, b), in both images and labels. */
  private rotate(a: number, b: number, c: number): void {
    const size = this.imageBytes;
    for (const [array, unit] of [
      [this.images, size],
      [this.labels, 1],
    ] as const) {
      array.subarray(a * unit, b * unit).reverse();
      array.subarray(b * unit, c * unit).reverse();
      array.subarray(a * unit, c * unit).reverse();
    }
  }
}
