/** Shipped demo weights (public/models/, made by the npm run pretrain:* scripts), read from the app's own origin. */

/** Reads a shipped file by its path under a lab's folder (the worker: fetch; tests: the file system or a map). */
export type ShippedReader = (path: string) => Promise<ArrayBuffer | null>;

/**
 * A reader of `models/<folder>/…` by fetch() from the app's own origin; null for a missing file: a 404, or the
 * HTML page a single-page-app server (vite preview, most static hosts) answers for any unknown path.
 */
export function fetchShipped(folder: string): ShippedReader {
  return async (path) => {
    const base = (import.meta as { env?: { BASE_URL?: string } }).env?.BASE_URL ?? '/';
    const res = await fetch(new URL(`${base}models/${folder}/${path}`, self.location.origin));
    if (res.status === 404 || (res.headers.get('content-type') ?? '').includes('text/html')) return null;
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return res.arrayBuffer();
  };
}
