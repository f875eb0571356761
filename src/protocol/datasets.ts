/** Datasets as the UI sees them: the built-in ones and those the user imported (kept in IndexedDB by the worker). */

/** The two splits of a dataset. */
export type SplitName = 'train' | 'test';

/** The id of the built-in procedural classification dataset. */
export const BUILTIN_DATASET_ID = 'shapes';
/** The id of the built-in procedural street-scene segmentation dataset. */
export const STREETS_DATASET_ID = 'streets';
/**
 * The id of the built-in **realistic** street scenes (issue #15: domain-randomised cameras, materials, lighting and
 * clutter; the same 8 classes). The shipped Segment models are trained on these (before 2026-11-30: the classic scenes).
 */
export const STREETS_REAL_DATASET_ID = 'streets-real';
/** The built-in street-scene sets. */
export const STREET_DATASET_IDS: readonly string[] = [STREETS_DATASET_ID, STREETS_REAL_DATASET_ID];
/** The built-in street-scene sets' display names (the worker's dataset list, and the UI's until that list arrives). */
export const STREET_DATASET_NAMES: Readonly<Record<string, string>> = {
  [STREETS_DATASET_ID]: 'Street scenes (built-in)',
  [STREETS_REAL_DATASET_ID]: 'Realistic streets (built-in)',
};

export type DatasetKind = 'builtin' | 'cifar10' | 'cifar100' | 'folder' | 'segmentation' | 'detection';

/** What a dataset's labels are: one class per image, one class per pixel, or person boxes per image. */
export type DatasetTask = 'classify' | 'segment' | 'detect';

/** The annotation formats the person-detection importer reads (detected from the chosen files). */
export type DetectAnnotationFormat = 'coco' | 'voc';

/** How a detection import's annotation format is named in the UI and the list. */
export const DETECT_FORMAT_NAMES: Readonly<Record<DetectAnnotationFormat, string>> = { coco: 'COCO instances JSON', voc: 'Pascal VOC XML' };

/** What a person-detection dataset holds (both splits together). */
export interface DetectCounts {
  /** Annotated images kept (with people or negatives). */
  images: number;
  /** Person boxes that count (not ignore). */
  people: number;
  /** Ignore boxes (COCO iscrowd, VOC difficult). */
  ignore: number;
  /** Images without any box. */
  negatives: number;
  /** Image files left out: listed negatives whose file was not chosen, and chosen images no annotation names. */
  skipped: number;
}

/** One person box of a sample: centre and size normalised to [0, 1] of its image; `ignore` = an ignore region. */
export interface SampleBox {
  cx: number;
  cy: number;
  w: number;
  h: number;
  ignore: boolean;
}

/** The label-PNG formats the segmentation importer reads (the engine's SEG_FORMAT_IDS, same order). */
export const SEG_LABEL_FORMATS = ['camvid11', 'camvid32', 'cityscapes', 'cityscapes-trainids', 'voc'] as const;
export type SegLabelFormat = (typeof SEG_LABEL_FORMATS)[number];

/** How each label format is named in the UI and the list (the engine's SegFormat.name). */
export const SEG_LABEL_FORMAT_NAMES: Readonly<Record<SegLabelFormat, string>> = {
  camvid11: 'CamVid 11-class',
  camvid32: 'CamVid 32-class',
  cityscapes: 'Cityscapes labelIds',
  'cityscapes-trainids': 'Cityscapes labelTrainIds',
  voc: 'Pascal VOC',
};

/** An RGB display colour, 0–255 per channel. */
export type RgbColour = [number, number, number];

