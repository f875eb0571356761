/** Datasets as the UI sees them: the built-in one and those the user imported (kept in IndexedDB by the worker). */

/** The id of the built-in procedural dataset. */
export const BUILTIN_DATASET_ID = 'shapes';

export type DatasetKind = 'builtin' | 'cifar10' | 'cifar100' | 'folder';

export interface DatasetInfo {
  /** 'shapes' for the built-in dataset, 'ds-…' for an imported one. */
  id: string;
  name: string;
  kind: DatasetKind;
  classNames: string[];
  trainCount: number;
  testCount: number;
  height: number;
  width: number;
  /** Bytes the images take in storage (uint8). */
  bytes: number;
  /** The file(s) it was imported from, for the list. */
  source: string;
  /** CIFAR-100 only: which label set it trains on. */
  labelMode?: 'fine' | 'coarse';
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/** One file handed to the worker: the File itself (cheap to transfer) and its path inside a picked folder. */
export interface ImportFile {
  file: File;
  /** Relative path for folder imports ("pets/train/cat/1.png"); the file name otherwise. */
  path: string;
}

export interface ImportRequest {
  /** 'cifar': CIFAR-10/100 binary (.tar.gz or extracted files); 'folder': class-named subfolders of images. */
  format: 'cifar' | 'folder';
  files: ImportFile[];
  /** CIFAR-100: train on the 100 fine labels or the 20 coarse superclasses. */
  labelMode: 'fine' | 'coarse';
}

export interface ImportProgressInfo {
  /** 0…1 over the whole import. */
  fraction: number;
  phase: 'reading' | 'decoding' | 'saving';
  /** What is being imported, e.g. "cifar-10-binary.tar.gz". */
  label: string;
  etaSeconds: number | null;
}

/** A grid of samples of one split: `count` NHWC uint8 RGB images with their labels. */
export interface DatasetSamples {
  id: string;
  split: 'train' | 'test';
  width: number;
  height: number;
  count: number;
  images: Uint8Array;
  labels: number[];
  classNames: string[];
}

export const DATASET_ID_PATTERN = /^(shapes|ds-[a-z0-9-]{1,40})$/;
