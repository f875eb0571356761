import { describe, expect, it } from 'vitest';
import type { DetectBox, DetectSplit } from '../data/detectDataset';
import { DetectBatcher, LETTERBOX_GREY, LETTERBOX_MIN_SCALE, letterboxImage, ZOOM_MAX_SCALE, zoomImage, type DetectBatch } from './detectBatch';

const H = 2;
const W = 8;

/** One H × W image whose pixel (y, x) channel c holds 10·x + y + 100·c. */
function ramp(): Uint8Array {
  const img = new Uint8Array(H * W * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) img[(y * W + x) * 3 + c] = 10 * x + y + 100 * c;
  return img;
}

describe('letterboxImage', () => {
  it('squeezes the image into a centred column band between grey bars and moves its boxes with it (by hand)', () => {
    const boxes: DetectBox[] = [
      { cx: 0.5, cy: 0.5, w: 0.5, h: 1, ignore: false },
      { cx: 0, cy: 0.25, w: 0.25, h: 0.5, ignore: true },
    ];
    const batch: DetectBatch = { images: ramp(), boxes: [boxes], count: 1, indices: [0] };
    letterboxImage(batch, 0, H, W, 0.5);
    // Content 4 columns wide at ox = 2; column x samples source column (x − 2 + ½)·2 − ½: 0.5, 2.5, 4.5, 6.5.
    const at = (y: number, x: number, c: number) => batch.images[(y * W + x) * 3 + c];
    for (const x of [0, 1, 6, 7]) for (let c = 0; c < 3; c++) expect(at(1, x, c)).toBe(LETTERBOX_GREY);
    // Row 1, channel 0: source values 10·x + 1 → at 0.5 between 1 and 11 = 6; 2.5 → 26; 4.5 → 46; 6.5 → 66.
    expect([2, 3, 4, 5].map((x) => at(1, x, 0))).toEqual([6, 26, 46, 66]);
    // Row 0, channel 2: bytes 200, 210, …, 250, then 260 and 270 wrap to 4 and 14 → 205, 225, 245, (4 + 14) / 2.
    expect([2, 3, 4, 5].map((x) => at(0, x, 2))).toEqual([205, 225, 245, 9]);
    // Boxes: cx → 2/8 + cx·½, w → w·½; cy, h and the ignore flag kept.
    expect(batch.boxes[0]).toEqual([
      { cx: 0.5, cy: 0.5, w: 0.25, h: 1, ignore: false },
      { cx: 0.25, cy: 0.25, w: 0.125, h: 0.5, ignore: true },
    ]);
  });

  it('is the identity at scale 1', () => {
    const batch: DetectBatch = { images: ramp(), boxes: [[{ cx: 0.3, cy: 0.4, w: 0.2, h: 0.1, ignore: false }]], count: 1, indices: [0] };
    letterboxImage(batch, 0, H, W, 1);
    expect(batch.images).toEqual(ramp());
    expect(batch.boxes[0]).toEqual([{ cx: 0.3, cy: 0.4, w: 0.2, h: 0.1, ignore: false }]);
  });
});

describe('DetectBatcher letterboxing', () => {
  const split: DetectSplit = {
    images: new Uint8Array(Array.from({ length: 4 }, () => Array.from(ramp())).flat()),
    boxes: Array.from({ length: 4 }, () => [{ cx: 0.5, cy: 0.5, w: 0.5, h: 1, ignore: false }]),
    count: 4,
  };

  it('keeps the order and flips of the unaugmented stream, and letterboxes every image at probability 1 within the scale range', () => {
    const plain = new DetectBatcher(split, H, W, 7, true);
    const boxed = new DetectBatcher(split, H, W, 7, true, 1);
    for (let i = 0; i < 3; i++) {
      const a = plain.next(3);
      const b = boxed.next(3);
      expect(b.indices).toEqual(a.indices);
      for (const bs of b.boxes) {
        const s = bs[0]!.w / 0.5;
        expect(s).toBeGreaterThanOrEqual(Math.round(W * LETTERBOX_MIN_SCALE) / W);
        expect(s).toBeLessThanOrEqual(1);
      }
      // Column 0 is a bar whenever the content is at least two columns narrower than the frame (offset ≥ 1).
      b.boxes.forEach((bs, k) => {
        if (bs[0]!.w * 2 * W <= W - 2 + 1e-9) expect(b.images[k * H * W * 3]).toBe(LETTERBOX_GREY);
      });
    }
  });

  it('changes nothing at probability 0 and refuses a probability outside [0, 1]', () => {
    const b = new DetectBatcher(split, H, W, 7, false, 0).next(2);
    expect(b.images).toEqual(new Uint8Array([...ramp(), ...ramp()]));
    expect(() => new DetectBatcher(split, H, W, 7, false, 1.5)).toThrow(/letterbox probability/);
  });
});

