/** How a saved run's status reads in a runs table: the cell's text and its tooltip. */
import type { AnyRunRecord } from './types';

/** Said of every interrupted run: only its history was kept. */
export const NOT_RESUMABLE = 'Weights were not kept; start a new run with the same settings.';

/**
 * "interrupted at step 18" (the error and NOT_RESUMABLE as tooltip), "done · diverged" (the reason as tooltip),
 * else the status itself (the error, if any, as tooltip). Records saved before `diverged` existed read as not diverged.
 */
export function savedRunStatus(r: Pick<AnyRunRecord, 'status' | 'stepsDone' | 'error' | 'diverged'>): { text: string; title: string | undefined } {
  const diverged = r.diverged ?? null;
  const base = r.status === 'interrupted' ? `interrupted at step ${r.stepsDone}` : r.status;
  const text = diverged ? `${base} · diverged` : base;
  const notes = [r.error, r.status === 'interrupted' ? NOT_RESUMABLE : null, diverged ? `Diverged: ${diverged}` : null].filter((t): t is string => !!t);
  return { text, title: notes.length > 0 ? notes.join(' ') : undefined };
}
