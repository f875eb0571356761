/**
 * Import of real segmentation pairs (images + label PNGs) into an NHWC uint8 SegDataset: pair by file name,
 * decode labels exactly with fast-png and map them to class ids, decode images with the injected decoder,
 * resize images bilinearly and labels by nearest neighbour to one size.
 */
import { decode, type DecodedPng } from 'fast-png';
import { IGNORE, SEG_FORMATS, mapLabelPng, type SegFormat, type SegFormatId } from './segFormats';
import { SegImportError } from './segImportError';
import { detectSegFormat, parseNameList, planSegPairs, vocTestListPath } from './segPairs';
import type { SegDataset, SegSplit } from './segTypes';

/** A file of the chosen folder: its relative '/'-separated path and a reader of its bytes. */
export interface SegImportFile {
  path: string;
  bytes(): Promise<Uint8Array>;
}

/** A decoded image: RGBA row-major (alpha is dropped). */
export interface DecodedRgba {
  width: number;
  height: number;
  rgba: Uint8Array | Uint8ClampedArray;
}

export interface SegImportOptions {
  /** The label format; detected from the first label's name and pixels when left out. */
  format?: SegFormatId;
  /** Decodes a PNG/JPEG image (the worker: createImageBitmap; Node: fast-png). */
  decodeImage: (bytes: Uint8Array, path: string) => Promise<DecodedRgba>;
  /** The size every image and label is resized to. */
  size: { height: number; width: number };
  /** Fraction of pairs done, 0–1. */
  onProgress?: (fraction: number) => void;
  /** Told once the pairs are planned and the format is known. */
  onInfo?: (info: { format: SegFormatId; counts: { train: number; test: number }; skipped: readonly string[] }) => void;
  signal?: AbortSignal;
  /** Overrides the dataset name (default: the top folder's name). */
  name?: string;
}

/** Milliseconds of work between two yields to the event loop (keeps a worker responsive to messages). */
const YIELD_MS = 50;
const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Import image/label pairs as a SegDataset: images NHWC uint8 RGB, labels uint8 class ids (255 = ignore); throws SegImportError. */
export async function importSegPairs(files: readonly SegImportFile[], opts: SegImportOptions): Promise<SegDataset> {
  const checkAborted = () => {
    if (opts.signal?.aborted) throw new SegImportError('aborted', 'The import was cancelled.');
  };
  checkAborted();
  const byPath = new Map(files.map((f) => [f.path, f]));
  const paths = files.map((f) => f.path);
  const listPath = vocTestListPath(paths);
  const testNames = listPath ? parseNameList(new TextDecoder().decode(await byPath.get(listPath)!.bytes())) : undefined;
  const plan = planSegPairs(paths, { testNames });
  const { height, width } = opts.size;
  const pixels = height * width;
  const make = (count: number): SegSplit => ({ images: new Uint8Array(count * pixels * 3), labels: new Uint8Array(count * pixels), count });
  const splits = { train: make(plan.counts.train), test: make(plan.counts.test) };
  let format: SegFormat | null = opts.format ? SEG_FORMATS[opts.format] : null;
  let lastYield = Date.now();
  for (const [i, pair] of plan.pairs.entries()) {
    checkAborted();
    const png = decodeLabel(await byPath.get(pair.label)!.bytes(), pair.label);
    if (!format) {
      format = SEG_FORMATS[detectSegFormat(pair.label, png)];
      opts.onInfo?.({ format: format.id, counts: plan.counts, skipped: plan.skipped });
    }
    const classes = mapLabelPng(format, png, pair.label);
    checkAborted();
    const image = await decodeImageChecked(opts.decodeImage, await byPath.get(pair.image)!.bytes(), pair.image);
    if (image.width !== png.width || image.height !== png.height) {
      throw new SegImportError(
        'size-mismatch',
        `${pair.label} is ${png.width}×${png.height} pixels but its image ${pair.image} is ${image.width}×${image.height}: a label must cover its image pixel for pixel.`,
      );
    }
    const split = splits[pair.split];
    split.images.set(resizeBilinearRgb(image.rgba, image.width, image.height, width, height), pair.slot * pixels * 3);
    split.labels.set(resizeNearest(classes, png.width, png.height, width, height), pair.slot * pixels);
    opts.onProgress?.((i + 1) / plan.pairs.length);
    if (Date.now() - lastYield >= YIELD_MS) {
      await pause();
      lastYield = Date.now();
    }
  }
  checkAborted();
  const f = format!; // there is at least one pair
  return { name: opts.name ?? plan.name, classNames: f.classNames, palette: f.palette, height, width, ignoreLabel: IGNORE, ...splits };
}

