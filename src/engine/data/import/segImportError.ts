/** Errors of the segmentation-pair importer: a stable code for the UI and one human sentence a user can act on. */

export const SEG_IMPORT_ERROR_CODES = [
  'no-pairs',
  'unpaired-image',
  'unpaired-label',
  'duplicate-label',
  'duplicate-image',
  'missing-train',
  'missing-test',
  'label-decode',
  'label-format',
  'label-value',
  'image-decode',
  'size-mismatch',
  'aborted',
] as const;
export type SegImportErrorCode = (typeof SEG_IMPORT_ERROR_CODES)[number];

/** A failed segmentation import: `code` names the failure, `message` is one sentence for the user. */
export class SegImportError extends Error {
  readonly code: SegImportErrorCode;

  constructor(code: SegImportErrorCode, message: string) {
    super(message);
    this.name = 'SegImportError';
    this.code = code;
  }
}

/** "a, b, c and 4 more": the first `shown` names of a list for a message. */
export function listSome(names: readonly string[], shown = 3): string {
  const head = names.slice(0, shown).join(', ');
  return names.length > shown ? `${head} and ${(names.length - shown).toLocaleString('en-US')} more` : head;
}
