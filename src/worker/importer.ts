/**
 * Runs one classification import in the worker: CIFAR binary (streamed from the Files) or an image folder (decoded here);
 * segmentation pairs: segImporter.ts; person boxes (COCO / Pascal VOC): detectImporter.ts.
 */
import { FolderDatasetBuilder, ImportError, importCifar, planImageFolder, readableChunks, type ImageDataset } from '../engine';
import type { ImportRequest } from '../protocol/datasets';
import type { SaveMeta } from './datasetStore';
import { decodeResized } from './imageDecode';
import { yieldToEventLoop } from './yieldToEventLoop';

export interface ImportOutput {
  data: ImageDataset;
  meta: SaveMeta;
}

/** Side of the images a folder import produces (the CIFAR models' input size). */
export const FOLDER_IMAGE_SIZE = 32;

/** Describe the picked files in a few words ("cifar-10-binary.tar.gz", "6 files", "pets/"). */
export function describeSource(req: ImportRequest): string {
  if (req.format === 'folder' || req.format === 'segmentation' || req.format === 'detection') return `${req.files[0]?.path.split('/')[0] ?? 'folder'}/`;
  if (req.files.length === 1) return req.files[0]!.file.name;
  return `${req.files.length} files`;
}

/** Parse the request's files into a dataset; `onProgress` gets fractions of the reading/decoding phase. */
export async function runImport(req: ImportRequest, onProgress: (fraction: number) => void, signal: AbortSignal): Promise<ImportOutput> {
  if (req.files.length === 0) throw new ImportError('empty-file', 'No files were chosen.');
  if (req.format === 'segmentation') throw new Error('Segmentation pairs are imported by runSegImport (segImporter.ts), not runImport.');
  if (req.format === 'detection') throw new Error('Person boxes are imported by runDetectImport (detectImporter.ts), not runImport.');
  const source = describeSource(req);
  if (req.format === 'folder') return importFolder(req, source, onProgress, signal);
  const single = req.files.length === 1 && /\.(tar\.gz|tgz|tar|gz)$/i.test(req.files[0]!.file.name) ? req.files[0]!.file : null;
  const data = single
    ? await importCifar(readableChunks(single.stream()), { labelMode: req.labelMode, onProgress, totalBytes: single.size, sourceName: single.name, signal })
    : await importCifar(
        req.files.map(({ file }) => ({ name: file.name, size: file.size, chunks: () => readableChunks(file.stream()) })),
        { labelMode: req.labelMode, onProgress, signal },
      );
  const kind = data.classNames.length === 10 && data.name === 'CIFAR-10' ? 'cifar10' : 'cifar100';
  return { data, meta: { kind, source, ...(kind === 'cifar100' ? { labelMode: req.labelMode } : {}) } };
}

async function importFolder(req: ImportRequest, source: string, onProgress: (f: number) => void, signal: AbortSignal): Promise<ImportOutput> {
  const plan = planImageFolder(req.files.map((f) => f.path));
  const byPath = new Map(req.files.map((f) => [f.path, f.file]));
  const builder = new FolderDatasetBuilder(plan, FOLDER_IMAGE_SIZE);
  for (const [k, item] of plan.items.entries()) {
    if (signal.aborted) throw new ImportError('aborted', 'The import was cancelled.');
    let rgba: Uint8ClampedArray;
    try {
      rgba = await decodeResized(byPath.get(item.path)!, FOLDER_IMAGE_SIZE);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new ImportError('image-decode', `${item.path} could not be decoded as an image (${why}): remove or replace it, then import again.`);
    }
    builder.put(item, rgba);
    if (k % 64 === 63) {
      onProgress((k + 1) / plan.items.length);
      await yieldToEventLoop();
    }
  }
  onProgress(1);
  return { data: builder.finish(), meta: { kind: 'folder', source } };
}