/**
 * One label PNG read exactly as the importer reads a dataset's labels in `format` (e.g. CamVid 11's void 11 →
 * 255), at the PNG's own size: for the viewer, so an uploaded label of an imported set means what its import meant.
 * 'auto' detects the format from the file name and pixels as the importer does; `format` says which was used.
 */
export function readLabelPng(
  bytes: Uint8Array,
  format: SegFormatId | 'auto',
  name: string,
): { width: number; height: number; ids: Uint8Array; format: SegFormatId } {
  const png = decodeLabel(bytes, name);
  const used = format === 'auto' ? detectSegFormat(name, png) : format;
  return { width: png.width, height: png.height, ids: mapLabelPng(SEG_FORMATS[used], png, name), format: used };
}

function decodeLabel(bytes: Uint8Array, path: string): DecodedPng {
  try {
    return decode(bytes);
  } catch (e) {
    throw new SegImportError('label-decode', `${path} could not be read as a PNG (${e instanceof Error ? e.message : String(e)}): label files must be PNGs.`);
  }
}

async function decodeImageChecked(decodeImage: SegImportOptions['decodeImage'], bytes: Uint8Array, path: string): Promise<DecodedRgba> {
  let image: DecodedRgba;
  try {
    image = await decodeImage(bytes, path);
  } catch (e) {
    if (e instanceof SegImportError) throw e;
    throw new SegImportError('image-decode', `${path} could not be decoded as an image (${e instanceof Error ? e.message : String(e)}).`);
  }
  if (image.rgba.length !== image.width * image.height * 4) {
    throw new SegImportError(
      'image-decode',
      `${path} decoded to ${image.rgba.length} bytes, not the ${image.width * image.height * 4} of ${image.width}×${image.height} RGBA pixels.`,
    );
  }
  return image;
}

/** Source index of each of `dst` nearest-neighbour samples over `src` (pixel centres aligned, as PIL NEAREST). */
function nearestIndex(src: number, dst: number): Int32Array {
  return Int32Array.from({ length: dst }, (_, i) => Math.min(src - 1, Math.floor(((i + 0.5) * src) / dst)));
}

/** Resize one-byte-per-pixel class ids (row-major) by nearest neighbour: never mixes two classes. */
export function resizeNearest(labels: Uint8Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  if (sw === dw && sh === dh) return labels;
  const xs = nearestIndex(sw, dw);
  const ys = nearestIndex(sh, dh);
  const out = new Uint8Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    const row = ys[y]! * sw;
    for (let x = 0; x < dw; x++) out[y * dw + x] = labels[row + xs[x]!]!;
  }
  return out;
}

/** Bilinear (triangle) filter taps along one axis, widened by the scale when shrinking (antialiased, as PIL BILINEAR). */
function taps(src: number, dst: number): { start: number; weights: Float32Array }[] {
  const scale = src / dst;
  const support = Math.max(scale, 1);
  return Array.from({ length: dst }, (_, i) => {
    const centre = (i + 0.5) * scale;
    const start = Math.max(0, Math.floor(centre - support + 0.5));
    const end = Math.min(src, Math.floor(centre + support + 0.5));
    const weights = new Float32Array(end - start);
    let sum = 0;
    for (let k = 0; k < weights.length; k++) {
      const w = Math.max(0, 1 - Math.abs((start + k + 0.5 - centre) / support));
      weights[k] = w;
      sum += w;
    }
    for (let k = 0; k < weights.length; k++) weights[k]! /= sum;
    return { start, weights };
  });
}

/** Resize RGBA (row-major) to RGB dw×dh (HWC) with bilinear interpolation, antialiased when shrinking. */
export function resizeBilinearRgb(rgba: Uint8Array | Uint8ClampedArray, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  const xt = taps(sw, dw);
  const yt = taps(sh, dh);
  const rows = new Float32Array(sh * dw * 3); // horizontal pass
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < dw; x++) {
      const { start, weights } = xt[x]!;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < weights.length; k++) {
        const o = (y * sw + start + k) * 4;
        const w = weights[k]!;
        r += rgba[o]! * w;
        g += rgba[o + 1]! * w;
        b += rgba[o + 2]! * w;
      }
      const o = (y * dw + x) * 3;
      rows[o] = r;
      rows[o + 1] = g;
      rows[o + 2] = b;
    }
  }
  const out = new Uint8Array(dh * dw * 3); // vertical pass
  for (let y = 0; y < dh; y++) {
    const { start, weights } = yt[y]!;
    for (let x = 0; x < dw * 3; x++) {
      let v = 0;
      for (let k = 0; k < weights.length; k++) v += rows[(start + k) * dw * 3 + x]! * weights[k]!;
      out[y * dw * 3 + x] = Math.min(255, Math.max(0, Math.round(v)));
    }
  }
  return out;
}
