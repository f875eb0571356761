import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { augmentDrawer, writeAugmented, type Augment } from './augment';
import { Batcher, gatherBatch } from './batcher';

/** A 3×4 RGB image whose red value encodes its position: r = 10·y + x + 1 (never 0), g = 100, b = 200. */
function tinyImage(h = 3, w = 4): Uint8Array {
  const img = new Uint8Array(h * w * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      img[i] = 10 * y + x + 1;
      img[i + 1] = 100;
      img[i + 2] = 200;
    }
  }
  return img;
}

const identity = { scale: [1, 1, 1], shift: [0, 0, 0] };
const red = (out: Float32Array, h: number, w: number) => Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => out[(y * w + x) * 3]));

describe('writeAugmented', () => {
  const g: Augment = { height: 3, width: 4, padding: 1, flip: true };
  it('centre crop without flip is the image itself', () => {
    const out = new Float32Array(36);
    writeAugmented(tinyImage(), 0, out, 0, g, { dy: 1, dx: 1, flip: false }, identity.scale, identity.shift);
    expect(Array.from(out)).toEqual(Array.from(tinyImage()));
  });
  it('the top-left crop shifts the image down-right and pads with zeros', () => {
    const out = new Float32Array(36);
    writeAugmented(tinyImage(), 0, out, 0, g, { dy: 0, dx: 0, flip: false }, identity.scale, identity.shift);
    expect(red(out, 3, 4)).toEqual([
      [0, 0, 0, 0],
      [0, 1, 2, 3],
      [0, 11, 12, 13],
    ]);
  });
  it('flip mirrors the cropped image (crop first, then flip, as torchvision)', () => {
    const out = new Float32Array(36);
    writeAugmented(tinyImage(), 0, out, 0, g, { dy: 1, dx: 2, flip: true }, identity.scale, identity.shift);
    // crop at dx=2 (shift left by 1): rows [2,3,4,0]; mirrored: [0,4,3,2]
    expect(red(out, 3, 4)).toEqual([
      [0, 4, 3, 2],
      [0, 14, 13, 12],
      [0, 24, 23, 22],
    ]);
  });
  it('padding becomes −mean/std after normalisation', () => {
    const out = new Float32Array(36);
    writeAugmented(tinyImage(), 0, out, 0, g, { dy: 0, dx: 0, flip: false }, [0.5, 0.5, 0.5], [2, 3, 4]);
    expect(Array.from(out.subarray(0, 3))).toEqual([-2, -3, -4]);
    expect(out[(1 * 4 + 1) * 3]).toBeCloseTo(1 * 0.5 - 2); // image(0,0) red = 1
  });
});

describe('augmentDrawer', () => {
  it('draws every offset 0…2p and flips about half the time, reproducibly', () => {
    const draws = augmentDrawer({ height: 32, width: 32, padding: 4, flip: true }, mulberry32(7));
    const seen = new Set<number>();
    let flips = 0;
    for (let i = 0; i < 4000; i++) {
      const d = draws.draw();
      seen.add(d.dx);
      seen.add(d.dy);
      if (d.flip) flips++;
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(flips / 4000).toBeGreaterThan(0.46);
    expect(flips / 4000).toBeLessThan(0.54);
    const again = augmentDrawer({ height: 32, width: 32, padding: 4, flip: true }, mulberry32(7));
    const first = augmentDrawer({ height: 32, width: 32, padding: 4, flip: true }, mulberry32(7)).draw();
    expect(again.draw()).toEqual(first);
  });
});

describe('Batcher with augmentation', () => {
  it('augments every image with its own draw and keeps labels aligned', () => {
    const count = 64;
    const images = new Uint8Array(count * 12 * 3);
    for (let i = 0; i < count; i++) images.set(tinyImage(), i * 36);
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
    const split = { images, labels, count };
    const stats = { mean: [0, 0, 0] as [number, number, number], std: [1 / 255, 1 / 255, 1 / 255] as [number, number, number] };
    const plain = new Batcher(split, 12, stats, 3).next(count);
    const aug = new Batcher(split, 12, stats, 3, { height: 3, width: 4, padding: 1, flip: true }).next(count);
    expect(Array.from(aug.y)).toEqual(Array.from(plain.y)); // same shuffle
    const distinct = new Set<string>();
    for (let b = 0; b < count; b++) distinct.add(Array.from(aug.x.subarray(b * 36, b * 36 + 36)).join(','));
    expect(distinct.size).toBeGreaterThan(8);
    // With padding 0 and no flip, augmentation is the identity.
    const none = new Batcher(split, 12, stats, 3, { height: 3, width: 4, padding: 0, flip: false }).next(count);
    expect(Array.from(none.x)).toEqual(
      Array.from(
        gatherBatch(
          split,
          Array.from({ length: count }, (_, i) => i),
          12,
          stats,
        ).x,
      ),
    );
  });
});
