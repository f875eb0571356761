/** Import CIFAR-10 / CIFAR-100 (binary version) from the downloaded .tar.gz stream or from extracted files. */
import type { ImageDataset } from '../dataset';
import { ArchiveReader } from './archiveReader';
import { sliceChunks } from './byteStream';
import { CifarCollector } from './cifarCollector';
import { identifyCifarFile } from './cifarFormat';
import { isGzip } from './gunzipStream';
import { ImportError, formatCount } from './importError';
import { ImportProgress } from './importProgress';
import type { TarEntry } from './tar';

/** One extracted file held in memory. */
export interface CifarBytesFile {
  name: string;
  bytes: Uint8Array;
}

/** One file read on demand (a File from a picker or a drop): its size, and its bytes as a stream of chunks. */
export interface CifarStreamFile {
  name: string;
  size: number;
  chunks: () => AsyncIterable<Uint8Array>;
}

/** One extracted file, e.g. from an <input type=file multiple> or a dropped folder. */
export type CifarInputFile = CifarBytesFile | CifarStreamFile;

const sizeOf = (f: CifarInputFile) => ('bytes' in f ? f.bytes.length : f.size);

/** The archive as a stream of chunks (see `readableChunks`), or a list of files (extracted .bin/.txt files or archives). */
export type CifarSource = AsyncIterable<Uint8Array> | readonly CifarInputFile[];

export interface CifarImportOptions {
  /** CIFAR-100 only: train on the 100 fine labels (default) or the 20 coarse superclasses. */
  labelMode?: 'fine' | 'coarse';
  /** Fraction of the input read, in [0, 1]; 1 is reported once the dataset is complete. */
  onProgress?: (fraction: number) => void;
  /** Size of a streamed archive in bytes (File.size), so that progress can be reported; lists know their size. */
  totalBytes?: number;
  /** How the source is named in error messages, e.g. the file name. */
  sourceName?: string;
  /** Abort the import; it then rejects with ImportError('aborted'). */
  signal?: AbortSignal;
}

/** Size of the slices a listed file is fed in (progress and yields happen between slices). */
const SLICE = 1 << 20;

/** CIFAR-10/100 binary (.tar.gz stream or extracted files) → ImageDataset of NHWC uint8 32×32×3; rejects with ImportError. */
export async function importCifar(source: CifarSource, opts: CifarImportOptions = {}): Promise<ImageDataset> {
  const collector = new CifarCollector(opts.labelMode ?? 'fine');
  const list = isFileList(source);
  const total = list ? source.reduce((sum, f) => sum + sizeOf(f), 0) : (opts.totalBytes ?? 0);
  const progress = new ImportProgress(total, opts.onProgress, opts.signal);
  if (list) await readFiles(source, collector, progress);
  else await readArchive(source, new ArchiveReader(entryHandler(collector), opts.sourceName ?? 'The archive'), progress);
  const label = opts.sourceName ?? (list ? 'The selected files' : 'The archive');
  const dataset = collector.finish({ label, isList: list });
  opts.onProgress?.(1);
  return dataset;
}

function isFileList(source: CifarSource): source is readonly CifarInputFile[] {
  return Array.isArray(source);
}

function entryHandler(collector: CifarCollector) {
  return (entry: TarEntry) => (entry.type === 'file' ? collector.beginFile(entry.name, entry.size) : undefined);
}

async function readArchive(chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, archive: ArchiveReader, progress: ImportProgress): Promise<void> {
  for await (const chunk of chunks) {
    archive.push(chunk);
    await progress.add(chunk.length);
  }
  archive.end();
}

/** True for a list entry that is itself an archive (by name, or by the gzip signature of bytes in memory). */
function isArchive(file: CifarInputFile): boolean {
  return /\.(tar\.gz|tgz|tar)$/i.test(file.name) || ('bytes' in file && isGzip(file.bytes));
}

/** The bytes of a listed file in slices (in memory) or chunks (streamed). */
function fileChunks(file: CifarInputFile): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
  return 'bytes' in file ? sliceChunks(file.bytes, SLICE) : file.chunks();
}

async function readFiles(files: readonly CifarInputFile[], collector: CifarCollector, progress: ImportProgress): Promise<void> {
  // Canonical order first (data_batch_1 … 5), so the split needs no reordering at the end.
  const order = (f: CifarInputFile) => {
    const id = identifyCifarFile(f.name);
    return id?.role === 'records' ? id.order : 0;
  };
  const sorted = [...files].sort((a, b) => order(a) - order(b));
  collector.plan(sorted.filter((f) => !isArchive(f)).map((f) => ({ name: f.name, size: sizeOf(f) })));
  for (const file of sorted) {
    if (isArchive(file)) {
      await readArchive(fileChunks(file), new ArchiveReader(entryHandler(collector), file.name), progress);
      continue;
    }
    const size = sizeOf(file);
    const sink = collector.beginFile(file.name, size);
    let read = 0;
    for await (const part of fileChunks(file)) {
      sink?.write(part);
      read += part.length;
      await progress.add(part.length);
    }
    if (read !== size)
      throw new ImportError(
        'record-size',
        `${file.name} changed while it was read (${formatCount(size)} bytes expected, ${formatCount(read)} read): select it again.`,
      );
    sink?.end();
  }
}
