/**
 * Imported datasets in IndexedDB (through `idb`): one metadata record per dataset and its images (with their
 * labels or label maps) as compact uint8 chunks, so that a 50,000-image set is written and read without one huge clone.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ImageDataset, ImageSplit, SegDataset, SegSplit } from '../engine';
import { isSegmentation, type DatasetInfo, type DatasetKind, type DatasetSamples } from '../protocol/datasets';
import { pickSamples, pickSegSamples, type SampleSource } from './datasetSamples';
import { EngineFault } from './errors';

/** Images per stored chunk of a classification dataset (3 MB at 32×32×3). */
export const CHUNK_IMAGES = 1024;
/** Bytes per stored chunk of a segmentation dataset (64 images with their label maps at 128×256). */
export const SEG_CHUNK_BYTES = 8 << 20;

type Chunk = SampleSource;

interface Schema extends DBSchema {
  datasets: { key: string; value: DatasetInfo };
  chunks: { key: string; value: Chunk };
}

type SplitName = 'train' | 'test';
type Splits = Record<SplitName, Chunk & { count: number }>;
const SPLITS = ['train', 'test'] as const;
const chunkKey = (id: string, split: SplitName, index: number) => `${id}|${split}|${String(index).padStart(6, '0')}`;
const range = (id: string, split?: SplitName) => IDBKeyRange.bound(`${id}|${split ?? ''}`, `${id}|${split ?? ''}\uffff`);

/** Bytes per image, per label entry set, and images per chunk of a stored dataset. */
function layoutOf(info: Pick<DatasetInfo, 'task' | 'height' | 'width'>) {
  const pixels = info.height * info.width;
  if (!isSegmentation(info)) return { imageBytes: pixels * 3, labelBytes: 1, chunkImages: CHUNK_IMAGES };
  return { imageBytes: pixels * 3, labelBytes: pixels, chunkImages: Math.max(1, Math.floor(SEG_CHUNK_BYTES / (pixels * 4))) };
}

export interface SaveMeta {
  kind: Exclude<DatasetKind, 'builtin' | 'segmentation'>;
  source: string;
  labelMode?: 'fine' | 'coarse';
  fingerprint?: string;
}

export interface SegSaveMeta {
  source: string;
  fingerprint?: string;
  /** The label format the PNGs were read as. */
  segFormat: string;
}

/** The refusal of a dataset of the other task: a segmentation set where classes per image are needed, or the reverse. */
export function wrongTaskFault(info: Pick<DatasetInfo, 'name' | 'task'>): EngineFault {
  return isSegmentation(info)
    ? new EngineFault(
        'invalid-config',
        `"${info.name}" is a segmentation dataset (a class per pixel); the Train and Prune labs need a classification dataset: choose another dataset.`,
      )
    : new EngineFault(
        'invalid-config',
        `"${info.name}" is a classification dataset (one class per image); segmentation needs per-pixel labels: choose Street scenes or import segmentation pairs on the Data tab.`,
      );
}

let lastCreatedAt = 0;
/** Milliseconds since the epoch, strictly increasing: two saves in the same millisecond still list in save order. */
function nextCreatedAt(): number {
  lastCreatedAt = Math.max(Date.now(), lastCreatedAt + 1);
  return lastCreatedAt;
}

export class DatasetStore {
  private constructor(private readonly db: IDBPDatabase<Schema>) {}

  /** Open (or create) the database. */
  static async open(name = 'pdw-datasets'): Promise<DatasetStore> {
    const db = await openDB<Schema>(name, 1, {
      upgrade(d) {
        d.createObjectStore('datasets', { keyPath: 'id' });
        d.createObjectStore('chunks');
      },
    });
    return new DatasetStore(db);
  }

