/** Turn a drop or a picker selection into the files of an import request, with folder-relative paths. */
import type { ImportFile, ImportRequest, SegLabelFormat } from '../../../protocol/datasets';

const IMAGE = /\.(png|jpe?g)$/i;

/** Files from an <input type=file> (a folder picker fills webkitRelativePath). */
export function filesFromInput(list: FileList | null): ImportFile[] {
  return Array.from(list ?? [], (file) => ({ file, path: file.webkitRelativePath || file.name }));
}

/** Files of a drop, descending into dropped folders. */
export async function filesFromDrop(dt: DataTransfer): Promise<ImportFile[]> {
  const entries = Array.from(dt.items, (item) => item.webkitGetAsEntry?.() ?? null);
  if (entries.some((e) => e === null)) return filesFromInput(dt.files);
  const out: ImportFile[] = [];
  for (const entry of entries) await walk(entry!, out);
  return out;
}

async function walk(entry: FileSystemEntry, out: ImportFile[]): Promise<void> {
  const path = entry.fullPath.replace(/^\//, '');
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, path });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns at most ~100 entries per call: read until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, out);
  }
}

/** Images mean a folder import; anything else is read as CIFAR binary. */
export function requestFor(files: ImportFile[], labelMode: 'fine' | 'coarse'): ImportRequest {
  const format = files.some((f) => IMAGE.test(f.path)) ? 'folder' : 'cifar';
  return { format, files, labelMode };
}

/** A segmentation-pairs import of the picked folder's files, its labels read as `segFormat` ('auto': detected). */
export function segRequestFor(files: ImportFile[], segFormat: 'auto' | SegLabelFormat): ImportRequest {
  return { format: 'segmentation', files, labelMode: 'fine', segFormat };
}

/** A person-detection import (COCO instances JSON or Pascal VOC XML, told apart by the worker) of the picked folder's files. */
export function detectRequestFor(files: ImportFile[]): ImportRequest {
  return { format: 'detection', files, labelMode: 'fine' };
}

/**
 * Whether picked files look like a person-detection folder: a COCO `instances_*.json`, or Pascal VOC `Annotations/*.xml`
 * beside images (classification and segmentation imports use neither).
 */
export function looksLikeDetection(files: readonly ImportFile[]): boolean {
  const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  return (
    files.some((f) => /^instances_.*\.json$/i.test(base(f.path))) ||
    (files.some((f) => /(^|\/)Annotations\/[^/]+\.xml$/i.test(f.path)) && !files.some((f) => /(^|\/)Segmentation(Class|Object)\//i.test(f.path)))
  );
}

/** A short label for the progress bar: the single file's name, the folder's name, or a count. */
export function labelFor(files: ImportFile[]): string {
  if (files.length === 1) return files[0]!.path;
  const root = files[0]?.path.split('/')[0];
  if (root && files.every((f) => f.path.startsWith(`${root}/`))) return `${root}/ (${files.length} files)`;
  return `${files.length} files`;
}
