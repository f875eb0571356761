import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { iou, cxcywhToXyxy } from '../detect/boxes';
import {
  DETECT_MAX_PEOPLE,
  DETECT_MIN_HEIGHT_PX,
  DETECT_SIZE,
  DETECT_VARIANTS,
  detectBoxOf,
  detectDatasetName,
  generateDetectDataset,
  planDetectScene,
  renderDetectScene,
} from './detectScenes';
import { PERSON, type StreetStyle } from './streetScene';
import { MIN_BOX_PIXELS, renderStreetScene, STREET_SIZES, type PersonBox } from './streets';

const { height: H, width: W } = DETECT_SIZE;

/** Every box holds all its person's visible pixels and is tight around them; person ids and the person class agree. */
function checkBoxes(boxes: PersonBox[], label: Uint8Array, inst: Uint16Array, width: number, height: number): void {
  let disagree = 0;
  for (let p = 0; p < label.length; p++) if (inst[p]! > 0 !== (label[p] === PERSON)) disagree++;
  expect(disagree).toBe(0); // person ids cover exactly the person class of the label map
  for (const b of boxes) {
    for (const v of [b.cx - b.w / 2, b.cy - b.h / 2, b.cx + b.w / 2, b.cy + b.h / 2]) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    const x0 = Math.round((b.cx - b.w / 2) * width),
      x1 = Math.round((b.cx + b.w / 2) * width),
      y0 = Math.round((b.cy - b.h / 2) * height),
      y1 = Math.round((b.cy + b.h / 2) * height);
    expect(x1 - x0).toBeGreaterThanOrEqual(MIN_BOX_PIXELS);
    expect(y1 - y0).toBeGreaterThanOrEqual(MIN_BOX_PIXELS);
    let inside = 0,
      pixels = 0,
      rowTop = false,
      rowBottom = false,
      colLeft = false,
      colRight = false;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (inst[y * width + x] !== b.person + 1) continue;
        pixels++;
        if (x >= x0 && x < x1 && y >= y0 && y < y1) inside++;
        rowTop ||= y === y0;
        rowBottom ||= y === y1 - 1;
        colLeft ||= x === x0;
        colRight ||= x === x1 - 1;
      }
    }
    expect(pixels).toBe(b.pixels);
    expect(inside).toBe(pixels); // every visible pixel of the person lies in its box
    expect([rowTop, rowBottom, colLeft, colRight]).toEqual([true, true, true, true]); // and the box is tight
    expect(b.visible).toBeGreaterThan(0);
    expect(b.visible).toBeLessThanOrEqual(1);
  }
  // An instance with visible pixels but no box must be under MIN_BOX_PIXELS in width or height.
  const boxed = new Set(boxes.map((b) => b.person + 1));
  const ids = new Set(inst);
  for (const id of ids) {
    if (id === 0 || boxed.has(id)) continue;
    let x0 = width,
      x1 = -1,
      y0 = height,
      y1 = -1;
    for (let p = 0; p < inst.length; p++) {
      if (inst[p] !== id) continue;
      const x = p % width,
        y = Math.floor(p / width);
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
    expect(Math.min(x1 - x0 + 1, y1 - y0 + 1)).toBeLessThan(MIN_BOX_PIXELS);
  }
}

function renderWithMasks(seed: number, split: 0 | 1, index: number, style: StreetStyle = 'classic') {
  const image = new Uint8Array(H * W * 3);
  const label = new Uint8Array(H * W);
  const instances = new Uint16Array(H * W);
  const boxes = renderDetectScene(seed, split, index, image, 0, { label, instances }, style);
  return { image, label, instances, boxes };
}

describe('classic detection scenes', () => {
  it('stay byte for byte what the shipped detectors were trained on (images and boxes of four scenes, hashed)', () => {
    const h = createHash('sha256');
    const img = new Uint8Array(H * W * 3);
    for (const [seed, split, index] of [
      [1, 0, 0],
      [1, 0, 7],
      [1, 1, 3],
      [4, 0, 11],
    ] as const) {
      const boxes = renderDetectScene(seed, split, index, img, 0);
      h.update(img);
      h.update(JSON.stringify(boxes));
    }
    expect(h.digest('hex')).toBe('991b516ae4636041b9e9d65a2a16df25f35a0ed71d3336683fb5b785a1d5ab5c');
  });
});

