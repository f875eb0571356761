/**
 * Imported datasets in IndexedDB (through `idb`): one metadata record per dataset and its images (with their
 * labels or label maps) as compact uint8 chunks, so that a 50,000-image set is written and read without one huge clone.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { DetectBox, DetectDataset, DetectSplit, ImageDataset, ImageSplit, SegDataset, SegSplit } from '../engine';
import {
  isDetection,
  isSegmentation,
  type DatasetInfo,
  type DatasetKind,
  type DatasetSamples,
  type DatasetTask,
  type DetectAnnotationFormat,
  type DetectCounts,
} from '../protocol/datasets';
import { pickDetectSamples, pickSamples, pickSegSamples, type SampleSource } from './datasetSamples';
import { EngineFault } from './errors';

/** Images per stored chunk of a classification dataset (3 MB at 32×32×3). */
export const CHUNK_IMAGES = 1024;
/** Bytes per stored chunk of a segmentation dataset (64 images with their label maps at 128×256). */
export const SEG_CHUNK_BYTES = 8 << 20;

/** A stored chunk: images with one label byte each (classification; 0 for detection) or a label map each, and for detection each image's boxes. */
type Chunk = SampleSource & { boxes?: DetectBox[][] };

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
  if (isDetection(info)) return { imageBytes: pixels * 3, labelBytes: 1, chunkImages: Math.max(1, Math.floor(SEG_CHUNK_BYTES / (pixels * 3))) };
  if (!isSegmentation(info)) return { imageBytes: pixels * 3, labelBytes: 1, chunkImages: CHUNK_IMAGES };
  return { imageBytes: pixels * 3, labelBytes: pixels, chunkImages: Math.max(1, Math.floor(SEG_CHUNK_BYTES / (pixels * 4))) };
}

