/** The open lab's config lives in the URL hash (a shareable experiment); the backend override in `?backend=`. */
import { BACKEND_PREFERENCES, isBackendPreference, type BackendPreference } from '../protocol/backend';

export { configToHash, hashToConfig } from '../protocol/labs';

/** Read `?backend=` from a query string; invalid values are reported, not used. */
export function backendFromSearch(search: string): { preference: BackendPreference | null; issue: string | null } {
  const v = new URLSearchParams(search).get('backend');
  if (v === null) return { preference: null, issue: null };
  if (isBackendPreference(v)) return { preference: v, issue: null };
  return { preference: null, issue: `?backend=${v} is not a backend (${BACKEND_PREFERENCES.join(', ')}); choosing automatically.` };
}
