/**
 * What keeps a run in progress from vanishing with the page: checkpoints of the active runs in the run history
 * (every few seconds while they change, and at once when the page is hidden or closing), and the browser's
 * "leave the page?" prompt while any run is active. The page's targets are passed in, so tests drive them with
 * plain EventTargets.
 */
import type { RunStatus } from '../protocol/events';
import { startCheckpoints } from './checkpoint';
import { checkpointRecord } from './liveRunsSlice';
import type { RunState, WorkbenchState } from './types';

/** The statuses of a run in progress (it holds the engine; leaving the page loses it). */
const ACTIVE: readonly RunStatus[] = ['preparing', 'running', 'paused'];

/** The runs in progress, of every lab. */
export function activeRuns(s: Pick<WorkbenchState, 'runs'>): RunState[] {
  return (Object.values(s.runs) as (RunState | null)[]).filter((r): r is RunState => r !== null && ACTIVE.includes(r.status));
}

/** The store as the guards use it (zustand's store API). */
export interface GuardedStore {
  getState(): WorkbenchState;
  subscribe(listener: (s: WorkbenchState, prev: WorkbenchState) => void): () => void;
}

/** Ask the browser to confirm leaving the page (both the standard call and the legacy returnValue that older browsers need). */
export function confirmUnload(e: Event): void {
  e.preventDefault();
  (e as unknown as { returnValue: string }).returnValue = '';
}

/**
 * Install the guards: checkpoints every `intervalMs` (default CHECKPOINT_INTERVAL_MS) while a run changes, a
 * flush on `pagehide` and on `visibilitychange` to hidden, and a `beforeunload` listener, registered only while
 * a run is active, that asks to confirm and flushes. Returns the uninstall.
 */
export function installRunGuards(
  store: GuardedStore,
  win: EventTarget,
  doc: EventTarget & { readonly visibilityState: string },
  opts: { intervalMs?: number } = {},
): () => void {
  const checkpoints = startCheckpoints({
    activeRuns: () => activeRuns(store.getState()),
    toRecord: (run) => checkpointRecord(store.getState, run),
    write: (r) => store.getState().checkpointRun(r),
    subscribe: (listener) => store.subscribe((s, prev) => s.runs !== prev.runs && listener()),
    intervalMs: opts.intervalMs,
  });
  const flush = () => void checkpoints.flush();
  const onVisibility = () => doc.visibilityState === 'hidden' && flush();
  win.addEventListener('pagehide', flush);
  doc.addEventListener('visibilitychange', onVisibility);

  // Also a checkpoint when leaving is asked: unlike one at pagehide (the document is destroyed within the same
  // task, which may abort its IndexedDB transaction), it has the prompt and the next page's load to commit in.
  const onBeforeUnload = (e: Event) => {
    confirmUnload(e);
    flush();
  };
  let prompting = false;
  const syncPrompt = (s: WorkbenchState) => {
    const want = activeRuns(s).length > 0;
    if (want === prompting) return;
    prompting = want;
    if (want) win.addEventListener('beforeunload', onBeforeUnload);
    else win.removeEventListener('beforeunload', onBeforeUnload);
  };
  const unsubscribe = store.subscribe((s, prev) => s.runs !== prev.runs && syncPrompt(s));
  syncPrompt(store.getState());

  return () => {
    checkpoints.stop();
    unsubscribe();
    win.removeEventListener('pagehide', flush);
    doc.removeEventListener('visibilitychange', onVisibility);
    if (prompting) win.removeEventListener('beforeunload', onBeforeUnload);
    prompting = false;
  };
}
