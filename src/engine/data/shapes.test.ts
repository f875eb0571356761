import { describe, expect, it } from 'vitest';
import type { ImageSplit } from './dataset';
import { generateShapesDataset, renderShapeImage, SHAPE_CLASS_NAMES, SHAPE_SPLIT, shapeLabel } from './shapes';

const STRIDE = 32 * 32 * 3;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function image(split: ImageSplit, i: number): Uint8Array {
  return split.images.subarray(i * STRIDE, (i + 1) * STRIDE);
}

function classCounts(labels: Uint8Array): number[] {
  const counts = new Array<number>(SHAPE_CLASS_NAMES.length).fill(0);
  for (const l of labels) counts[l]!++;
  return counts;
}

type Features = (img: Uint8Array) => Float64Array;

/** Raw pixels, as they are. */
const rawPixels: Features = (img) => Float64Array.from(img);

/** Contrast map: |grey − the image's median grey| per pixel (blind to which colours were drawn). */
const contrastMap: Features = (img) => {
  const grey = new Float64Array(STRIDE / 3);
  grey.forEach((_, p) => (grey[p] = 0.299 * img[3 * p]! + 0.587 * img[3 * p + 1]! + 0.114 * img[3 * p + 2]!));
  const median = Float64Array.from(grey).sort()[grey.length >> 1]!;
  return grey.map((g) => Math.abs(g - median));
};

/** Test accuracy of assigning each image to the class whose mean train feature vector is nearest. */
function nearestClassMeanAccuracy(train: ImageSplit, test: ImageSplit, features: Features): number {
  const k = SHAPE_CLASS_NAMES.length;
  const counts = classCounts(train.labels);
  let means: Float64Array[] = [];
  for (let i = 0; i < train.count; i++) {
    const x = features(image(train, i));
    if (!means.length) means = Array.from({ length: k }, () => new Float64Array(x.length));
    const m = means[train.labels[i]!]!;
    x.forEach((v, d) => (m[d]! += v));
  }
  means.forEach((m, c) => m.forEach((v, d) => (m[d] = v / counts[c]!)));
  let correct = 0;
  for (let i = 0; i < test.count; i++) {
    const x = features(image(test, i));
    let best = -1;
    let bestDist = Infinity;
    means.forEach((m, c) => {
      let dist = 0;
      x.forEach((v, d) => (dist += (v - m[d]!) ** 2));
      if (dist < bestDist) [best, bestDist] = [c, dist];
    });
    if (best === test.labels[i]) correct++;
  }
  return correct / test.count;
}

const ds = await generateShapesDataset({ seed: 11, trainSize: 203, testSize: 97 });

