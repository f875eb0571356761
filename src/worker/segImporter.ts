/** Runs a segmentation-pairs import in the worker: images + label PNGs of a picked folder → a SegDataset at 128×256. */
import { STREET_SIZES, importSegPairs, type DecodedRgba, type SegFormatId, type SegDataset } from '../engine';
import type { ImportRequest } from '../protocol/datasets';
import type { SegSaveMeta } from './datasetStore';
import { decodeFullSize } from './imageDecode';

/** The size imported segmentation sets are stored at: the Segment lab's high size (128×256). */
export const SEG_STORE_SIZE = STREET_SIZES.high;

/** Decodes one image file's bytes to RGBA at its own size. */
export type SegImageDecoder = (bytes: Uint8Array, path: string) => Promise<DecodedRgba>;

/** The worker's decoder: createImageBitmap + OffscreenCanvas, full size. */
export const decodeSegImage: SegImageDecoder = (bytes) => decodeFullSize(new Blob([new Uint8Array(bytes)]));

export interface SegImportOutput {
  data: SegDataset;
  meta: SegSaveMeta;
}

/** Pair, decode and resize the request's files (throws the importer's ImportError); `onProgress` gets fractions of the decoding phase. */
export async function runSegImport(
  req: ImportRequest,
  source: string,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
  decodeImage: SegImageDecoder = decodeSegImage,
): Promise<SegImportOutput> {
  const chosen: SegFormatId | undefined = req.segFormat && req.segFormat !== 'auto' ? req.segFormat : undefined;
  let detected: SegFormatId | undefined;
  const files = req.files.map(({ file, path }) => ({ path, bytes: async () => new Uint8Array(await file.arrayBuffer()) }));
  const data = await importSegPairs(files, {
    ...(chosen ? { format: chosen } : {}),
    decodeImage,
    size: SEG_STORE_SIZE,
    onProgress,
    onInfo: (info) => (detected = info.format),
    signal,
  });
  return { data, meta: { source, segFormat: chosen ?? detected ?? 'unknown' } };
}
