import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PRUNE_LAB } from '../protocol/labs/prune';
import { createRunWriter, interruptedMessage, startCheckpoints, CHECKPOINT_INTERVAL_MS } from './checkpoint';
import { summarizeRun } from './runHistory';
import type { AnyRunRecord, RunState } from './types';

function run(id: string, step: number, status: RunState['status'] = 'running'): RunState<'prune'> {
  return {
    id,
    lab: 'prune',
    config: { ...PRUNE_LAB.defaults(), method: 'gl-prox', steps: 400 },
    status,
    progress: { step, totalSteps: 400, epoch: 0, etaSeconds: null, stepsPerSecond: 5, imagesPerSecond: 160, phase: 'training' },
    series: { 'train.loss': { steps: Array.from({ length: step }, (_, i) => i + 1), values: Array.from({ length: step }, () => 2) } },
    hpChanges: [],
    params: 1000,
    error: null,
    startedAt: 1,
    extras: {},
  };
}
const rec = (r: RunState, status: RunState['status'] = 'interrupted'): AnyRunRecord => summarizeRun({ ...r, status }, { datasetName: 'Shapes', endedAt: 2 });

/** A deferred promise: resolve it by hand to finish a slow write. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('interruptedMessage', () => {
  it('names the step reached and the planned steps (and a pause)', () => {
    expect(interruptedMessage(run('a', 18), 18)).toBe('The page was closed or reloaded at step 18 of 400.');
    expect(interruptedMessage({ ...run('a', 12, 'paused'), progress: null }, 12)).toBe('The page was closed or reloaded at step 12 of 400 (paused).');
  });
});

describe('createRunWriter', () => {
  it('writes one run in order: a slow checkpoint finishes before the final record is put, so the final record wins', async () => {
    const stored = new Map<string, AnyRunRecord>();
    const order: string[] = [];
    const slow = deferred();
    const w = createRunWriter(async (r) => {
      order.push(`start ${r.status}`);
      if (r.status === 'interrupted') await slow.promise;
      stored.set(r.id, r);
      order.push(`end ${r.status}`);
    });
    const cp = w.checkpoint(rec(run('a', 5)));
    await vi.waitFor(() => expect(order).toEqual(['start interrupted'])); // the checkpoint's put is in flight
    const fin = w.save(rec(run('a', 9), 'done'));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual(['start interrupted']); // the final put waits for it
    slow.resolve();
    await Promise.all([cp, fin]);
    expect(order).toEqual(['start interrupted', 'end interrupted', 'start done', 'end done']);
    expect(stored.get('a')?.status).toBe('done');
  });

  it('drops the checkpoints that come after the final record, and those queued but not started when it came', async () => {
    const puts: string[] = [];
    const slow = deferred();
    const w = createRunWriter(async (r) => {
      puts.push(`${r.id} ${r.status} ${r.stepsDone}`);
      if (puts.length === 1) await slow.promise;
    });
    const first = w.checkpoint(rec(run('a', 5)));
    await vi.waitFor(() => expect(puts).toHaveLength(1)); // in flight
    const queued = w.checkpoint(rec(run('a', 7))); // waits behind the first
    const fin = w.save(rec(run('a', 9), 'done'));
    const late = w.checkpoint(rec(run('a', 8)));
    slow.resolve();
    await Promise.all([first, queued, fin, late]);
    await w.checkpoint(rec(run('a', 9)));
    await w.checkpoint(rec(run('b', 3))); // another run is not affected
    expect(puts).toEqual(['a interrupted 5', 'a done 9', 'b interrupted 3']);
  });

  it('a failed write rejects its caller and does not block the next write of the run', async () => {
    const puts: string[] = [];
    const w = createRunWriter(async (r) => {
      puts.push(r.status);
      if (r.status === 'interrupted') throw new Error('quota');
    });
    await expect(w.checkpoint(rec(run('a', 5)))).rejects.toThrow('quota');
    await w.save(rec(run('a', 6), 'done'));
    expect(puts).toEqual(['interrupted', 'done']);
  });
});

describe('startCheckpoints', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A tiny store of active runs with listeners, and the records written. */
  function setup(initial: RunState[] = []) {
    let active = initial;
    const listeners = new Set<() => void>();
    const written: AnyRunRecord[] = [];
    const cp = startCheckpoints({
      activeRuns: () => active,
      toRecord: (r) => rec(r),
      write: async (r) => void written.push(r),
      subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
    });
    const setActive = (runs: RunState[]) => {
      active = runs;
      for (const l of listeners) l();
    };
    return { cp, written, setActive, listeners };
  }

  it('writes nothing while no run is active, whatever the changes or the flushes', async () => {
    const { cp, written, setActive } = setup();
    setActive([]);
    await vi.advanceTimersByTimeAsync(3 * CHECKPOINT_INTERVAL_MS);
    await cp.flush();
    expect(written).toEqual([]);
  });

  it('throttles: the first change is written at once, changes then at most every interval, the latest state of each', async () => {
    const { written, setActive } = setup();
    setActive([run('a', 1)]);
    await vi.advanceTimersByTimeAsync(0);
    expect(written.map((r) => r.stepsDone)).toEqual([1]);
    // 10 changes a second for 3.9 s: nothing more until the interval since the first write has passed.
    for (let step = 2; step <= 40; step++) {
      setActive([run('a', step)]);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(written).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(CHECKPOINT_INTERVAL_MS - 3900);
    expect(written.map((r) => r.stepsDone)).toEqual([1, 40]);
    expect(written[1]).toMatchObject({ id: 'a', status: 'interrupted', stepsDone: 40 });
    // No change since: no write, however long it waits (a paused run is written once).
    await vi.advanceTimersByTimeAsync(5 * CHECKPOINT_INTERVAL_MS);
    expect(written).toHaveLength(2);
  });

  it('flush (pagehide) writes the changed runs at once, without waiting for the interval, and cancels the pending write', async () => {
    const { cp, written, setActive } = setup();
    setActive([run('a', 1)]);
    await vi.advanceTimersByTimeAsync(0);
    setActive([run('a', 7)]);
    await cp.flush();
    expect(written.map((r) => r.stepsDone)).toEqual([1, 7]);
    await vi.advanceTimersByTimeAsync(2 * CHECKPOINT_INTERVAL_MS);
    expect(written).toHaveLength(2);
    await cp.flush(); // nothing changed since
    expect(written).toHaveLength(2);
  });

  it('a run that ended before its turn is not written; stop() ends the writes', async () => {
    const { cp, written, setActive, listeners } = setup([run('a', 1)]);
    await vi.advanceTimersByTimeAsync(0);
    setActive([run('a', 2)]);
    setActive([]); // ended (its final save is the liveRuns slice's)
    await vi.advanceTimersByTimeAsync(2 * CHECKPOINT_INTERVAL_MS);
    expect(written.map((r) => r.stepsDone)).toEqual([1]);
    cp.stop();
    expect(listeners.size).toBe(0);
  });
});
