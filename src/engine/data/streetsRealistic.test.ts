import { describe, expect, it } from 'vitest';
import { generateStreetDataset, renderStreetScene, STREET_CLASSES, STREET_SIZES, STREET_SPLIT, streetDatasetName, type PersonBox } from './streets';

const LOW = STREET_SIZES.low;
const HIGH = STREET_SIZES.high;
const LOW_PIXELS = LOW.height * LOW.width;

function render(seed: number, index: number, size: { height: number; width: number } = LOW, split: 0 | 1 = 0) {
  const image = new Uint8Array(size.height * size.width * 3);
  const label = new Uint8Array(size.height * size.width);
  const boxes = renderStreetScene(seed, split, index, size.height, size.width, image, 0, label, 0, undefined, 'realistic');
  return { image, label, boxes };
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

/** Low label vs the high label downsampled 2× (top-left pixel of each 2×2 block): fraction of equal pixels. */
function agreement(low: Uint8Array, high: Uint8Array): number {
  let same = 0;
  for (let y = 0; y < LOW.height; y++) for (let x = 0; x < LOW.width; x++) if (low[y * LOW.width + x] === high[2 * y * HIGH.width + 2 * x]) same++;
  return same / LOW_PIXELS;
}

/** Widest horizontal run of pole pixels in a label map. */
function widestPole(label: Uint8Array, width: number): number {
  let best = 0;
  for (let p = 0, run = 0; p < label.length; p++) {
    run = p % width === 0 ? 0 : run;
    run = label[p] === 7 ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}

describe('realistic street scenes', () => {
  it('are deterministic per (seed, split, index) and differ across seeds, indices and splits', () => {
    const a = render(5, 3);
    const b = render(5, 3);
    expect(sameBytes(a.image, b.image)).toBe(true);
    expect(sameBytes(a.label, b.label)).toBe(true);
    expect(a.boxes).toEqual(b.boxes);
    for (const other of [render(6, 3), render(5, 4), render(5, 3, LOW, 1)]) {
      expect(sameBytes(a.image, other.image)).toBe(false);
      expect(sameBytes(a.label, other.label)).toBe(false);
    }
  });

  it('are not the classic scenes of the same index', () => {
    const image = new Uint8Array(LOW_PIXELS * 3);
    const label = new Uint8Array(LOW_PIXELS);
    renderStreetScene(5, 0, 3, LOW.height, LOW.width, image, 0, label, 0);
    expect(sameBytes(render(5, 3).image, image)).toBe(false);
  });

  it('share the per-size canvas with the classic style without leaking into it (either order, same bytes)', () => {
    const classic = () => {
      const image = new Uint8Array(LOW_PIXELS * 3);
      const label = new Uint8Array(LOW_PIXELS);
      renderStreetScene(7, 0, 2, LOW.height, LOW.width, image, 0, label, 0);
      return { image, label };
    };
    const first = classic();
    const real = render(7, 2);
    const after = classic();
    expect(sameBytes(first.image, after.image) && sameBytes(first.label, after.label)).toBe(true);
    const realAgain = render(7, 2);
    expect(sameBytes(real.image, realAgain.image) && sameBytes(real.label, realAgain.label)).toBe(true);
  });

  it('show the same scene at the low and high sizes (2×-downsampled labels agree ≥ 90 % on average, ≥ 85 % each)', () => {
    let total = 0,
      worst = 1;
    for (let i = 0; i < 20; i++) {
      const a = agreement(render(2, i).label, render(2, i, HIGH).label);
      total += a;
      worst = Math.min(worst, a);
    }
    expect(total / 20).toBeGreaterThanOrEqual(0.9);
    expect(worst).toBeGreaterThanOrEqual(0.85);
  });

  // CamVid-like frames (the targets): road 25–35 %, building 20–30 %, sky 10–20 %, vegetation 10–20 %, sidewalk 5–10 %,
  // car 3–8 %, person 1–3 %, pole ~1 %. Bounds below leave a little slack around what 200 scenes measure (see the console line).
  const share: Record<(typeof STREET_CLASSES)[number], [number, number]> = {
    sky: [0.07, 0.2],
    building: [0.18, 0.32],
    road: [0.25, 0.36],
    sidewalk: [0.05, 0.12],
    vegetation: [0.1, 0.22],
    car: [0.03, 0.1],
    person: [0.01, 0.03],
    pole: [0.007, 0.025],
  };
  /** Least share of scenes in which a class has at least 20 pixels (of 8192). */
  const presence: Record<(typeof STREET_CLASSES)[number], number> = {
    sky: 0.95,
    building: 0.95,
    road: 0.99,
    sidewalk: 0.9,
    vegetation: 0.9,
    car: 0.85,
    person: 0.8,
    pole: 0.85,
  };

  it('have realistic class statistics, people at 6–40 px and visible poles over 200 low scenes', async () => {
    const n = 200;
    const ds = await generateStreetDataset({ seed: 11, size: 'low', trainSize: n, testSize: 0, style: 'realistic' });
    expect(ds.train.labels.every((l) => l < 8)).toBe(true);
    const counts = new Float64Array(8),
      present = new Float64Array(8);
    let wide = 0;
    for (let i = 0; i < n; i++) {
      const label = ds.train.labels.subarray(i * LOW_PIXELS, (i + 1) * LOW_PIXELS);
      const c = new Float64Array(8);
      for (const l of label) c[l]!++;
      c.forEach((v, k) => {
        counts[k]! += v;
        if (v >= 20) present[k]!++;
      });
      if (widestPole(label, LOW.width) >= 2) wide++;
    }
    const summary = STREET_CLASSES.map(
      (c, k) => `${c} ${((100 * counts[k]!) / (n * LOW_PIXELS)).toFixed(1)}% (in ${((100 * present[k]!) / n).toFixed(0)}%)`,
    ).join(', ');
    console.info(`realistic street classes over ${n} scenes: ${summary}; a pole ≥ 2 px wide in ${((100 * wide) / n).toFixed(0)}%`);
    STREET_CLASSES.forEach((c, k) => {
      const [lo, hi] = share[c];
      const f = counts[k]! / (n * LOW_PIXELS);
      expect(f, `${c} (${summary})`).toBeGreaterThanOrEqual(lo);
      expect(f, `${c} (${summary})`).toBeLessThanOrEqual(hi);
      expect(present[k]! / n, `${c} presence (${summary})`).toBeGreaterThanOrEqual(presence[c]);
    });
    expect(wide / n).toBeGreaterThanOrEqual(0.85);
    // The dataset is the scenes renderStreetScene draws.
    expect(sameBytes(ds.train.labels.subarray(7 * LOW_PIXELS, 8 * LOW_PIXELS), render(11, 7).label)).toBe(true);
  });

  it('draw people from a few pixels to ~40 px tall at 64×128, most scenes with one a 64×128 model can see', () => {
    const heights: number[] = [];
    let seen = 0;
    for (let i = 0; i < 150; i++) {
      const boxes: PersonBox[] = render(21, i).boxes;
      const hs = boxes.map((b) => b.h * LOW.height);
      heights.push(...hs);
      if (hs.some((h) => h >= 6)) seen++;
    }
    heights.sort((a, b) => a - b);
    const q = (f: number) => heights[Math.floor(f * (heights.length - 1))]!;
    const inRange = heights.filter((h) => h >= 6 && h <= 40).length / heights.length;
    console.info(
      `realistic person boxes: ${heights.length} in 150 scenes, height px p10 ${q(0.1)} p50 ${q(0.5)} p90 ${q(0.9)} max ${q(1)}; 6–40 px ${(100 * inRange).toFixed(0)}%; a person ≥ 6 px in ${((100 * seen) / 150).toFixed(0)}% of scenes`,
    );
    expect(heights.length / 150).toBeGreaterThanOrEqual(3);
    expect(q(0.1)).toBeLessThanOrEqual(6);
    expect(q(0.9)).toBeGreaterThanOrEqual(18);
    expect(heights.filter((h) => h >= 30).length).toBeGreaterThanOrEqual(10);
    expect(inRange).toBeGreaterThanOrEqual(0.6);
    expect(seen / 150).toBeGreaterThanOrEqual(0.85);
  });
});

describe('generateStreetDataset styles', () => {
  it('names the datasets by style and size, and the classic style stays the default', async () => {
    expect(streetDatasetName('low')).toBe('streets-low');
    expect(streetDatasetName('high', 'classic')).toBe('streets-high');
    expect(streetDatasetName('low', 'realistic')).toBe('streets-real-low');
    const real = await generateStreetDataset({ seed: 1, size: 'high', trainSize: 2, testSize: 1, style: 'realistic' });
    expect(real).toMatchObject({ name: 'streets-real-high', height: 128, width: 256, ignoreLabel: 255, classNames: STREET_CLASSES });
    expect(real.train.images.length).toBe(2 * 128 * 256 * 3);
    expect(real.test.labels.length).toBe(128 * 256);
    const item = render(1, 0, HIGH, STREET_SPLIT.test);
    expect(sameBytes(real.test.images, item.image)).toBe(true);
    const classic = await generateStreetDataset({ seed: 1, size: 'low', trainSize: 1, testSize: 0 });
    expect(classic.name).toBe('streets-low');
  });

  it('renders a batch of 8 low realistic scenes well under a training step', () => {
    const image = new Uint8Array(8 * LOW_PIXELS * 3);
    const label = new Uint8Array(8 * LOW_PIXELS);
    for (let i = 0; i < 8; i++) renderStreetScene(3, 0, i, LOW.height, LOW.width, image, i * LOW_PIXELS * 3, label, i * LOW_PIXELS, undefined, 'realistic');
    const t0 = performance.now();
    for (let i = 0; i < 8; i++)
      renderStreetScene(3, 0, 100 + i, LOW.height, LOW.width, image, i * LOW_PIXELS * 3, label, i * LOW_PIXELS, undefined, 'realistic');
    const ms = performance.now() - t0;
    console.info(`8 realistic low scenes: ${ms.toFixed(1)} ms`);
    // Generous for shared CI machines; measured ~40–80 ms on an idle core.
    expect(ms).toBeLessThan(1000);
  });
});
