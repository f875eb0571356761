/** Errors of the dataset importers: a stable code for the UI and one human sentence a user can act on. */

export const IMPORT_ERROR_CODES = [
  'empty-file',
  'not-gzip',
  'gzip-corrupt',
  'gzip-truncated',
  'tar-bad-header',
  'tar-truncated',
  'not-cifar',
  'mixed-cifar',
  'duplicate-file',
  'record-size',
  'label-range',
  'class-names',
  'missing-train',
  'missing-test',
  'no-images',
  'too-few-classes',
  'image-decode',
  // segmentation pairs (images + label PNGs)
  'no-pairs',
  'unpaired-image',
  'unpaired-label',
  'duplicate-label',
  'duplicate-image',
  'label-decode',
  'label-format',
  'label-value',
  'size-mismatch',
  // person detection (COCO instances JSON, Pascal VOC XML)
  'annotation-format',
  'no-person-category',
  'box-outside',
  'missing-image',
  'aborted',
] as const;
export type ImportErrorCode = (typeof IMPORT_ERROR_CODES)[number];

/** A failed import: `code` names the failure, `message` is one sentence for the user. */
export class ImportError extends Error {
  readonly code: ImportErrorCode;

  constructor(code: ImportErrorCode, message: string) {
    super(message);
    this.name = 'ImportError';
    this.code = code;
  }
}

/** A byte count for messages, with thousands separators ("30,721"). */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
