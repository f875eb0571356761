/** Error codes and the error shape every refusal and failure carries across the worker seam. */

export const ERROR_CODES = [
  'invalid-config',
  'invalid-hyperparams',
  'backend-init-failed',
  'device-lost',
  'out-of-memory',
  'diverged',
  'busy',
  'import-failed',
  'storage-failed',
  'dataset-missing',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface EngineError {
  code: ErrorCode;
  /** One sentence a user can act on. */
  message: string;
  /** The importer's own code for an import-failed error (e.g. 'record-size', 'mixed-cifar'). */
  detail?: string;
}

/** The outcome of a call that can be refused: its value fields, or an error with a code and a sentence (comlink drops Error fields). */
export type Outcome<T extends object = object> = ({ ok: true } & T) | { ok: false; error: EngineError };