describe('generateShapesDataset', () => {
  it('has the documented shape: NHWC uint8, 32×32×3, 10 classes', () => {
    expect(ds.classNames).toEqual(SHAPE_CLASS_NAMES);
    expect(ds.classNames).toHaveLength(10);
    expect([ds.height, ds.width, ds.channels]).toEqual([32, 32, 3]);
    expect(ds.train.count).toBe(203);
    expect(ds.train.images).toHaveLength(203 * STRIDE);
    expect(ds.train.labels).toHaveLength(203);
    expect(ds.test.count).toBe(97);
    expect(ds.test.images).toHaveLength(97 * STRIDE);
    expect(ds.test.labels).toHaveLength(97);
    expect(Math.max(...ds.train.labels, ...ds.test.labels)).toBeLessThan(10);
  });

  it('is deterministic in the seed', async () => {
    const again = await generateShapesDataset({ seed: 11, trainSize: 203, testSize: 97 });
    expect(sameBytes(again.train.images, ds.train.images)).toBe(true);
    expect(sameBytes(again.train.labels, ds.train.labels)).toBe(true);
    expect(sameBytes(again.test.images, ds.test.images)).toBe(true);
    const other = await generateShapesDataset({ seed: 12, trainSize: 203, testSize: 97 });
    expect(sameBytes(other.train.images, ds.train.images)).toBe(false);
    expect(sameBytes(other.test.images, ds.test.images)).toBe(false);
    expect(sameBytes(other.train.labels, ds.train.labels)).toBe(false);
  });

  it('never repeats an image within or across the splits', () => {
    const seen = new Set<string>();
    for (const split of [ds.train, ds.test]) {
      for (let i = 0; i < split.count; i++) seen.add(Buffer.from(image(split, i)).toString('base64'));
    }
    expect(seen.size).toBe(ds.train.count + ds.test.count);
  });

  it('balances the classes exactly, with labels independent of the split size', async () => {
    for (const split of [ds.train, ds.test]) {
      const counts = classCounts(split.labels);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
    const small = await generateShapesDataset({ seed: 11, trainSize: 57, testSize: 0 });
    expect(sameBytes(small.train.labels, ds.train.labels.subarray(0, 57))).toBe(true);
    expect(sameBytes(small.train.images, ds.train.images.subarray(0, 57 * STRIDE))).toBe(true);
    expect(Array.from(ds.train.labels.subarray(0, 20), (_, i) => shapeLabel(11, 0, i))).toEqual(Array.from(ds.train.labels.subarray(0, 20)));
  });

  it('renderShapeImage reproduces any slot of the dataset', () => {
    const out = new Uint8Array(STRIDE + 5);
    for (const [split, id] of [
      [ds.train, SHAPE_SPLIT.train],
      [ds.test, SHAPE_SPLIT.test],
    ] as const) {
      for (const i of [0, 1, 42, split.count - 1]) {
        renderShapeImage(11, id, i, split.labels[i]!, out, 5);
        expect(sameBytes(out.subarray(5), image(split, i))).toBe(true);
      }
    }
    expect(() => renderShapeImage(11, 0, 0, 10, out, 0)).toThrow(RangeError);
  });

  it('has images with contrast and a wide dynamic range overall', () => {
    const hist = new Array<number>(256).fill(0);
    for (let i = 0; i < ds.train.count; i++) {
      const img = image(ds.train, i);
      let sum = 0;
      let sq = 0;
      for (const v of img) {
        sum += v;
        sq += v * v;
        hist[v]!++;
      }
      const mean = sum / STRIDE;
      expect(Math.sqrt(sq / STRIDE - mean * mean)).toBeGreaterThan(12); // not a flat image
    }
    const total = ds.train.count * STRIDE;
    const quantile = (q: number) => {
      let acc = 0;
      return hist.findIndex((h) => (acc += h) >= q * total);
    };
    expect(quantile(0.01)).toBeLessThan(25);
    expect(quantile(0.99)).toBeGreaterThan(230);
    expect(quantile(0.75) - quantile(0.25)).toBeGreaterThan(60);
  });

  it('reports progress after every chunk of 250 images and ends at 1', async () => {
    const fractions: number[] = [];
    await generateShapesDataset({ seed: 1, trainSize: 1200, testSize: 300, onProgress: (f) => fractions.push(f) });
    // train: 250, 500, 750, 1000, 1200; test: 1450, 1500 (the last chunk reports only the final 1)
    expect(fractions).toEqual([250, 500, 750, 1000, 1200, 1450].map((n) => n / 1500).concat([1]));
  });

  it('differs between classes on average, without being trivial (nearest class mean)', async () => {
    const big = await generateShapesDataset({ seed: 3, trainSize: 3000, testSize: 1000 });
    const raw = nearestClassMeanAccuracy(big.train, big.test, rawPixels);
    const contrast = nearestClassMeanAccuracy(big.train, big.test, contrastMap);
    console.log(`nearest class mean, chance 10%: raw pixels ${(raw * 100).toFixed(1)}%, contrast map ${(contrast * 100).toFixed(1)}%`);
    // Colours and polarity are random per image, so raw-pixel class means carry (almost) no colour shortcut...
    expect(raw).toBeLessThan(0.25);
    // ...while where the object's edges and area lie does differ between classes.
    expect(contrast).toBeGreaterThan(0.14);
    expect(contrast).toBeLessThan(0.6);
  });
});
