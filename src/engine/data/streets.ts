/**
 * The built-in procedural street-scene segmentation dataset (8 classes, no files): a pinhole camera looks
 * down a street with a perspective road, sidewalks, facades, greenery, trees, poles, cars and people.
 * Each scene is first described in world units (metres, from a seeded stream that never sees the image
 * size), then rasterised far to near; so the low (64×128) and high (128×256) versions of an item are the
 * same scene, and each pixel's label is the class of the last surface drawn over its centre. Two styles (STREET_STYLES):
 * `classic` (the original scenes, pinned bit for bit by streetsClassicPin.test.ts) and `realistic` (photo-like, domain
 * randomised: streetRealLayout.ts, streetRealRaster.ts, streetRealObjects.ts).
 */
import { hashSeed, mulberry32 } from '../random';
import { createCanvas, writeNoisyUint8, type Canvas } from './raster';
import type { DetectBox } from './detectDataset';
import type { SegDataset, SegSplit } from './segDataset';
import { drawThing } from './streetObjects';
import { drawSide, drawSkyAndGround, drawSkyline, newRaster } from './streetRaster';
import { buildStreetScene } from './streetLayout';
import { buildRealisticScene } from './streetRealLayout';
import { rasteriseRealistic } from './streetRealRaster';
import { STREET_CLASSES, STREET_PALETTE, type Scene, type StreetStyle } from './streetScene';
import { scale } from './streetTexture';

export type { StreetStyle } from './streetScene';

export { STREET_CLASSES, STREET_PALETTE } from './streetScene';

/** The two input sizes (height × width; both 1:2). */
export const STREET_SIZES = { low: { height: 64, width: 128 }, high: { height: 128, width: 256 } } as const;
export type StreetSize = keyof typeof STREET_SIZES;

/**
 * The scene styles: `classic` (the original scenes; shipped weights and README numbers were measured on them, so they stay
 * bit for bit as they were) and `realistic` (domain-randomised scenes made to look like dashcam street photos such as
 * CamVid and Cityscapes; see streetRealLayout.ts).
 */
export const STREET_STYLES = ['classic', 'realistic'] as const;

/** The dataset name of a style and size: `streets-low` (classic) or `streets-real-low` (realistic). */
export const streetDatasetName = (size: StreetSize, style: StreetStyle = 'classic'): string =>
  style === 'classic' ? `streets-${size}` : `streets-real-${size}`;

/** Split ids mixed into each scene's seed, so train and test never coincide. */
export const STREET_SPLIT = { train: 0, test: 1 } as const;

const NOISE_SALT = 0x5ce4e;
const REAL_SALT = 0x4ea1;

const canvases = new Map<string, Canvas>();
const instanceMaps = new Map<number, Uint16Array>();

/** Boxes narrower or shorter than this many pixels are dropped. */
export const MIN_BOX_PIXELS = 2;

/**
 * A person's box in a rendered scene, (cx, cy, w, h) normalised to the image. It is the tight pixel extent of the person's
 * **visible** pixels: those whose centre the person's silhouette covers and that no nearer object (car, tree, pole, person)
 * drew over afterwards. So boxes are modal, like COCO's and VOC's (drawn around what is seen): a partly hidden person's
 * box covers only the visible part, a fully hidden one gets no box, and boxes are clipped to the image by construction.
 */
export interface PersonBox extends DetectBox {
  /** Index of the person among the scene's people, in drawing (far-to-near) order. */
  person: number;
  /** Visible pixels / pixels the person drew inside the image (1 = unoccluded). */
  visible: number;
  /** Visible pixel count. */
  pixels: number;
}

/**
 * Rasterise scene s at height×width: RGB into outImage at imageOffset, class ids into label (height×width), and optionally
 * each pixel's person id into instances (height×width; 0 = none, k + 1 = the k-th person in drawing order).
 * Returns the person boxes (see PersonBox); boxes under MIN_BOX_PIXELS wide or high, or with no visible pixel, are dropped.
 */
export function rasteriseScene(
  s: Scene,
  noiseSeed: number,
  height: number,
  width: number,
  outImage: Uint8Array,
  imageOffset: number,
  label: Uint8Array,
  instances?: Uint16Array,
): PersonBox[] {
  const key = `${width}x${height}`;
  const cv = canvases.get(key) ?? createCanvas(width, height);
  canvases.set(key, cv);
  const pixels = width * height;
  const inst = instances ?? instanceMaps.get(pixels) ?? new Uint16Array(pixels);
  if (!instances) instanceMaps.set(pixels, inst);
  if (s.real) return personBoxes(inst, width, height, rasteriseRealistic(s, noiseSeed, cv, outImage, imageOffset, label, inst));
  const people = s.things.filter((t) => t.kind === 'person').length;
  const r = newRaster(s, width, height, cv.data, label, inst, people);
  drawSkyAndGround(r);
  drawSkyline(r);
  drawSide(r, s.sides[0], -1);
  drawSide(r, s.sides[1], 1);
  let id = 0;
  for (const t of s.things) {
    r.instance = t.kind === 'person' ? ++id : 0;
    drawThing(r, t);
  }
  const [kr, kg, kb] = scale(s.tint, s.light);
  for (let i = 0; i < cv.data.length; i += 3) {
    cv.data[i]! *= kr;
    cv.data[i + 1]! *= kg;
    cv.data[i + 2]! *= kb;
  }
  writeNoisyUint8(cv, mulberry32(noiseSeed), s.noise, outImage, imageOffset);
  return personBoxes(inst, width, height, r.drawn!);
}

