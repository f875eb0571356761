/**
 * Image-folder import: a folder of class-named subfolders of PNG/JPEG images, optionally under train/ and
 * test/ (or val/) folders. The worker decodes and resizes each image; this module plans the split and
 * assembles the decoded RGBA pixels into an NHWC uint8 ImageDataset.
 */
import type { ImageDataset, ImageSplit } from '../dataset';
import { ImportError, formatCount } from './importError';

/** One image to decode: where it came from, its class and split, and its slot in that split. */
export interface FolderItem {
  path: string;
  label: number;
  split: 'train' | 'test';
  slot: number;
}

export interface FolderPlan {
  name: string;
  classNames: string[];
  items: FolderItem[];
  counts: { train: number; test: number };
  /** Files that are not PNG/JPEG images (skipped). */
  skipped: string[];
}

const IMAGE = /\.(png|jpe?g)$/i;
const TRAIN_DIRS = new Set(['train', 'training']);
const TEST_DIRS = new Set(['test', 'testing', 'val', 'valid', 'validation']);
/** Without train/ and test/ folders, every `HOLD_OUT`-th image of a class (in path order) goes to test. */
export const HOLD_OUT = 5;

/** Plan the import of `paths` (relative, '/'-separated, e.g. "pets/train/cat/001.png"); throws ImportError. */
export function planImageFolder(paths: readonly string[]): FolderPlan {
  const skipped: string[] = [];
  const found: { path: string; cls: string; split: 'train' | 'test' | null }[] = [];
  for (const path of paths) {
    const parts = path.split('/').filter((p) => p !== '');
    if (!IMAGE.test(path) || parts.length < 2) {
      skipped.push(path);
      continue;
    }
    const dirs = parts.slice(0, -1).map((d) => d.toLowerCase());
    const split = dirs.some((d) => TEST_DIRS.has(d)) ? 'test' : dirs.some((d) => TRAIN_DIRS.has(d)) ? 'train' : null;
    found.push({ path, cls: parts[parts.length - 2]!, split });
  }
  if (found.length === 0) {
    const seen = skipped.length ? ` (found ${skipped.slice(0, 3).join(', ')}${skipped.length > 3 ? ` and ${formatCount(skipped.length - 3)} more` : ''})` : '';
    throw new ImportError(
      'no-images',
      `No PNG or JPEG images inside class folders were found${seen}: choose a folder whose subfolders are named after the classes.`,
    );
  }
  const classNames = [...new Set(found.map((f) => f.cls))].sort((a, b) => a.localeCompare(b));
  if (classNames.length < 2) {
    throw new ImportError('too-few-classes', `Only one class folder ("${classNames[0]}") holds images; a classifier needs at least two class subfolders.`);
  }
  found.sort((a, b) => a.path.localeCompare(b.path));
  const hasTest = found.some((f) => f.split === 'test');
  const seenPerClass = new Map<string, number>();
  const counts = { train: 0, test: 0 };
  const items: FolderItem[] = found.map((f) => {
    const k = seenPerClass.get(f.cls) ?? 0;
    seenPerClass.set(f.cls, k + 1);
    const split = f.split === 'test' ? 'test' : hasTest ? 'train' : k % HOLD_OUT === HOLD_OUT - 1 ? 'test' : 'train';
    return { path: f.path, label: classNames.indexOf(f.cls), split, slot: counts[split]++ };
  });
  for (const [i, cls] of classNames.entries()) {
    if (!items.some((it) => it.label === i && it.split === 'train')) {
      throw new ImportError('too-few-classes', `Class "${cls}" has no training images: add some, or remove its folder.`);
    }
  }
  if (counts.test === 0) {
    throw new ImportError(
      'missing-test',
      `There are too few images to hold any out for testing (${formatCount(items.length)} in all): add a test/ folder or more images.`,
    );
  }
  const root = paths[0]?.split('/')[0] ?? '';
  const name = root && !IMAGE.test(root) && !TRAIN_DIRS.has(root.toLowerCase()) && !TEST_DIRS.has(root.toLowerCase()) ? root : 'Image folder';
  return { name, classNames, items, counts, skipped };
}

/** Fills the splits of a planned folder import with decoded images (RGBA, size×size) and returns the dataset. */
export class FolderDatasetBuilder {
  private readonly splits: { train: ImageSplit; test: ImageSplit };
  private filled = 0;

  constructor(
    private readonly plan: FolderPlan,
    private readonly size: number,
  ) {
    const make = (count: number): ImageSplit => ({ images: new Uint8Array(count * size * size * 3), labels: new Uint8Array(count), count });
    this.splits = { train: make(plan.counts.train), test: make(plan.counts.test) };
  }

  /** Store item `item`'s decoded pixels: RGBA row-major, size×size (alpha dropped; the decoder composites onto white). */
  put(item: FolderItem, rgba: Uint8Array | Uint8ClampedArray): void {
    const n = this.size * this.size;
    if (rgba.length !== n * 4) throw new Error(`decoded ${item.path} to ${rgba.length} bytes, expected ${n * 4}`);
    const split = this.splits[item.split];
    const base = item.slot * n * 3;
    for (let p = 0; p < n; p++) {
      split.images[base + p * 3] = rgba[p * 4]!;
      split.images[base + p * 3 + 1] = rgba[p * 4 + 1]!;
      split.images[base + p * 3 + 2] = rgba[p * 4 + 2]!;
    }
    split.labels[item.slot] = item.label;
    this.filled++;
  }

  /** The dataset once every planned item was put. */
  finish(): ImageDataset {
    if (this.filled !== this.plan.items.length) throw new Error(`only ${this.filled} of ${this.plan.items.length} images were decoded`);
    return { name: this.plan.name, classNames: this.plan.classNames, height: this.size, width: this.size, channels: 3, ...this.splits };
  }
}
