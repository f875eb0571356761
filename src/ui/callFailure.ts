/**
 * A lab call that rejected (the worker was restarted by the watchdog, or died) as the failed Outcome a panel
 * already shows, so the panel leaves its busy state with a sentence instead of an unhandled rejection.
 */
export function failed(err: unknown): { ok: false; error: { code: 'internal'; message: string } } {
  return { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : `The engine did not answer: ${String(err)}` } };
}
