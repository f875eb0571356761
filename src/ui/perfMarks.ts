/**
 * Opt-in user-timing marks for the responsiveness bench (`?perf` in the URL): a view names itself when it renders,
 * and the bench's trace shows which views rendered inside each long task. Each mark is cleared at once, so the
 * performance buffer does not grow during a long run; the trace keeps it.
 */
export const PERF_MARKS = typeof location !== 'undefined' && new URLSearchParams(location.search).has('perf');

/** Leave a `perf:<name>` mark (only with `?perf`). */
export function markRender(name: string): void {
  if (!PERF_MARKS) return;
  const mark = `perf:${name}`;
  performance.mark(mark);
  performance.clearMarks(mark);
}