describe('zoomImage', () => {
  it('blows the top-left window up bilinearly with pixel centres aligned, and clips, drops or ignores the boxes (by hand)', () => {
    const boxes: DetectBox[] = [
      { cx: 0.25, cy: 0.5, w: 0.25, h: 1, ignore: false }, // x 0.125–0.375 → 0.25–0.75; y 0–1 → 0–2, half seen
      { cx: 0.9, cy: 0.5, w: 0.2, h: 1, ignore: false }, // x 0.8–1 → 1.6–2: out of the window
      { cx: 0.65, cy: 0.5, w: 0.5, h: 1, ignore: false }, // x 0.4–0.9 → 0.8–1.8: a fifth of its width × half its height seen
      { cx: 0.2, cy: 0.25, w: 0.1, h: 0.5, ignore: true }, // wholly inside, stays an ignore region
    ];
    const batch: DetectBatch = { images: ramp(), boxes: [boxes], count: 1, indices: [0] };
    zoomImage(batch, 0, H, W, 2, 0, 0);
    // Window 1×4 at (0, 0). Output (y, x) samples source (y/2 − ¼, x/2 − ¼), clamped at 0: rows 0 and 0.25; columns 0, 0.25, 0.75, …, 3.25.
    // Channel 0 is 10·x + y: row 1 → 10·[0, .25, .75, 1.25, 1.75, 2.25, 2.75, 3.25] + 0.25, rounded.
    const at = (y: number, x: number, c: number) => batch.images[(y * W + x) * 3 + c];
    expect(Array.from({ length: W }, (_, x) => at(1, x, 0))).toEqual([0, 3, 8, 13, 18, 23, 28, 33]);
    expect(Array.from({ length: W }, (_, x) => at(0, x, 1))).toEqual([100, 103, 108, 113, 118, 123, 128, 133]);
    const close = (b: DetectBox) => ({ ...b, cx: +b.cx.toFixed(12), cy: +b.cy.toFixed(12), w: +b.w.toFixed(12), h: +b.h.toFixed(12) });
    expect(batch.boxes[0]!.map(close)).toEqual([
      { cx: 0.5, cy: 0.5, w: 0.5, h: 1, ignore: false },
      { cx: 0.9, cy: 0.5, w: 0.2, h: 1, ignore: true }, // 0.1 of its area seen < ZOOM_MIN_VISIBLE
      { cx: 0.4, cy: 0.5, w: 0.2, h: 1, ignore: true },
    ]);
  });

  it('places the window by (fx, fy) and is the identity at zoom 1', () => {
    const batch: DetectBatch = { images: ramp(), boxes: [[{ cx: 0.5, cy: 0.5, w: 0.25, h: 0.5, ignore: false }]], count: 1, indices: [0] };
    zoomImage(batch, 0, H, W, 2, 1, 1);
    // Window 1×4 with its top-left at (row 1, column 4): output (0, 0) samples source (1 + ¼ − ½, 4 + ¼ − ½) = (0.75, 3.75).
    expect(batch.images[0]).toBe(Math.round(10 * 3.75 + 0.75));
    // The box x 0.375–0.625 → (u − 0.5)·2 = −0.25–0.25, y 0.25–0.75 → (v − 0.5)·2 = −0.5–0.5: a quarter seen, the top-left corner.
    expect(batch.boxes[0]).toEqual([{ cx: 0.125, cy: 0.25, w: 0.25, h: 0.5, ignore: false }]);
    const same: DetectBatch = { images: ramp(), boxes: [[{ cx: 0.3, cy: 0.4, w: 0.2, h: 0.1, ignore: false }]], count: 1, indices: [0] };
    zoomImage(same, 0, H, W, 1, 0.7, 0.2);
    expect(same.images).toEqual(ramp());
    expect(same.boxes[0]!.map((b) => [b.cx, b.cy, b.w, b.h].map((v) => +v.toFixed(12)))).toEqual([[0.3, 0.4, 0.2, 0.1]]);
    expect(() => zoomImage(same, 0, H, W, 0.5, 0, 0)).toThrow(/at least 1/);
  });

  it('DetectBatcher: zooms within [1, ZOOM_MAX_SCALE] without changing the order, and refuses a probability outside [0, 1]', () => {
    const split: DetectSplit = {
      images: new Uint8Array(Array.from({ length: 4 }, () => Array.from(ramp())).flat()),
      boxes: Array.from({ length: 4 }, () => [{ cx: 0.5, cy: 0.5, w: 0.5, h: 1, ignore: false }]),
      count: 4,
    };
    const plain = new DetectBatcher(split, H, W, 7, true);
    const zoomed = new DetectBatcher(split, H, W, 7, true, 0, 1);
    for (let i = 0; i < 3; i++) {
      const a = plain.next(3);
      const b = zoomed.next(3);
      expect(b.indices).toEqual(a.indices);
      // The full-height box is cut by the window's top and bottom: its height is the frame's, its width scale × 0.5 at most.
      for (const bs of b.boxes) for (const x of bs) expect(x.h).toBeCloseTo(1, 12);
      for (const bs of b.boxes) for (const x of bs) expect(x.w).toBeLessThanOrEqual(Math.min(1, 0.5 * ZOOM_MAX_SCALE) + 1e-12);
    }
    expect(() => new DetectBatcher(split, H, W, 7, false, 0, -0.1)).toThrow(/zoom probability/);
  });
});
