/**
 * Browser side of the viewer's input: decode image files (createImageBitmap), fit an image to a model
 * input size (centre crop to 1:2, resize on a 2-D canvas, take RGB) and its label map (same crop, nearest).
 */
import { centreCrop, decodePng, isColourPng, labelIdsFromPng, nearestResize, LabelError } from './labelMap';
import { rgbaToRgb, rgbToRgba } from './pixels';

/** Full-resolution class ids of an image, at the image's own width × height. */
export interface LabelSource {
  name: string;
  width: number;
  height: number;
  ids: Uint8Array;
}

/** One image the user can look at: an upload or a built-in street scene. */
export interface ViewerSource {
  key: string;
  name: string;
  bitmap: ImageBitmap;
  labels: LabelSource | null;
}

/** An image fitted to a model input size: RGB (height × width × 3) and class ids when labels exist. */
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

/** Decode an uploaded PNG/JPEG; a file of another type or one that does not decode throws a sentence naming it. */
export async function decodeImageFile(file: File): Promise<ImageBitmap> {
  if (file.type && !ACCEPTED.includes(file.type)) throw new Error(`${file.name} is not a PNG or JPEG image (${file.type}).`);
  try {
    const bitmap = await createImageBitmap(file);
    if (bitmap.width === 0 || bitmap.height === 0) throw new Error('it is empty');
    return bitmap;
  } catch (err) {
    const why = err instanceof Error && err.message ? ` (${err.message})` : '';
    throw new Error(`${file.name} could not be decoded as an image${why}.`);
  }
}

type Palette = readonly (readonly number[])[];

/**
 * Read a label PNG for `source`: exact decode, the image's dimensions required, then class ids (colours
 * through the palette; without a `known` one, `fetchPalette()` is asked, only for a colour PNG).
 */
/** Reads a label PNG the way an imported dataset's labels were read (its label format), at the PNG's size. */
export type LabelDecoder = (bytes: Uint8Array, name: string) => Promise<{ width: number; height: number; ids: Uint8Array }>;

export async function readLabelFile(
  file: File,
  source: ViewerSource,
  known: Palette | null,
  fetchPalette: () => Promise<Palette | null>,
  decoder: LabelDecoder | null = null,
): Promise<LabelSource> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const { width: w, height: h } = source.bitmap;
  const sizeCheck = (width: number, height: number) => {
    if (width !== w || height !== h)
      throw new LabelError(`${file.name} is ${width}×${height} pixels but ${source.name} is ${w}×${h}: a label PNG must have exactly its image's size.`);
  };
  if (decoder) {
    const r = await decoder(bytes, file.name);
    sizeCheck(r.width, r.height);
    return { name: file.name, width: r.width, height: r.height, ids: r.ids };
  }
  const png = decodePng(bytes, file.name);
  sizeCheck(png.width, png.height);
  const ids = labelIdsFromPng(png, known ?? (isColourPng(png) ? await fetchPalette() : null), file.name);
  return { name: file.name, width: png.width, height: png.height, ids };
}

/** An ImageBitmap of RGB bytes (a built-in sample). */
export function bitmapFromRgb(rgb: Uint8Array, width: number, height: number): Promise<ImageBitmap> {
  return createImageBitmap(new ImageData(rgbToRgba(rgb), width, height));
}

/** Centre-crop the source to 1:2 and resize it (and its labels, nearest) to width × height. */
export function fitSource(source: ViewerSource, width: number, height: number): FittedImage {
  const { bitmap, labels } = source;
  const rect = centreCrop(bitmap.width, bitmap.height, width / height);
  const ctx = canvas2d(width, height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, rect.x, rect.y, rect.width, rect.height, 0, 0, width, height);
  const rgb = rgbaToRgb(ctx.getImageData(0, 0, width, height).data);
  const fittedLabels = labels ? nearestResize(labels.ids, labels.width, rect, width, height) : null;
  return { source, width, height, rgb, labels: fittedLabels };
}
