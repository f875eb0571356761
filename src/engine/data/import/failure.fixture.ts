/** Test-only helper: the ImportError that `f` throws (fails if it throws nothing or something else). */
import { ImportError } from './importError';

export function failure(f: () => unknown): ImportError {
  try {
    f();
  } catch (e) {
    if (e instanceof ImportError) return e;
    throw e;
  }
  throw new Error('expected an ImportError');
}