  /** Every stored dataset, oldest first. */
  async list(): Promise<DatasetInfo[]> {
    const all = await this.db.getAll('datasets');
    return all.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** The metadata record of a stored dataset, if any. */
  async info(id: string): Promise<DatasetInfo | undefined> {
    return this.db.get('datasets', id);
  }

  /** Store a classification dataset (NHWC uint8 images, one label each); progress in [0, 1]. */
  async save(data: ImageDataset, meta: SaveMeta, onProgress?: (fraction: number) => void): Promise<DatasetInfo> {
    const { name, classNames, height, width } = data;
    const base = {
      name,
      kind: meta.kind,
      classNames: [...classNames],
      height,
      width,
      source: meta.source,
      ...(meta.labelMode ? { labelMode: meta.labelMode } : {}),
      ...(meta.fingerprint ? { fingerprint: meta.fingerprint } : {}),
    };
    return this.write(base, data, onProgress);
  }

  /** Store a segmentation dataset (NHWC uint8 images, an H×W class-id map each); progress in [0, 1]. */
  async saveSeg(data: SegDataset, meta: SegSaveMeta, onProgress?: (fraction: number) => void): Promise<DatasetInfo> {
    const { name, height, width } = data;
    const palette = data.palette.map(([r, g, b]): [number, number, number] => [r, g, b]);
    const base = {
      name,
      kind: 'segmentation' as const,
      task: 'segment' as const,
      classNames: [...data.classNames],
      palette,
      segFormat: meta.segFormat,
      height,
      width,
      source: meta.source,
      ...(meta.fingerprint ? { fingerprint: meta.fingerprint } : {}),
    };
    return this.write(base, data, onProgress);
  }

  /**
   * Chunks first, the metadata record last, so a failed or interrupted save never lists a half-written
   * dataset (its chunks are removed again).
   */
  private async write(
    base: Omit<DatasetInfo, 'id' | 'trainCount' | 'testCount' | 'bytes' | 'createdAt'>,
    splits: Splits,
    onProgress?: (fraction: number) => void,
  ): Promise<DatasetInfo> {
    const id = `ds-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
    const { imageBytes, labelBytes, chunkImages } = layoutOf(base);
    const total = splits.train.count + splits.test.count;
    let written = 0;
    try {
      for (const split of SPLITS) {
        const s = splits[split];
        for (let i = 0, start = 0; start < s.count; i++, start += chunkImages) {
          const end = Math.min(s.count, start + chunkImages);
          // slice(): a copy holding just this chunk (cloning a view would clone its whole buffer).
          const chunk = { images: s.images.slice(start * imageBytes, end * imageBytes), labels: s.labels.slice(start * labelBytes, end * labelBytes) };
          await this.db.put('chunks', chunk, chunkKey(id, split, i));
          written += end - start;
          onProgress?.(written / total);
        }
      }
      const info: DatasetInfo = {
        id,
        ...base,
        trainCount: splits.train.count,
        testCount: splits.test.count,
        bytes: total * (imageBytes + labelBytes),
        createdAt: nextCreatedAt(),
      };
      await this.db.put('datasets', info);
      return info;
    } catch (err) {
      await this.db.delete('chunks', range(id)).catch(() => undefined);
      throw storageError(err);
    }
  }

  /** Read a stored classification dataset back into one uint8 buffer per split. */
  async load(id: string, onProgress?: (fraction: number) => void): Promise<ImageDataset> {
    const info = await this.stored(id);
    if (isSegmentation(info)) throw wrongTaskFault(info);
    const { train, test } = await this.read(info, onProgress);
    return { name: info.name, classNames: info.classNames, height: info.height, width: info.width, channels: 3, train, test };
  }

  /** Read a stored segmentation dataset back at its stored size (images NHWC uint8 RGB, labels H×W class ids each). */
  async loadSeg(id: string, onProgress?: (fraction: number) => void): Promise<SegDataset> {
    const info = await this.stored(id);
    if (!isSegmentation(info)) throw wrongTaskFault(info);
    const { train, test } = await this.read(info, onProgress);
    const palette = info.palette ?? [];
    return { name: info.name, classNames: info.classNames, palette, height: info.height, width: info.width, ignoreLabel: 255, train, test };
  }

  private async stored(id: string): Promise<DatasetInfo> {
    const info = await this.info(id);
    if (!info)
      throw new EngineFault(
        'dataset-missing',
        `The dataset ${id} is not stored in this browser (it was deleted or imported elsewhere); choose another dataset.`,
      );
    return info;
  }

  private async read(info: DatasetInfo, onProgress?: (fraction: number) => void): Promise<Record<SplitName, ImageSplit & SegSplit>> {
    const { imageBytes, labelBytes } = layoutOf(info);
    const total = info.trainCount + info.testCount;
    let read = 0;
    const readSplit = async (split: SplitName, count: number) => {
      const out = { images: new Uint8Array(count * imageBytes), labels: new Uint8Array(count * labelBytes), count };
      let at = 0;
      for (const key of await this.db.getAllKeys('chunks', range(info.id, split))) {
        const chunk = await this.db.get('chunks', key);
        const n = chunk ? chunk.labels.length / labelBytes : 0;
        if (!chunk || at + n > count || chunk.images.length !== n * imageBytes) break;
        out.images.set(chunk.images, at * imageBytes);
        out.labels.set(chunk.labels, at * labelBytes);
        at += n;
        read += n;
        onProgress?.(read / total);
      }
      if (at !== count)
        throw new Error(`The stored ${split} images of "${info.name}" are incomplete (${at} of ${count}); delete the dataset and import it again.`);
      return out;
    };
    return { train: await readSplit('train', info.trainCount), test: await readSplit('test', info.testCount) };
  }

  /**
   * Samples from the first stored chunk of a split: up to `perClass` images of each class (classification), or
   * the first `perClass` images with their label maps (segmentation).
   */
  async samples(id: string, split: SplitName, perClass: number, maxImages = 100): Promise<DatasetSamples> {
    const info = await this.stored(id);
    const first = (await this.db.get('chunks', chunkKey(id, split, 0))) ?? { images: new Uint8Array(0), labels: new Uint8Array(0) };
    return isSegmentation(info) ? pickSegSamples(info, split, first, perClass) : pickSamples(info, split, first, perClass, maxImages);
  }

  /** Delete a dataset's record and all its chunks. */
  async remove(id: string): Promise<void> {
    const tx = this.db.transaction(['datasets', 'chunks'], 'readwrite');
    await Promise.all([tx.objectStore('datasets').delete(id), tx.objectStore('chunks').delete(range(id)), tx.done]);
  }

  /** Close the database connection. */
  close(): void {
    this.db.close();
  }
}

/** A storage failure as a sentence: quota first, since that is the usual one. */
function storageError(err: unknown): Error {
  const name = (err as { name?: string } | null)?.name;
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'QuotaExceededError' || /quota/i.test(message)) {
    return Object.assign(
      new Error('The browser refused to store the dataset: its storage quota is full. Delete a dataset or free disk space, then import again.'),
      { code: 'storage-failed' },
    );
  }
  return Object.assign(new Error(`The dataset could not be stored (${message}); nothing was saved.`), { code: 'storage-failed' });
}
