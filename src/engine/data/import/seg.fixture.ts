/** Test-only builders of segmentation label and image PNGs in the layouts real datasets ship. */
import { deflateSync } from 'node:zlib';
import { decode, encode } from 'fast-png';
import { crc32 } from './crc32';
import { vocColour } from './segFormats';
import type { SegImportFile } from './segImport';

/** Pack sub-byte samples (1/2/4 bits) into PNG rows, each row starting on a byte. */
function pack(width: number, height: number, values: readonly number[], depth: number): Uint8Array {
  const rowBytes = Math.ceil((width * depth) / 8);
  const out = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      out[y * rowBytes + (bit >> 3)]! |= values[y * width + x]! << (8 - depth - (bit & 7));
    }
  }
  return out;
}

/** A grayscale PNG (an index label as Cityscapes and SegNet's CamVid ship them) of `values`, row-major. */
export function grayPng(width: number, height: number, values: readonly number[], depth: 1 | 2 | 4 | 8 | 16 = 8): Uint8Array {
  const data = depth === 16 ? Uint16Array.from(values) : depth === 8 ? Uint8Array.from(values) : pack(width, height, values, depth);
  return encode({ width, height, data, channels: 1, depth });
}

/** An RGB (or RGBA, alpha 255) PNG of `colours`, row-major; at depth 16 each 8-bit c is stored as c·257. */
export function rgbPng(width: number, height: number, colours: readonly (readonly number[])[], opts: { alpha?: boolean; depth?: 8 | 16 } = {}): Uint8Array {
  const channels = opts.alpha ? 4 : 3;
  const depth = opts.depth ?? 8;
  const samples = colours.flatMap((c) => (opts.alpha ? [c[0]!, c[1]!, c[2]!, 255] : [c[0]!, c[1]!, c[2]!]));
  const data = depth === 16 ? Uint16Array.from(samples, (v) => v * 257) : Uint8Array.from(samples);
  return encode({ width, height, data, channels, depth });
}

/** A palette PNG made by fast-png's encoder. */
export function palettePng(
  width: number,
  height: number,
  indices: readonly number[],
  palette: readonly (readonly number[])[],
  depth: 1 | 2 | 4 | 8 = 8,
): Uint8Array {
  const data = depth === 8 ? Uint8Array.from(indices) : pack(width, height, indices, depth);
  return encode({ width, height, data, channels: 1, depth, palette: palette.map((c) => [...c]) });
}

/** The 256-colour VOC palette that every SegmentationClass PNG carries. */
export const VOC_FILE_PALETTE = Array.from({ length: 256 }, (_, i) => [...vocColour(i)]);

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  const typed = new Uint8Array(4 + data.length);
  typed.set(new TextEncoder().encode(type));
  typed.set(data, 4);
  out.set(typed, 4);
  view.setUint32(8 + data.length, crc32(typed));
  return out;
}

/**
 * A palette PNG written chunk by chunk as VOC's SegmentationClass files are (IHDR colour type 3, PLTE of 256
 * colours, one IDAT, IEND), independent of fast-png's encoder; rows alternate filters None, Sub and Up.
 */
export function vocIndexedPng(width: number, height: number, indices: readonly number[], palette = VOC_FILE_PALETTE): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 3, 0, 0, 0], 8); // depth 8, colour type 3 (indexed), deflate, adaptive filtering, no interlace
  const raw = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) {
    const filter = y % 3; // 0 None, 1 Sub, 2 Up
    raw[y * (width + 1)] = filter;
    for (let x = 0; x < width; x++) {
      const v = indices[y * width + x]!;
      const left = x > 0 ? indices[y * width + x - 1]! : 0;
      const up = y > 0 ? indices[(y - 1) * width + x]! : 0;
      raw[y * (width + 1) + 1 + x] = (v - (filter === 1 ? left : filter === 2 ? up : 0)) & 255;
    }
  }
  const signature = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);
  const parts = [
    signature,
    chunk('IHDR', ihdr),
    chunk('PLTE', Uint8Array.from(palette.flat())),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The test image pattern: RGB of pixel (x, y) of image `seed`. */
export function imagePixel(seed: number, x: number, y: number): [number, number, number] {
  return [(seed * 40 + x * 17) & 255, (seed * 7 + y * 29) & 255, (seed * 13 + x * y * 3) & 255];
}

/** An RGB photo PNG of the test pattern. */
export function photoPng(seed: number, width: number, height: number): Uint8Array {
  const colours = Array.from({ length: width * height }, (_, p) => imagePixel(seed, p % width, Math.floor(p / width)));
  return rgbPng(width, height, colours);
}

/** A decodeImage for tests: fast-png (8-bit RGB/RGBA), whatever the extension, as the worker's decoder would return it. */
export async function decodeTestImage(bytes: Uint8Array): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  const png = decode(bytes);
  const n = png.width * png.height;
  const rgba = new Uint8Array(n * 4);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = png.data[p * png.channels + (png.channels >= 3 ? c : 0)]!;
    rgba[p * 4 + 3] = 255;
  }
  return { width: png.width, height: png.height, rgba };
}

/** In-memory files for importSegPairs, in the given order. */
export function memFiles(files: Record<string, Uint8Array | string>): SegImportFile[] {
  return Object.entries(files).map(([path, content]) => ({
    path,
    bytes: () => Promise.resolve(typeof content === 'string' ? new TextEncoder().encode(content) : content),
  }));
}
