/**
 * The built-in procedural street-scene segmentation dataset (8 classes, no files): a pinhole camera looks
 * down a street with a perspective road, sidewalks, facades, greenery, trees, poles, cars and people.
 * Each scene is first described in world units (metres, from a seeded stream that never sees the image
 * size), then rasterised far to near; so the low (64×128) and high (128×256) versions of an item are the
 * same scene, and each pixel's label is the class of the last surface drawn over its centre.
 */
import { hashSeed, mulberry32 } from '../random';
import { createCanvas, writeNoisyUint8, type Canvas } from './raster';
import type { SegDataset, SegSplit } from './segDataset';
import { drawThing } from './streetObjects';
import { drawSide, drawSkyAndGround, drawSkyline, type Raster } from './streetRaster';
import { buildStreetScene } from './streetLayout';
import { STREET_CLASSES, STREET_PALETTE } from './streetScene';
import { scale } from './streetTexture';

export { STREET_CLASSES, STREET_PALETTE } from './streetScene';

/** The two input sizes (height × width; both 1:2). */
export const STREET_SIZES = { low: { height: 64, width: 128 }, high: { height: 128, width: 256 } } as const;
export type StreetSize = keyof typeof STREET_SIZES;

/** Split ids mixed into each scene's seed, so train and test never coincide. */
export const STREET_SPLIT = { train: 0, test: 1 } as const;

const NOISE_SALT = 0x5ce4e;

const canvases = new Map<string, Canvas>();

/**
 * Render scene index of split (HWC uint8 RGB, height×width×3, into outImage at imageOffset) and its per-pixel
 * class ids (height×width, into outLabel at labelOffset). Geometry is in normalised image coordinates, so
 * every size (composed for 1:2) shows the same scene.
 */
export function renderStreetScene(
  seed: number,
  split: 0 | 1,
  index: number,
  height: number,
  width: number,
  outImage: Uint8Array,
  imageOffset: number,
  outLabel: Uint8Array,
  labelOffset: number,
): void {
  if (imageOffset + height * width * 3 > outImage.length || labelOffset + height * width > outLabel.length) {
    throw new RangeError(`street scene ${height}×${width} does not fit the output buffers at the given offsets`);
  }
  const s = buildStreetScene(mulberry32(hashSeed(seed, split, index)));
  const key = `${width}x${height}`;
  const cv = canvases.get(key) ?? createCanvas(width, height);
  canvases.set(key, cv);
  const r: Raster = {
    W: width,
    H: height,
    f: s.fv * height,
    cx: s.vp * width,
    cy: s.hz * height,
    s,
    data: cv.data,
    label: outLabel.subarray(labelOffset, labelOffset + width * height),
  };
  drawSkyAndGround(r);
  drawSkyline(r);
  drawSide(r, s.sides[0], -1);
  drawSide(r, s.sides[1], 1);
  for (const t of s.things) drawThing(r, t);
  const [kr, kg, kb] = scale(s.tint, s.light);
  for (let i = 0; i < cv.data.length; i += 3) {
    cv.data[i]! *= kr;
    cv.data[i + 1]! *= kg;
    cv.data[i + 2]! *= kb;
  }
  writeNoisyUint8(cv, mulberry32(hashSeed(seed, split, index, NOISE_SALT)), s.noise, outImage, imageOffset);
}

const CHUNK_PIXELS = 1 << 18;
const nextTick = () => new Promise<void>((res) => setTimeout(res, 0));

/**
 * Generate the street dataset: images NHWC uint8 (count×H×W×3) and labels (count×H×W class ids) at the low
 * (64×128) or high (128×256) size, in chunks of about 2^18 pixels that yield to the event loop between them;
 * onProgress gets fractions in [0, 1].
 */
export async function generateStreetDataset(opts: {
  seed: number;
  size: StreetSize;
  trainSize: number;
  testSize: number;
  onProgress?: (fraction: number) => void;
}): Promise<SegDataset> {
  const { seed, size, trainSize, testSize, onProgress } = opts;
  const { height, width } = STREET_SIZES[size];
  const pixels = height * width;
  const chunk = Math.max(1, Math.floor(CHUNK_PIXELS / pixels));
  const total = trainSize + testSize;
  let done = 0;
  const makeSplit = async (split: 0 | 1, count: number): Promise<SegSplit> => {
    const images = new Uint8Array(count * pixels * 3);
    const labels = new Uint8Array(count * pixels);
    for (let start = 0; start < count; start += chunk) {
      const end = Math.min(count, start + chunk);
      for (let i = start; i < end; i++) renderStreetScene(seed, split, i, height, width, images, i * pixels * 3, labels, i * pixels);
      done += end - start;
      if (done < total) onProgress?.(done / total);
      await nextTick();
    }
    return { images, labels, count };
  };
  const train = await makeSplit(STREET_SPLIT.train, trainSize);
  const test = await makeSplit(STREET_SPLIT.test, testSize);
  onProgress?.(1);
  return { name: `streets-${size}`, classNames: STREET_CLASSES, palette: STREET_PALETTE, height, width, ignoreLabel: 255, train, test };
}
