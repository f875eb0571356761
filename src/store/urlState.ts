/** The run config lives in the URL hash (a shareable experiment); the backend override in `?backend=`. */
import { normalizeConfig, type NormalizeResult, type TrainConfig } from '../protocol/config';
import { isBackendPreference, type BackendPreference } from '../protocol/backend';

/** Serialise a config to a hash fragment like `#model=vgg16&width=0.25&…`. */
export function configToHash(config: TrainConfig): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(config)) params.set(k, String(v));
  return `#${params.toString()}`;
}

/** Parse a hash fragment into a valid config, with a sentence for every value that had to change. */
export function hashToConfig(hash: string): NormalizeResult {
  const raw: Record<string, unknown> = {};
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  try {
    for (const [k, v] of new URLSearchParams(body)) raw[k] = v;
  } catch {
    return { ...normalizeConfig({}), issues: ["The link's settings could not be read; the defaults are used."] };
  }
  return normalizeConfig(raw);
}

/** Read `?backend=` from a query string; invalid values are reported, not used. */
export function backendFromSearch(search: string): { preference: BackendPreference | null; issue: string | null } {
  const v = new URLSearchParams(search).get('backend');
  if (v === null) return { preference: null, issue: null };
  if (isBackendPreference(v)) return { preference: v, issue: null };
  return { preference: null, issue: `?backend=${v} is not a backend (auto, webgpu, webgl, cpu); choosing automatically.` };
}
