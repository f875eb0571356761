import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { applySegAugment, drawSegAugment, validateSegAugment, type SegAugmentDraw } from './segAugment';
import { SegBatcher } from './segBatcher';

const still: Omit<SegAugmentDraw, 'zoom' | 'y0' | 'x0'> = { brightness: 1, contrast: 1, saturation: 1 };

/** A 6×10 image whose channels are linear in (x, y): bilinear sampling reproduces a linear function exactly. */
function ramp(h: number, w: number): { image: Uint8Array; labels: Uint8Array } {
  const image = new Uint8Array(h * w * 3);
  const labels = new Uint8Array(h * w);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      image[(y * w + x) * 3] = 10 * x;
      image[(y * w + x) * 3 + 1] = 20 * y;
      image[(y * w + x) * 3 + 2] = 10 * x + 20 * y;
      labels[y * w + x] = x;
    }
  return { image, labels };
}

describe('segmentation zoom / colour augmentation', () => {
  it('zoom 1 with neutral colour leaves image and labels byte-identical', () => {
    const { image, labels } = ramp(6, 10);
    const [i0, l0] = [image.slice(), labels.slice()];
    applySegAugment(image, labels, 6, 10, { zoom: 1, y0: 0, x0: 0, ...still });
    expect(image).toEqual(i0);
    expect(labels).toEqual(l0);
  });

  it('zoom resamples the window bilinearly at half-pixel centres; labels by the source pixel holding each centre', () => {
    const h = 6;
    const w = 10;
    const d = { zoom: 2, y0: 1.5, x0: 2.25, ...still };
    const { image, labels } = ramp(h, w);
    applySegAugment(image, labels, h, w, d);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        // Source coordinates by hand: sy = y0 + (y + ½)/s − ½ (inside the image for this window, so no clamping).
        const sy = 1.5 + (y + 0.5) / 2 - 0.5;
        const sx = 2.25 + (x + 0.5) / 2 - 0.5;
        const o = (y * w + x) * 3;
        expect(image[o]).toBe(Math.round(10 * sx));
        expect(image[o + 1]).toBe(Math.round(20 * sy));
        expect(image[o + 2]).toBe(Math.round(10 * sx + 20 * sy));
        expect(labels[y * w + x]).toBe(Math.floor(2.25 + (x + 0.5) / 2));
      }
  });

  it('colour: brightness scales, contrast pulls to the mean grey level, saturation to each pixel’s grey (by hand)', () => {
    const lab = new Uint8Array(2);
    const b = new Uint8Array([100, 50, 0, 10, 20, 30]);
    applySegAugment(b, lab, 1, 2, { zoom: 1, y0: 0, x0: 0, brightness: 1.2, contrast: 1, saturation: 1 });
    expect(Array.from(b)).toEqual([120, 60, 0, 12, 24, 36]);

    const c = new Uint8Array([0, 0, 0, 200, 200, 200]);
    applySegAugment(c, lab, 1, 2, { zoom: 1, y0: 0, x0: 0, brightness: 1, contrast: 0.5, saturation: 1 });
    expect(Array.from(c)).toEqual([50, 50, 50, 150, 150, 150]);

    const s = new Uint8Array([200, 100, 50, 255, 255, 255]);
    applySegAugment(s, lab, 1, 2, { zoom: 1, y0: 0, x0: 0, brightness: 1, contrast: 1, saturation: 0 });
    // grey 0.299·200 + 0.587·100 + 0.114·50 = 124.2
    expect(Array.from(s)).toEqual([124, 124, 124, 255, 255, 255]);

    const clip = new Uint8Array([250, 10, 10, 0, 0, 0]);
    applySegAugment(clip, lab, 1, 2, { zoom: 1, y0: 0, x0: 0, brightness: 1.5, contrast: 1, saturation: 1 });
    expect(Array.from(clip)).toEqual([255, 15, 15, 0, 0, 0]);
    expect(Array.from(lab)).toEqual([0, 0]);
  });

  it('draws stay in range, windows inside the image, and the same seed draws the same', () => {
    const a = { maxZoom: 1.6, color: 0.3 };
    const r1 = mulberry32(7);
    const r2 = mulberry32(7);
    for (let i = 0; i < 200; i++) {
      const d = drawSegAugment(a, 64, 128, r1);
      expect(drawSegAugment(a, 64, 128, r2)).toEqual(d);
      expect(d.zoom).toBeGreaterThanOrEqual(1);
      expect(d.zoom).toBeLessThanOrEqual(1.6);
      expect(d.y0).toBeGreaterThanOrEqual(0);
      expect(d.y0 + 64 / d.zoom).toBeLessThanOrEqual(64 + 1e-9);
      expect(d.x0 + 128 / d.zoom).toBeLessThanOrEqual(128 + 1e-9);
      for (const f of [d.brightness, d.contrast, d.saturation]) {
        expect(f).toBeGreaterThanOrEqual(0.7);
        expect(f).toBeLessThanOrEqual(1.3);
      }
    }
    expect(() => validateSegAugment({ maxZoom: 0.5, color: 0 })).toThrow(/zoom must be between 1 and 4/);
    expect(() => validateSegAugment({ maxZoom: 1, color: 1 })).toThrow(/colour jitter/);
  });

  it('the batcher draws the same images and flips with augmentation on, and augments only when asked', () => {
    const h = 6;
    const w = 10;
    const count = 5;
    const images = new Uint8Array(count * h * w * 3);
    const labels = new Uint8Array(count * h * w);
    for (let k = 0; k < count; k++) {
      const r = ramp(h, w);
      images.set(
        r.image.map((v) => Math.min(255, v + k)),
        k * h * w * 3,
      );
      labels.set(r.labels, k * h * w);
    }
    const split = { images, labels, count };
    const plain = new SegBatcher(split, h, w, 3, true);
    const off = new SegBatcher(split, h, w, 3, true, { maxZoom: 1, color: 0 });
    const on = new SegBatcher(split, h, w, 3, true, { maxZoom: 2, color: 0.4 });
    for (let i = 0; i < 4; i++) {
      const a = plain.next(3);
      expect(off.next(3)).toEqual(a);
      const b = on.next(3);
      expect(b.count).toBe(3);
      expect(b.images).not.toEqual(a.images);
      // Zoom-in only: every label still a column index, and never one the image lacks.
      for (const v of b.labels) expect(v).toBeLessThan(w);
    }
  });
});
