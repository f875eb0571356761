import type { EngineError } from '../protocol/events';
import { ERROR_CODES, type ErrorCode } from '../protocol/events';

/** An error that already carries its protocol code. */
export class EngineFault extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Map a thrown error to a protocol error code and a sentence a user can act on. */
export function describeError(err: unknown): EngineError {
  const message = err instanceof Error ? err.message : String(err);
  const tagged = (err as { code?: unknown } | null)?.code;
  if (typeof tagged === 'string' && (ERROR_CODES as readonly string[]).includes(tagged)) {
    return { code: tagged as ErrorCode, message };
  }
  if (/out of memory|OOM|allocation failed|Failed to allocate/i.test(message)) {
    return { code: 'out-of-memory', message: `The GPU ran out of memory (${message}). Try a smaller batch size or width.` };
  }
  if (/device (was )?lost|context lost|CONTEXT_LOST/i.test(message)) {
    return { code: 'device-lost', message: `The GPU device was lost (${message}). The engine restarts; start the run again.` };
  }
  return { code: 'internal', message: `Unexpected engine error: ${message}` };
}
