import { describe, expect, it } from 'vitest';
import type { DetectBox, DetectSplit } from '../data/detectDataset';
import { DetectBatcher, LETTERBOX_GREY, LETTERBOX_MIN_SCALE, letterboxImage, type DetectBatch } from './detectBatch';

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
