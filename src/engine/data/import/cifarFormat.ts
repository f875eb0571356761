/** The CIFAR binary formats: which file is which, record sizes, label ranges, class-name files. */
import { ImportError } from './importError';
import { CIFAR100_COARSE_CLASSES, CIFAR100_FINE_CLASSES, CIFAR10_CLASSES } from './cifarNames';

export type CifarKind = 'cifar10' | 'cifar100';
export type CifarSplitName = 'train' | 'test';
/** Which label a class-name file or a label byte describes. */
export type CifarLabelSet = 'cifar10' | 'fine' | 'coarse';

/** 32×32 RGB, stored planar: 1024 R, 1024 G, 1024 B bytes, each plane row-major. */
export const CIFAR_SIDE = 32;
export const CIFAR_PIXELS = CIFAR_SIDE * CIFAR_SIDE * 3;
/** Label bytes before the pixels: CIFAR-10 one label, CIFAR-100 coarse then fine. */
export const LABEL_BYTES: Record<CifarKind, number> = { cifar10: 1, cifar100: 2 };
export const RECORD_BYTES: Record<CifarKind, number> = { cifar10: 1 + CIFAR_PIXELS, cifar100: 2 + CIFAR_PIXELS };
export const KIND_NAME: Record<CifarKind, string> = { cifar10: 'CIFAR-10', cifar100: 'CIFAR-100' };
/** Number of CIFAR-10 training batches (data_batch_1..5.bin). */
export const CIFAR10_TRAIN_BATCHES = 5;

export const DEFAULT_CLASSES: Record<CifarLabelSet, readonly string[]> = {
  cifar10: CIFAR10_CLASSES,
  fine: CIFAR100_FINE_CLASSES,
  coarse: CIFAR100_COARSE_CLASSES,
};

/** A recognised CIFAR file: a record file of one split (`order` = batch number, for the canonical order) or a names file. */
export type CifarFile = { role: 'records'; kind: CifarKind; split: CifarSplitName; order: number } | { role: 'names'; kind: CifarKind; labels: CifarLabelSet };

/** Last path component of an archive path or file name. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Recognise a CIFAR binary file by its base name (any folder), or null. */
export function identifyCifarFile(path: string): CifarFile | null {
  const name = baseName(path);
  const batch = /^data_batch_([1-5])\.bin$/.exec(name);
  if (batch) return { role: 'records', kind: 'cifar10', split: 'train', order: Number(batch[1]) };
  switch (name) {
    case 'test_batch.bin':
      return { role: 'records', kind: 'cifar10', split: 'test', order: 0 };
    case 'train.bin':
      return { role: 'records', kind: 'cifar100', split: 'train', order: 0 };
    case 'test.bin':
      return { role: 'records', kind: 'cifar100', split: 'test', order: 0 };
    case 'batches.meta.txt':
      return { role: 'names', kind: 'cifar10', labels: 'cifar10' };
    case 'fine_label_names.txt':
      return { role: 'names', kind: 'cifar100', labels: 'fine' };
    case 'coarse_label_names.txt':
      return { role: 'names', kind: 'cifar100', labels: 'coarse' };
    default:
      return null;
  }
}

/** Class names from a names file (one per line; blank lines and surrounding spaces dropped), checked against the label count. */
export function parseClassNames(path: string, bytes: Uint8Array, labels: CifarLabelSet): string[] {
  const names = new TextDecoder('utf-8')
    .decode(bytes)
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const expected = DEFAULT_CLASSES[labels].length;
  if (names.length !== expected) {
    throw new ImportError('class-names', `${path} lists ${names.length} class names, but ${expected} are expected: the file is damaged.`);
  }
  return names;
}
