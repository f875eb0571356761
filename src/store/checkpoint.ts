/**
 * Checkpoints of the runs in progress: every few seconds (throttled, and only when a run changed) and when the
 * page is hidden or closed, each active run is written to the run history as if it had been interrupted there
 * ("The page was closed or reloaded at step 18 of 400."). If the page dies, the history already holds the run;
 * when it ends normally its final record replaces the checkpoint (same id). Writes of one run are sequenced, and
 * a checkpoint queued before the final record is dropped, so a late checkpoint never overwrites the final one.
 * Weights are not checkpointed: an interrupted run cannot be resumed, only started again with its settings.
 */
import type { AnyRunRecord, RunState } from './types';

/** How often (at most) the active runs are written while they change. */
export const CHECKPOINT_INTERVAL_MS = 4000;

/** Why a checkpointed run shows as interrupted, if the page dies after it. */
export function interruptedMessage(run: Pick<RunState, 'status' | 'progress' | 'config'>, stepsDone: number): string {
  const total = run.progress?.totalSteps ?? (run.config as { steps?: unknown }).steps;
  const of = typeof total === 'number' && total > 0 ? ` of ${total}` : '';
  return `The page was closed or reloaded at step ${stepsDone}${of}${run.status === 'paused' ? ' (paused)' : ''}.`;
}

/** Writes of run records, one queue per run id: checkpoints, then the final record, which later checkpoints cannot undo. */
export interface RunWriter {
  /** Write a checkpoint after the run's earlier writes; skipped once the run's final record was queued. */
  checkpoint(r: AnyRunRecord): Promise<void>;
  /** Write a record for good (the run ended, or something was attached to it) after the run's earlier writes. */
  save(r: AnyRunRecord): Promise<void>;
}

/** A RunWriter over `put` (one IndexedDB put per record). */
export function createRunWriter(put: (r: AnyRunRecord) => Promise<void>): RunWriter {
  const queues = new Map<string, Promise<void>>();
  const ended = new Set<string>();
  const enqueue = (id: string, write: () => Promise<void> | void): Promise<void> => {
    const prev = queues.get(id) ?? Promise.resolve();
    const next = prev.then(write, write);
    const tail = next.catch(() => undefined);
    queues.set(id, tail);
    void tail.then(() => {
      if (queues.get(id) === tail) queues.delete(id);
    });
    return next;
  };
  return {
    checkpoint: (r) => (ended.has(r.id) ? Promise.resolve() : enqueue(r.id, () => (ended.has(r.id) ? undefined : put(r)))),
    save: (r) => {
      ended.add(r.id);
      return enqueue(r.id, () => put(r));
    },
  };
}

export interface CheckpointerDeps {
  /** The runs in progress now (status preparing, running or paused). */
  activeRuns(): readonly RunState[];
  /** The record of a run in progress as it would be kept if the page died now (status 'interrupted'). */
  toRecord(run: RunState): AnyRunRecord;
  write(r: AnyRunRecord): Promise<void>;
  /** Called when the runs may have changed; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  intervalMs?: number;
}

export interface Checkpointer {
  /** Write every active run that changed since its last checkpoint, now (page hidden or closing). */
  flush(): Promise<void>;
  stop(): void;
}

/**
 * Keep checkpoints of the active runs: on a change, a write at most every `intervalMs` (the first at once,
 * then trailing), of the runs that changed since their last write (a paused run is written once); nothing
 * while no run is active.
 */
export function startCheckpoints(deps: CheckpointerDeps): Checkpointer {
  const interval = deps.intervalMs ?? CHECKPOINT_INTERVAL_MS;
  /** The run state each run id was last written from (states are immutable: a new object is a change). */
  const written = new Map<string, RunState>();
  let lastWriteAt = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const dirty = (): RunState[] => deps.activeRuns().filter((r) => written.get(r.id) !== r);

  const writeNow = (): Promise<void> => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const active = deps.activeRuns();
    for (const id of written.keys()) if (!active.some((r) => r.id === id)) written.delete(id);
    const runs = active.filter((r) => written.get(r.id) !== r);
    if (runs.length === 0) return Promise.resolve();
    lastWriteAt = Date.now();
    return Promise.all(
      runs.map((r) => {
        written.set(r.id, r);
        // A failed checkpoint is not worth a notice: the next one (or the final save, which does warn) follows.
        return deps.write(deps.toRecord(r)).catch(() => undefined);
      }),
    ).then(() => undefined);
  };

  const onChange = () => {
    if (timer !== null || dirty().length === 0) return;
    timer = setTimeout(() => void writeNow(), Math.max(0, lastWriteAt + interval - Date.now()));
  };

  const unsubscribe = deps.subscribe(onChange);
  onChange();
  return {
    flush: writeNow,
    stop() {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