describe.each(['classic', 'realistic'] as const)('detection scenes (%s)', (style) => {
  it('give every visible person a tight box inside [0, 1] that holds all its drawn pixels', () => {
    let boxes = 0;
    for (let index = 0; index < 12; index++) {
      const r = renderWithMasks(3, 0, index, style);
      checkBoxes(r.boxes, r.label, r.instances, W, H);
      expect(r.boxes.length).toBeLessThanOrEqual(planDetectScene(3, 0, index, style).placed);
      boxes += r.boxes.length;
    }
    expect(boxes).toBeGreaterThan(10);
  });

  it('hold 0–10 people at near-to-far scales, with overlaps, over all variants', () => {
    const counts: number[] = [];
    const heights: number[] = [];
    const variants = new Set<string>();
    let overlapping = 0;
    let occluded = 0;
    const image = new Uint8Array(H * W * 3);
    for (let index = 0; index < 80; index++) {
      const plan = planDetectScene(5, 0, index, style);
      variants.add(plan.variant);
      const boxes = renderDetectScene(5, 0, index, image, 0, {}, style);
      expect(boxes.length).toBeLessThanOrEqual(plan.placed);
      counts.push(boxes.length);
      heights.push(...boxes.map((b) => b.h * H));
      occluded += boxes.filter((b) => b.visible < 0.9).length;
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++)
          if (
            iou(cxcywhToXyxy([boxes[i]!.cx, boxes[i]!.cy, boxes[i]!.w, boxes[i]!.h]), cxcywhToXyxy([boxes[j]!.cx, boxes[j]!.cy, boxes[j]!.w, boxes[j]!.h])) >
            0.1
          )
            overlapping++;
      }
    }
    const hist = Array.from({ length: DETECT_MAX_PEOPLE + 1 }, (_, k) => counts.filter((c) => c === k).length);
    console.log(
      `${style} detect scenes (80): boxes per image ${hist.map((n, k) => `${k}:${n}`).join(' ')}; box heights ${Math.min(...heights).toFixed(0)}–${Math.max(...heights).toFixed(0)} px; ${overlapping} pairs with IoU > 0.1; ${occluded} boxes < 90 % visible`,
    );
    expect([...variants].sort()).toEqual([...DETECT_VARIANTS].sort());
    expect(Math.min(...counts)).toBe(0);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(8);
    expect(Math.max(...counts)).toBeLessThanOrEqual(DETECT_MAX_PEOPLE);
    expect(Math.min(...heights)).toBeLessThan(8); // far
    expect(Math.max(...heights)).toBeGreaterThan(60); // near
    expect(overlapping).toBeGreaterThan(5);
  });

  it('are deterministic by seed, split and index', async () => {
    const a = renderWithMasks(7, 1, 4, style);
    const b = renderWithMasks(7, 1, 4, style);
    expect(b.boxes).toEqual(a.boxes);
    expect(Buffer.from(b.image).equals(Buffer.from(a.image))).toBe(true);
    const other = renderWithMasks(8, 1, 4, style);
    expect(Buffer.from(other.image).equals(Buffer.from(a.image))).toBe(false);
    const d1 = await generateDetectDataset({ seed: 2, trainSize: 5, testSize: 3, style });
    const d2 = await generateDetectDataset({ seed: 2, trainSize: 5, testSize: 3, style });
    expect(d2.train.boxes).toEqual(d1.train.boxes);
    expect(d2.test.boxes).toEqual(d1.test.boxes);
    expect(Buffer.from(d2.train.images).equals(Buffer.from(d1.train.images))).toBe(true);
    expect(Buffer.from(d1.test.images).equals(Buffer.from(d1.train.images.subarray(0, d1.test.images.length)))).toBe(false);
    const one = new Uint8Array(H * W * 3);
    expect(renderDetectScene(2, 0, 3, one, 0, {}, style).map(detectBoxOf)).toEqual(d1.train.boxes[3]);
    expect(Buffer.from(one).equals(Buffer.from(d1.train.images.subarray(3 * H * W * 3, 4 * H * W * 3)))).toBe(true);
  });

  it('mark people under 8 px tall as ignore regions, and only them', async () => {
    const ds = await generateDetectDataset({ seed: 1, trainSize: 40, testSize: 0, style });
    const all = ds.train.boxes.flat();
    const small = all.filter((b) => b.h * H < DETECT_MIN_HEIGHT_PX);
    expect(small.length).toBeGreaterThan(0);
    expect(small.length).toBeLessThan(all.length);
    for (const b of all) expect(b.ignore).toBe(b.h * H < 8);
    expect(detectBoxOf({ cx: 0.5, cy: 0.5, w: 0.01, h: 7.9 / H } as PersonBox).ignore).toBe(true);
    expect(detectBoxOf({ cx: 0.5, cy: 0.5, w: 0.01, h: 8 / H } as PersonBox).ignore).toBe(false);
  });

  it('generate 100 images at 128×256 with progress (time logged)', async () => {
    const fractions: number[] = [];
    const t0 = performance.now();
    const ds = await generateDetectDataset({ seed: 1, trainSize: 80, testSize: 20, style, onProgress: (f) => fractions.push(f) });
    const ms = performance.now() - t0;
    const boxes = [...ds.train.boxes, ...ds.test.boxes].reduce((n, b) => n + b.length, 0);
    console.log(`generateDetectDataset (${style}): 100 images (128×256) in ${ms.toFixed(0)} ms (${(ms / 100).toFixed(1)} ms/image), ${boxes} boxes`);
    expect([ds.name, ds.height, ds.width, ds.train.count, ds.test.count]).toEqual([detectDatasetName(style), 128, 256, 80, 20]);
    expect(ds.train.images.length).toBe(80 * H * W * 3);
    expect(ds.train.boxes).toHaveLength(80);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true);
  });
});

describe('street scene person boxes', () => {
  it('match the person pixels of the segmentation label map at both sizes', () => {
    for (const size of [STREET_SIZES.low, STREET_SIZES.high]) {
      for (let index = 0; index < 6; index++) {
        const pixels = size.height * size.width;
        const image = new Uint8Array(pixels * 3);
        const label = new Uint8Array(pixels);
        const inst = new Uint16Array(pixels);
        const boxes = renderStreetScene(11, 0, index, size.height, size.width, image, 0, label, 0, inst);
        checkBoxes(boxes, label, inst, size.width, size.height);
      }
    }
  });
});
