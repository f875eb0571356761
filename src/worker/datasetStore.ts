/**
 * Imported datasets in IndexedDB (through `idb`): one metadata record per dataset and its images as
 * compact uint8 chunks, so that a 50,000-image set is written and read without one huge clone.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ImageDataset, ImageSplit } from '../engine';
import type { DatasetInfo, DatasetKind, DatasetSamples } from '../protocol/datasets';

/** Images per stored chunk (3 MB at 32×32×3). */
export const CHUNK_IMAGES = 1024;

interface Chunk {
  images: Uint8Array;
  labels: Uint8Array;
}

interface Schema extends DBSchema {
  datasets: { key: string; value: DatasetInfo };
  chunks: { key: string; value: Chunk };
}

type SplitName = 'train' | 'test';
const chunkKey = (id: string, split: SplitName, index: number) => `${id}|${split}|${String(index).padStart(6, '0')}`;
const range = (id: string, split?: SplitName) => IDBKeyRange.bound(`${id}|${split ?? ''}`, `${id}|${split ?? ''}\uffff`);

export interface SaveMeta {
  kind: Exclude<DatasetKind, 'builtin'>;
  source: string;
  labelMode?: 'fine' | 'coarse';
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

  async info(id: string): Promise<DatasetInfo | undefined> {
    return this.db.get('datasets', id);
  }

  /**
   * Store a dataset: chunks first, the metadata record last, so a failed or interrupted save never lists
   * a half-written dataset (its chunks are removed again). Progress in [0, 1].
   */
  async save(data: ImageDataset, meta: SaveMeta, onProgress?: (fraction: number) => void): Promise<DatasetInfo> {
    const id = `ds-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
    const pixels = data.height * data.width * 3;
    const total = data.train.count + data.test.count;
    let written = 0;
    try {
      for (const split of ['train', 'test'] as const) {
        const s = data[split];
        for (let i = 0, start = 0; start < s.count; i++, start += CHUNK_IMAGES) {
          const end = Math.min(s.count, start + CHUNK_IMAGES);
          // slice(): a copy holding just this chunk (cloning a view would clone its whole buffer).
          const chunk = { images: s.images.slice(start * pixels, end * pixels), labels: s.labels.slice(start, end) };
          await this.db.put('chunks', chunk, chunkKey(id, split, i));
          written += end - start;
          onProgress?.(written / total);
        }
      }
      const info: DatasetInfo = {
        id,
        name: data.name,
        kind: meta.kind,
        classNames: [...data.classNames],
        trainCount: data.train.count,
        testCount: data.test.count,
        height: data.height,
        width: data.width,
        bytes: total * pixels + total,
        source: meta.source,
        ...(meta.labelMode ? { labelMode: meta.labelMode } : {}),
        createdAt: Date.now(),
      };
      await this.db.put('datasets', info);
      return info;
    } catch (err) {
      await this.db.delete('chunks', range(id)).catch(() => undefined);
      throw storageError(err);
    }
  }

  /** Read a stored dataset back into one uint8 buffer per split. */
  async load(id: string, onProgress?: (fraction: number) => void): Promise<ImageDataset> {
    const info = await this.info(id);
    if (!info) throw new Error(`The dataset ${id} is not stored in this browser (it was deleted or imported elsewhere); choose another dataset.`);
    const pixels = info.height * info.width * 3;
    const total = info.trainCount + info.testCount;
    let read = 0;
    const readSplit = async (split: SplitName, count: number): Promise<ImageSplit> => {
      const out: ImageSplit = { images: new Uint8Array(count * pixels), labels: new Uint8Array(count), count };
      let at = 0;
      for (const key of await this.db.getAllKeys('chunks', range(id, split))) {
        const chunk = await this.db.get('chunks', key);
        if (!chunk || at + chunk.labels.length > count) break;
        out.images.set(chunk.images, at * pixels);
        out.labels.set(chunk.labels, at);
        at += chunk.labels.length;
        read += chunk.labels.length;
        onProgress?.(read / total);
      }
      if (at !== count) throw new Error(`The stored ${split} images of "${info.name}" are incomplete (${at} of ${count}); delete the dataset and import it again.`);
      return out;
    };
    const train = await readSplit('train', info.trainCount);
    const test = await readSplit('test', info.testCount);
    return { name: info.name, classNames: info.classNames, height: info.height, width: info.width, channels: 3, train, test };
  }

  /** Up to `perClass` images of each class from the first stored chunk of a split, class by class. */
  async samples(id: string, split: SplitName, perClass: number, maxImages = 100): Promise<DatasetSamples> {
    const info = await this.info(id);
    if (!info) throw new Error(`The dataset ${id} is not stored in this browser.`);
    const first = await this.db.get('chunks', chunkKey(id, split, 0));
    return pickSamples(info, split, first ?? { images: new Uint8Array(0), labels: new Uint8Array(0) }, perClass, maxImages);
  }

  async remove(id: string): Promise<void> {
    const tx = this.db.transaction(['datasets', 'chunks'], 'readwrite');
    await Promise.all([tx.objectStore('datasets').delete(id), tx.objectStore('chunks').delete(range(id)), tx.done]);
  }

  close(): void {
    this.db.close();
  }
}

/** Choose sample images class by class (first `perClass` of each, at most `maxImages`) from NHWC uint8 images. */
export function pickSamples(
  info: Pick<DatasetInfo, 'id' | 'height' | 'width' | 'classNames'>,
  split: SplitName,
  source: Chunk,
  perClass: number,
  maxImages: number,
): DatasetSamples {
  const pixels = info.height * info.width * 3;
  const chosen: number[] = [];
  for (let c = 0; c < info.classNames.length && chosen.length < maxImages; c++) {
    let taken = 0;
    for (let i = 0; i < source.labels.length && taken < perClass && chosen.length < maxImages; i++) {
      if (source.labels[i] === c) {
        chosen.push(i);
        taken++;
      }
    }
  }
  const images = new Uint8Array(chosen.length * pixels);
  chosen.forEach((i, k) => images.set(source.images.subarray(i * pixels, (i + 1) * pixels), k * pixels));
  return {
    id: info.id,
    split,
    width: info.width,
    height: info.height,
    count: chosen.length,
    images,
    labels: chosen.map((i) => source.labels[i]!),
    classNames: [...info.classNames],
  };
}

/** A storage failure as a sentence: quota first, since that is the usual one. */
function storageError(err: unknown): Error {
  const name = (err as { name?: string } | null)?.name;
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'QuotaExceededError' || /quota/i.test(message)) {
    return Object.assign(new Error('The browser refused to store the dataset: its storage quota is full. Delete a dataset or free disk space, then import again.'), { code: 'storage-failed' });
  }
  return Object.assign(new Error(`The dataset could not be stored (${message}); nothing was saved.`), { code: 'storage-failed' });
}
