/**
 * Browser side of the viewer's input: decode image files (createImageBitmap), read an image's exact pixels, read a
 * label PNG (the models' own ids / colours here, a real dataset's format through the worker's importer decoders).
 * Fitting to a model input size is useFitted's (the evaluator's crop and resize).
 */
import type { LabelClasses, SegLabelFormat, SegLabelsRead, ViewerLabelFormat } from '../../../../protocol';
import { decodePng, isColourPng, labelIdsFromPng, LabelError } from './labelMap';
import { rgbToRgba } from './pixels';

/** Full-resolution class ids of an image, at the label PNG's own size (the image's, or the same shape scaled). */
export interface LabelSource {
  name: string;
  width: number;
  height: number;
  /** Class ids in `classes`' classes (255 = ignore). */
  ids: Uint8Array;
  /** What the ids mean: the format read and its mapping onto the street classes. */
  classes: LabelClasses;
  /** The uploaded file (read again when the label format is changed); absent for a built-in scene's labels. */
  file?: File;
}

/** One image the user can look at: an upload or a built-in street scene. */
export interface ViewerSource {
  key: string;
  name: string;
  bitmap: ImageBitmap;
  labels: LabelSource | null;
}

/** An image fitted to a model input size: RGB (height × width × 3) and, when labels score the models, their class ids. */
export interface FittedImage {
  source: ViewerSource;
  width: number;
  height: number;
  rgb: Uint8Array;
  labels: Uint8Array | null;
}

const ACCEPTED = ['image/png', 'image/jpeg'];

/** A 2-D context of a width × height canvas (offscreen where the browser has it) for reading pixels back. */
export function canvas2d(width: number, height: number): OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D {
  if (typeof OffscreenCanvas !== 'undefined') {
    const ctx = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (ctx) return ctx;
  }
  const el = document.createElement('canvas');
  el.width = width;
  el.height = height;
  const ctx = el.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('this browser has no 2-D canvas');
  return ctx;
}

/**
 * Decode an uploaded PNG/JPEG; a file of another type or one that does not decode throws a sentence naming it.
 * `exact`: no colour-space conversion, so the pixels are the file's own (as the Node evaluator reads them).
 */
export async function decodeImageFile(file: File, exact = false): Promise<ImageBitmap> {
  if (file.type && !ACCEPTED.includes(file.type)) throw new Error(`${file.name} is not a PNG or JPEG image (${file.type}).`);
  try {
    const bitmap = await (exact ? createImageBitmap(file, { colorSpaceConversion: 'none' }) : createImageBitmap(file));
    if (bitmap.width === 0 || bitmap.height === 0) throw new Error('it is empty');
    return bitmap;
  } catch (err) {
    const why = err instanceof Error && err.message ? ` (${err.message})` : '';
    throw new Error(`${file.name} could not be decoded as an image${why}.`);
  }
}

const pixelCache = new WeakMap<ImageBitmap, Uint8ClampedArray>();

/** The bitmap's RGBA pixels at its own size (drawn 1:1, so not resampled); read once per bitmap. */
export function bitmapRgba(bitmap: ImageBitmap): Uint8ClampedArray {
  let pixels = pixelCache.get(bitmap);
  if (!pixels) {
    const ctx = canvas2d(bitmap.width, bitmap.height);
    ctx.drawImage(bitmap, 0, 0);
    pixels = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    pixelCache.set(bitmap, pixels);
  }
  return pixels;
}

type Palette = readonly (readonly number[])[];

/** The class names and colours of the models shown (the legend). */
export interface Legend {
  classNames: string[];
  palette: Palette;
}

/** What a label upload is read against. */
export interface LabelReadContext {
  /** The label format chosen in the viewer ('auto': detect). */
  format: ViewerLabelFormat;
  /** The legend of the models shown, or null until a model or the street samples tell it. */
  legend: Legend | null;
  /** Asked for the street scenes' legend when none is known and the models' own ids / colours are read. */
  fetchLegend: () => Promise<Legend | null>;
  /** The imported dataset the models shown were trained on (its label format is the 'auto' reading), or null. */
  dataset: string | null;
  /** The worker's reader in a real dataset's format (segment.readLabels). */
  readInFormat: (bytes: Uint8Array, name: string, how: { dataset: string } | { format: SegLabelFormat | 'auto' }) => Promise<SegLabelsRead>;
}

/** The label's shape must be the image's (same size, or the same aspect scaled); else one sentence naming both files. */
function checkShape(file: string, width: number, height: number, source: ViewerSource): void {
  const { width: w, height: h } = source.bitmap;
  if (width * h !== height * w)
    throw new LabelError(
      `${file} is ${width}×${height} pixels but ${source.name} is ${w}×${h}: a label PNG must have its image's size (or its shape, scaled).`,
    );
}

/** Whether every pixel of a colour (RGB / RGBA) PNG is a legend colour (black and transparent count: they are ignore). */
function onlyLegendColours(png: ReturnType<typeof decodePng>, legend: Legend): boolean {
  if (!isColourPng(png) || png.palette || png.depth !== 8) return false;
  try {
    labelIdsFromPng(png, legend.palette);
    return true;
  } catch {
    return false;
  }
}

/**
 * Read a label PNG for `source`. 'own': grey / indexed values are the models' class ids, RGB colours those of the legend.
 * A real format (CamVid 11 / 32, Cityscapes labelIds / trainIds, VOC) is read by the worker with the importer's decoders.
 * 'auto': an imported class set's own format; a colour PNG of legend colours only as the models' own; otherwise the
 * format the importer would detect. Bad input throws one sentence naming the file.
 */
export async function readLabelFile(file: File, source: ViewerSource, ctx: LabelReadContext): Promise<LabelSource> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const png = decodePng(bytes, file.name);
  checkShape(file.name, png.width, png.height, source);
  const base = { name: file.name, width: png.width, height: png.height, file };
  const own = async (legend: Legend | null): Promise<LabelSource> => {
    const known = legend ?? (await ctx.fetchLegend());
    const ids = labelIdsFromPng(png, known?.palette ?? null, file.name);
    return { ...base, ids, classes: { format: 'own', how: 'own', classNames: known?.classNames ?? [], street: null } };
  };
  const real = async (how: LabelClasses['how'], request: { dataset: string } | { format: SegLabelFormat | 'auto' }): Promise<LabelSource> => {
    const r = await ctx.readInFormat(bytes.slice(), file.name, request);
    return { ...base, ids: r.ids, classes: { format: r.format, how, classNames: r.classNames, street: r.street } };
  };
  if (ctx.format === 'own') return own(ctx.legend);
  if (ctx.format !== 'auto') return real('chosen', { format: ctx.format });
  if (ctx.dataset) return real('dataset', { dataset: ctx.dataset });
  if (isColourPng(png) && !png.palette) {
    const legend = ctx.legend ?? (await ctx.fetchLegend());
    if (legend && onlyLegendColours(png, legend)) return own(legend);
  }
  return real('detected', { format: 'auto' });
}

/** An ImageBitmap of RGB bytes (a built-in sample). */
export function bitmapFromRgb(rgb: Uint8Array, width: number, height: number): Promise<ImageBitmap> {
  return createImageBitmap(new ImageData(rgbToRgba(rgb), width, height));
}
