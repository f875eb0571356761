/**
 * Pure helpers of the Segment viewer's input fitting (no DOM): the centre crop to the models' 1:2
 * (height:width) aspect, nearest-neighbour resizing of label maps, and reading a decoded label PNG
 * as class ids (grey / indexed values are ids, RGB colours go through the legend palette).
 */
import { decode, type DecodedPng } from 'fast-png';

/** The class id of pixels no metric counts. */
export const IGNORE_ID = 255;

export { centreCrop, nearestResize, type CropRect } from '../../../../protocol';

/** A label map refused for a reason the user should read. */
export class LabelError extends Error {
  override name = 'LabelError';
}

/** The parts of a fast-png decode result the label reader needs. */
export type LabelPng = Pick<DecodedPng, 'width' | 'height' | 'channels' | 'depth' | 'data'>;

/** The samples of a PNG, one entry per channel per pixel (1/2/4-bit rows unpacked). */
export function unpackSamples(png: LabelPng): ArrayLike<number> {
  const { width, height, channels, depth, data } = png;
  if (depth >= 8) return data;
  const perRow = width * channels;
  const rowBytes = Math.ceil((perRow * depth) / 8);
  const perByte = 8 / depth;
  const mask = (1 << depth) - 1;
  const out = new Uint8Array(perRow * height);
  for (let y = 0; y < height; y++) {
    for (let s = 0; s < perRow; s++) {
      const byte = data[y * rowBytes + Math.floor(s / perByte)]!;
      out[y * perRow + s] = (byte >> (8 - depth * ((s % perByte) + 1))) & mask;
    }
  }
  return out;
}

const hex = (c: number) => c.toString(16).padStart(2, '0');
/** [255, 0, 128] → "#ff0080". */
export const colourHex = ([r, g, b]: readonly number[]) => `#${hex(r ?? 0)}${hex(g ?? 0)}${hex(b ?? 0)}`;

type Palette = readonly (readonly number[])[];

/**
 * Class ids of a decoded label PNG. Grey or indexed 8-bit (or fewer bits) values are the ids themselves
 * (0 … classCount−1, 255 = ignore; any value when the palette is not known yet). RGB(A) colours must
 * equal a palette colour exactly; black (the legend's ignore colour, unless a class uses it) and fully
 * transparent pixels are ignored.
 */
export function labelIdsFromPng(png: LabelPng, palette: Palette | null, name = 'the label PNG'): Uint8Array {
  const { width, height, channels, depth } = png;
  if (depth === 16) throw new LabelError(`${name} is a 16-bit PNG: label PNGs must be 8-bit (grey, indexed or RGB).`);
  const n = width * height;
  const data = unpackSamples(png);
  const ids = new Uint8Array(n);
  const at = (p: number) => `pixel (x ${p % width}, y ${Math.floor(p / width)})`;
  if (channels <= 2) {
    const classes = palette ? palette.length : IGNORE_ID;
    for (let p = 0; p < n; p++) {
      const v = data[p * channels]!;
      if (v !== IGNORE_ID && v >= classes) {
        throw new LabelError(`${name}: value ${v} at ${at(p)} is not a class id (0–${classes - 1}, or 255 for ignore).`);
      }
      ids[p] = v;
    }
    return ids;
  }
  if (!palette) throw new LabelError(`${name} is a colour PNG, but the class colours are not known yet (no model or sample loaded).`);
  const byColour = new Map<number, number>([[0, IGNORE_ID]]);
  palette.forEach(([r = 0, g = 0, b = 0], c) => byColour.set((r << 16) | (g << 8) | b, c));
  for (let p = 0; p < n; p++) {
    const i = p * channels;
    if (channels === 4 && data[i + 3] === 0) {
      ids[p] = IGNORE_ID;
      continue;
    }
    const r = data[i]!,
      g = data[i + 1]!,
      b = data[i + 2]!;
    const id = byColour.get((r << 16) | (g << 8) | b);
    if (id === undefined) {
      throw new LabelError(`${name}: colour ${colourHex([r, g, b])} (rgb ${r}, ${g}, ${b}) at ${at(p)} is not a class colour of the legend.`);
    }
    ids[p] = id;
  }
  return ids;
}

/** Decode a label PNG's bytes exactly (fast-png); bytes that are no PNG throw a LabelError naming the file. */
export function decodePng(bytes: Uint8Array, name = 'the label PNG'): DecodedPng {
  try {
    return decode(bytes);
  } catch (err) {
    throw new LabelError(`${name} could not be read as a PNG (${err instanceof Error ? err.message : String(err)}).`);
  }
}

/** Whether a decoded PNG's labels are colours (RGB or RGBA) that need the palette. */
export const isColourPng = (png: Pick<LabelPng, 'channels'>) => png.channels >= 3;

/** Decode a label PNG into class ids (decodePng + labelIdsFromPng). */
export function decodeLabelPng(bytes: Uint8Array, palette: Palette | null, name = 'the label PNG'): { width: number; height: number; ids: Uint8Array } {
  const png = decodePng(bytes, name);
  return { width: png.width, height: png.height, ids: labelIdsFromPng(png, palette, name) };
}
