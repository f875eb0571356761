/** Errors of the segmentation-pair importer: the importers' one ImportError (its codes include the pair codes). */
export { ImportError as SegImportError, type ImportErrorCode as SegImportErrorCode } from './importError';

/** "a, b, c and 4 more": the first `shown` names of a list for a message. */
export function listSome(names: readonly string[], shown = 3): string {
  const head = names.slice(0, shown).join(', ');
  return names.length > shown ? `${head} and ${(names.length - shown).toLocaleString('en-US')} more` : head;
}