export interface DatasetInfo {
  /** 'shapes' / 'streets' for the built-in datasets, 'ds-…' for an imported one. */
  id: string;
  name: string;
  kind: DatasetKind;
  /** 'segment' for per-pixel labels; absent (or 'classify') for one label per image. */
  task?: DatasetTask;
  classNames: string[];
  /** Segmentation: the display colour of each class id (same order as classNames). */
  palette?: RgbColour[];
  /** Segmentation imports: the label format the PNGs were read as (a SegLabelFormat). */
  segFormat?: string;
  /** Detection imports: the annotation format read (a DetectAnnotationFormat). */
  detectFormat?: string;
  /** Detection imports: images, person boxes, ignore boxes, negatives. */
  detectCounts?: DetectCounts;
  trainCount: number;
  testCount: number;
  height: number;
  width: number;
  /** Bytes the images (and label maps) take in storage (uint8). */
  bytes: number;
  /** The file(s) it was imported from, for the list. */
  source: string;
  /** CIFAR-100 only: which label set it trains on. */
  labelMode?: 'fine' | 'coarse';
  /** Imports: the request's fingerprint (importFingerprint), to name a second import of the same files as a duplicate. */
  fingerprint?: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

/** Whether a dataset has per-pixel labels (the Segment lab's) rather than one class per image. */
export function isSegmentation(d: Pick<DatasetInfo, 'task'>): boolean {
  return d.task === 'segment';
}

/** Whether a dataset has person boxes per image (the Detect lab's). */
export function isDetection(d: Pick<DatasetInfo, 'task'>): boolean {
  return d.task === 'detect';
}

/** Whether a dataset has one class per image (the Train and Prune labs'). */
export function isClassification(d: Pick<DatasetInfo, 'task'>): boolean {
  return d.task === undefined || d.task === 'classify';
}

/** One file handed to the worker: the File itself (cheap to transfer) and its path inside a picked folder. */
export interface ImportFile {
  file: File;
  /** Relative path for folder imports ("pets/train/cat/1.png"); the file name otherwise. */
  path: string;
}

export interface ImportRequest {
  /**
   * 'cifar': CIFAR-10/100 binary (.tar.gz or extracted files); 'folder': class-named subfolders of images;
   * 'segmentation': images with their label PNGs (CamVid, Cityscapes, Pascal VOC layouts);
   * 'detection': images with person boxes (a COCO instances_*.json or Pascal VOC Annotations/*.xml, detected from the files).
   */
  format: 'cifar' | 'folder' | 'segmentation' | 'detection';
  files: ImportFile[];
  /** CIFAR-100: train on the 100 fine labels or the 20 coarse superclasses. */
  labelMode: 'fine' | 'coarse';
  /** Segmentation: how the label PNGs are read; 'auto' (the default) detects it from the first label. */
  segFormat?: 'auto' | SegLabelFormat;
  /** importFingerprint of the request, stored with the dataset. */
  fingerprint?: string;
}

export interface ImportProgressInfo {
  /** 0…1 over the whole import. */
  fraction: number;
  phase: 'reading' | 'decoding' | 'saving';
  /** What is being imported, e.g. "cifar-10-binary.tar.gz". */
  label: string;
  etaSeconds: number | null;
}

/**
 * A grid of samples of one split: `count` NHWC uint8 RGB images with their labels. For a segmentation
 * dataset `labels` is empty and `labelMaps` holds count × height × width class ids (255 = ignore).
 */
export interface DatasetSamples {
  id: string;
  split: SplitName;
  width: number;
  height: number;
  count: number;
  images: Uint8Array;
  labels: number[];
  classNames: string[];
  /** Segmentation only: count × height × width class ids, row-major, aligned with images; 255 = ignore. */
  labelMaps?: Uint8Array;
  /** Segmentation only: the display colour of each class id. */
  palette?: RgbColour[];
  /** Detection only: each image's person boxes (possibly none: a negative), aligned with images. */
  boxes?: SampleBox[][];
}

export const DATASET_ID_PATTERN = /^(shapes|streets|streets-real|ds-[a-z0-9-]{1,40})$/;

/**
 * A fingerprint of an import request: its kind and reading options and every file's path, size and modification
 * time (FNV-1a 32-bit over that text, hex, with the file count). The same files imported the same way give the same
 * fingerprint, so a second import is named as a duplicate before it runs (reading every byte first would take as
 * long as the import).
 */
export function importFingerprint(req: Pick<ImportRequest, 'format' | 'labelMode' | 'segFormat' | 'files'>): string {
  const parts = req.files.map((f) => `${f.path}\u0000${f.file.size}\u0000${f.file.lastModified}`).sort();
  const text = [req.format, req.format === 'cifar' ? req.labelMode : '', req.segFormat ?? '', ...parts].join('\u0001');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${req.files.length}:${h.toString(16).padStart(8, '0')}`;
}
