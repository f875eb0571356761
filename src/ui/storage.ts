/**
 * The browser's storage for datasets, runs and models (IndexedDB): how much is used of the quota, and whether
 * it is persistent (not evicted under storage pressure). Persistence is asked for once, when the first dataset
 * (or model) is saved — browsers grant or refuse it; Chromium decides by site engagement without a prompt.
 */
export interface StorageState {
  /** Bytes used and the quota, or null where the browser does not say. */
  usage: number | null;
  quota: number | null;
  /** true: persistent; false: best-effort (may be evicted); null: the browser cannot say. */
  persisted: boolean | null;
}

type Listener = (s: StorageState) => void;
const listeners = new Set<Listener>();
let asked = false;

/** Read usage, quota and persistence (each null where unsupported). */
export async function readStorage(): Promise<StorageState> {
  const sm = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  const [estimate, persisted] = await Promise.all([
    sm?.estimate ? sm.estimate().catch(() => null) : Promise.resolve(null),
    sm?.persisted ? sm.persisted().catch(() => null) : Promise.resolve(null),
  ]);
  return { usage: estimate?.usage ?? null, quota: estimate?.quota ?? null, persisted };
}

/** Something was saved: ask for persistent storage the first time, then tell the listeners the new state. */
export async function savedSomething(): Promise<StorageState> {
  const sm = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  if (!asked && sm?.persist) {
    asked = true;
    await sm.persist().catch(() => false);
  }
  const s = await readStorage();
  for (const l of listeners) l(s);
  return s;
}

/** Follow the storage state (after each save); returns the unsubscribe function. */
export function onStorageChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}