/** The boxes of instance ids 1…drawn.length − 1 in an instance map (see PersonBox). */
function personBoxes(inst: Uint16Array, width: number, height: number, drawn: Uint32Array): PersonBox[] {
  const n = drawn.length;
  const x0 = new Int32Array(n).fill(width),
    y0 = new Int32Array(n).fill(height),
    x1 = new Int32Array(n).fill(-1),
    y1 = new Int32Array(n).fill(-1),
    seen = new Uint32Array(n);
  for (let y = 0, p = 0; y < height; y++) {
    for (let x = 0; x < width; x++, p++) {
      const id = inst[p]!;
      if (id === 0) continue;
      seen[id]!++;
      if (x < x0[id]!) x0[id] = x;
      if (x > x1[id]!) x1[id] = x;
      if (y < y0[id]!) y0[id] = y;
      y1[id] = y;
    }
  }
  const boxes: PersonBox[] = [];
  for (let id = 1; id < n; id++) {
    const w = x1[id]! + 1 - x0[id]!,
      h = y1[id]! + 1 - y0[id]!;
    if (seen[id] === 0 || w < MIN_BOX_PIXELS || h < MIN_BOX_PIXELS) continue;
    boxes.push({
      cx: (x0[id]! + w / 2) / width,
      cy: (y0[id]! + h / 2) / height,
      w: w / width,
      h: h / height,
      ignore: false,
      person: id - 1,
      visible: seen[id]! / drawn[id]!,
      pixels: seen[id]!,
    });
  }
  return boxes;
}

/**
 * Render scene index of split (HWC uint8 RGB, height×width×3, into outImage at imageOffset) and its per-pixel
 * class ids (height×width, into outLabel at labelOffset). Geometry is in normalised image coordinates, so
 * every size (composed for 1:2) shows the same scene. Returns the boxes of its visible people (see PersonBox);
 * instances, when given (height×width), receives each pixel's person id (0 = none, k + 1 = k-th person far to near).
 * style picks the classic or the realistic scenes (see STREET_STYLES); the two are different scenes of the same index.
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
  instances?: Uint16Array,
  style: StreetStyle = 'classic',
): PersonBox[] {
  if (imageOffset + height * width * 3 > outImage.length || labelOffset + height * width > outLabel.length) {
    throw new RangeError(`street scene ${height}×${width} does not fit the output buffers at the given offsets`);
  }
  const s =
    style === 'realistic'
      ? buildRealisticScene(mulberry32(hashSeed(seed, split, index, REAL_SALT)))
      : buildStreetScene(mulberry32(hashSeed(seed, split, index)));
  const label = outLabel.subarray(labelOffset, labelOffset + width * height);
  return rasteriseScene(s, hashSeed(seed, split, index, NOISE_SALT), height, width, outImage, imageOffset, label, instances);
}

const CHUNK_PIXELS = 1 << 18;
const nextTick = () => new Promise<void>((res) => setTimeout(res, 0));

/**
 * Generate the street dataset: images NHWC uint8 (count×H×W×3) and labels (count×H×W class ids) at the low
 * (64×128) or high (128×256) size, in chunks of about 2^18 pixels that yield to the event loop between them;
 * onProgress gets fractions in [0, 1]. style (default `classic`) picks the scene style; the name is streetDatasetName(size, style).
 */
export async function generateStreetDataset(opts: {
  seed: number;
  size: StreetSize;
  style?: StreetStyle;
  trainSize: number;
  testSize: number;
  onProgress?: (fraction: number) => void;
}): Promise<SegDataset> {
  const { seed, size, trainSize, testSize, onProgress, style = 'classic' } = opts;
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
      for (let i = start; i < end; i++) renderStreetScene(seed, split, i, height, width, images, i * pixels * 3, labels, i * pixels, undefined, style);
      done += end - start;
      if (done < total) onProgress?.(done / total);
      await nextTick();
    }
    return { images, labels, count };
  };
  const train = await makeSplit(STREET_SPLIT.train, trainSize);
  const test = await makeSplit(STREET_SPLIT.test, testSize);
  onProgress?.(1);
  return { name: streetDatasetName(size, style), classNames: STREET_CLASSES, palette: STREET_PALETTE, height, width, ignoreLabel: 255, train, test };
}