export interface SaveMeta {
  kind: Exclude<DatasetKind, 'builtin' | 'segmentation' | 'detection'>;
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

export interface DetectSaveMeta {
  source: string;
  fingerprint?: string;
  /** The annotation format read. */
  detectFormat: DetectAnnotationFormat;
  /** Image files left out (listed negatives not chosen, chosen images no annotation names). */
  skipped: number;
}

const TASK_WORDS: Record<DatasetTask, string> = {
  classify: 'a classification dataset (one class per image)',
  segment: 'a segmentation dataset (a class per pixel)',
  detect: 'a person-detection dataset (boxes per image)',
};
const NEEDS: Record<DatasetTask, string> = {
  classify: 'the Train and Prune labs need a classification dataset: choose another dataset',
  segment: 'segmentation needs per-pixel labels: choose Street scenes or import segmentation pairs on the Data tab',
  detect: 'the Detect lab needs person boxes: choose the built-in person scenes or import a COCO or Pascal VOC folder on the Data tab',
};

/**
 * The refusal of a dataset of another task than the one `needed` (default: the other of classify/segment, as before
 * detection sets existed): e.g. a segmentation set where classes per image are needed.
 */
export function wrongTaskFault(info: Pick<DatasetInfo, 'name' | 'task'>, needed?: DatasetTask): EngineFault {
  const task = info.task ?? 'classify';
  const need = needed ?? (task === 'segment' ? 'classify' : 'segment');
  return new EngineFault('invalid-config', `"${info.name}" is ${TASK_WORDS[task]}; ${NEEDS[need]}.`);
}

/** Counts of a detection dataset's splits: images, person boxes, ignore boxes, negatives. */
export function detectCountsOf(splits: readonly Pick<DetectSplit, 'boxes'>[], skipped = 0): DetectCounts {
  const c: DetectCounts = { images: 0, people: 0, ignore: 0, negatives: 0, skipped };
  for (const s of splits) {
    for (const boxes of s.boxes) {
      c.images++;
      if (boxes.length === 0) c.negatives++;
      for (const b of boxes) {
        if (b.ignore) c.ignore++;
        else c.people++;
      }
    }
  }
  return c;
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

  /** Store a person-detection dataset (NHWC uint8 images, each with its person boxes); progress in [0, 1]. */
  async saveDetect(data: DetectDataset, meta: DetectSaveMeta, onProgress?: (fraction: number) => void): Promise<DatasetInfo> {
    const { name, height, width } = data;
    const base = {
      name,
      kind: 'detection' as const,
      task: 'detect' as const,
      classNames: ['person'],
      detectFormat: meta.detectFormat,
      detectCounts: detectCountsOf([data.train, data.test], meta.skipped),
      height,
      width,
      source: meta.source,
      ...(meta.fingerprint ? { fingerprint: meta.fingerprint } : {}),
    };
    const split = (s: DetectSplit) => ({ images: s.images, labels: new Uint8Array(s.count), boxes: s.boxes, count: s.count });
    return this.write(base, { train: split(data.train), test: split(data.test) }, onProgress);
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
          const chunk: Chunk = {
            images: s.images.slice(start * imageBytes, end * imageBytes),
            labels: s.labels.slice(start * labelBytes, end * labelBytes),
            ...(s.boxes ? { boxes: s.boxes.slice(start, end) } : {}),
          };
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
    if (isSegmentation(info) || isDetection(info)) throw wrongTaskFault(info, 'classify');
    const { train, test } = await this.read(info, onProgress);
    return { name: info.name, classNames: info.classNames, height: info.height, width: info.width, channels: 3, train, test };
  }

  /** Read a stored segmentation dataset back at its stored size (images NHWC uint8 RGB, labels H×W class ids each). */
  async loadSeg(id: string, onProgress?: (fraction: number) => void): Promise<SegDataset> {
    const info = await this.stored(id);
    if (!isSegmentation(info)) throw wrongTaskFault(info, 'segment');
    const { train, test } = await this.read(info, onProgress);
    const palette = info.palette ?? [];
    return { name: info.name, classNames: info.classNames, palette, height: info.height, width: info.width, ignoreLabel: 255, train, test };
  }

  /** Read a stored person-detection dataset back at its stored size (images NHWC uint8 RGB, each image's boxes). */
  async loadDetection(id: string, onProgress?: (fraction: number) => void): Promise<DetectDataset> {
    const info = await this.stored(id);
    if (!isDetection(info)) throw wrongTaskFault(info, 'detect');
    const { train, test } = await this.read(info, onProgress);
    const split = (s: ImageSplit & { boxes: DetectBox[][] }): DetectSplit => ({ images: s.images, boxes: s.boxes, count: s.count });
    return { name: info.name, height: info.height, width: info.width, train: split(train), test: split(test) };
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

  private async read(info: DatasetInfo, onProgress?: (fraction: number) => void): Promise<Record<SplitName, ImageSplit & SegSplit & { boxes: DetectBox[][] }>> {
    const { imageBytes, labelBytes } = layoutOf(info);
    const total = info.trainCount + info.testCount;
    let read = 0;
    const readSplit = async (split: SplitName, count: number) => {
      const out = { images: new Uint8Array(count * imageBytes), labels: new Uint8Array(count * labelBytes), boxes: [] as DetectBox[][], count };
      const detect = isDetection(info);
      let at = 0;
      for (const key of await this.db.getAllKeys('chunks', range(info.id, split))) {
        const chunk = await this.db.get('chunks', key);
        const n = chunk ? chunk.labels.length / labelBytes : 0;
        if (!chunk || at + n > count || chunk.images.length !== n * imageBytes || (detect && chunk.boxes?.length !== n)) break;
        out.images.set(chunk.images, at * imageBytes);
        if (detect) out.boxes.push(...chunk.boxes!);
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
   * the first `perClass` images with their label maps (segmentation) or their boxes (detection).
   */
  async samples(id: string, split: SplitName, perClass: number, maxImages = 100): Promise<DatasetSamples> {
    const info = await this.stored(id);
    const first = (await this.db.get('chunks', chunkKey(id, split, 0))) ?? { images: new Uint8Array(0), labels: new Uint8Array(0) };
    if (isDetection(info)) return pickDetectSamples(info, split, { ...first, boxes: first.boxes ?? [] }, perClass);
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
