import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_WATCHDOG_TIMES as T,
  describeWorkerError,
  expectationOf,
  Watchdog,
  watchdogTimesFromSearch,
  type Silence,
  type WatchedRun,
  type WatchedWork,
} from './watchdog';

const run = (over: Partial<WatchedRun> = {}): WatchedRun => ({ title: 'Prune', status: 'running', step: 329, totalSteps: 400, stepsPerSecond: 10, ...over });
const work = (over: Partial<WatchedWork> = {}): WatchedWork => ({ runs: [], importLabel: null, calls: [], ...over });

describe('Watchdog (fake clock)', () => {
  let fired: Silence[];
  let pings: number;
  let dog: Watchdog;
  beforeEach(() => {
    vi.useFakeTimers();
    fired = [];
    pings = 0;
    dog = new Watchdog({ onSilence: (s) => fired.push(s), ping: () => pings++, pingEveryMs: 2_000 });
  });
  afterEach(() => {
    dog.dispose();
    vi.useRealTimers();
  });

  it('stays quiet while heartbeats arrive, however long the work lasts', () => {
    dog.expect({ what: 'the Prune run (step 3 of 400)', limitMs: 45_000 });
    for (let s = 0; s < 600; s++) {
      vi.advanceTimersByTime(1_000);
      dog.alive();
    }
    expect(fired).toEqual([]);
    expect(pings).toBe(0); // never silent for a ping interval
  });

  it('fires exactly once when the silence passes the limit, pinging the silent worker meanwhile', () => {
    dog.expect({ what: 'the Prune run (step 329 of 400)', limitMs: 45_000 });
    vi.advanceTimersByTime(44_999);
    expect(fired).toEqual([]);
    expect(pings).toBeGreaterThanOrEqual(20); // every 2 s once silent
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([{ what: 'the Prune run (step 329 of 400)', silentMs: 45_000 }]);
    vi.advanceTimersByTime(600_000);
    dog.expect({ what: 'the Prune run (step 329 of 400)', limitMs: 45_000 });
    vi.advanceTimersByTime(600_000);
    expect(fired).toHaveLength(1);
    expect(dog.hasFired).toBe(true);
  });

  it('counts silence from the last sign of life, not from when the wait began', () => {
    dog.expect({ what: 'the import of a.zip', limitMs: 10_000 });
    vi.advanceTimersByTime(8_000);
    dog.alive();
    vi.advanceTimersByTime(9_000);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual([{ what: 'the import of a.zip', silentMs: 10_000 }]);
  });

  it('allows the longer grace while a run prepares, and the limit once it steps', () => {
    dog.expect(expectationOf(work({ runs: [run({ status: 'preparing', step: null, totalSteps: null, stepsPerSecond: 0 })] }), T));
    vi.advanceTimersByTime(T.graceMs - 1);
    expect(fired).toEqual([]);
    // the run reports its steps: the allowance shrinks to the limit, counted from the last sign of life
    dog.alive();
    dog.expect(expectationOf(work({ runs: [run({ step: 5 })] }), T));
    vi.advanceTimersByTime(T.limitMs - 1);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([{ what: 'the Prune run (step 5 of 400)', silentMs: T.limitMs }]);
  });

  it('never fires and sets no timer when nothing is expected', () => {
    dog.expect(null);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(3_600_000);
    dog.expect({ what: 'the Train run (step 9 of 10)', limitMs: 5_000 });
    dog.expect(null); // the run ended before the limit
    vi.advanceTimersByTime(60_000);
    expect(fired).toEqual([]);
    expect(pings).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a new wait counts from its start, not from an idle silence before it', () => {
    vi.advanceTimersByTime(10 * 60_000); // an idle worker sends nothing
    dog.expect({ what: 'the Segment lab’s predict call', limitMs: 45_000 });
    vi.advanceTimersByTime(44_000);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1_000);
    expect(fired).toHaveLength(1);
  });

  it('reset() after a restart re-arms it: a wait still expected counts from the reset', () => {
    dog.expect({ what: 'the Prune run (step 329 of 400)', limitMs: 45_000 });
    vi.advanceTimersByTime(45_000);
    expect(fired).toHaveLength(1);
    dog.reset();
    expect(dog.hasFired).toBe(false);
    vi.advanceTimersByTime(44_000);
    expect(fired).toHaveLength(1);
    vi.advanceTimersByTime(1_000);
    expect(fired).toHaveLength(2);
    dog.reset();
    dog.expect(null);
    vi.advanceTimersByTime(600_000);
    expect(fired).toHaveLength(2);
  });

  it('a timer that wakes far too late (the machine slept) restarts the count instead of firing', () => {
    const clock = { t: 0, queue: [] as { at: number; fn: () => void }[] };
    const fake = {
      now: () => clock.t,
      setTimeout: (fn: () => void, ms: number) => clock.queue.push({ at: clock.t + ms, fn }),
      clearTimeout: () => (clock.queue = []),
    };
    const got: Silence[] = [];
    const d = new Watchdog({ onSilence: (s) => got.push(s), clock: fake, pingEveryMs: 2_000 });
    d.expect({ what: 'the Train run (step 4 of 9)', limitMs: 45_000 });
    clock.t = 3_600_000; // suspended for an hour; the pending timer runs only now
    clock.queue.shift()!.fn();
    expect(got).toEqual([]);
    expect(d.silentMs()).toBe(0);
    while (got.length === 0) {
      const next = clock.queue.shift()!;
      clock.t = next.at;
      next.fn();
    }
    expect(got).toEqual([{ what: 'the Train run (step 4 of 9)', silentMs: 45_000 }]);
  });
});

describe('expectationOf', () => {
  it('expects nothing of an idle worker or of ended runs', () => {
    expect(expectationOf(work(), T)).toBeNull();
    expect(expectationOf(work({ runs: [run({ status: 'done' }), run({ status: 'interrupted' }), run({ status: 'stopped' })] }), T)).toBeNull();
  });

  it('gives the grace period to preparation and the first steps, the limit later, and stretches it for slow steps', () => {
    expect(expectationOf(work({ runs: [run({ status: 'preparing', step: null })] }), T)).toEqual({ what: "the Prune run's preparation", limitMs: T.graceMs });
    expect(expectationOf(work({ runs: [run({ step: 1 })] }), T)).toEqual({ what: 'the first steps of the Prune run', limitMs: T.graceMs });
    expect(expectationOf(work({ runs: [run()] }), T)).toEqual({ what: 'the Prune run (step 329 of 400)', limitMs: T.limitMs });
    // 30 s per step on the cpu backend: 4 steps of silence are allowed
    expect(expectationOf(work({ runs: [run({ stepsPerSecond: 1 / 30 })] }), T)?.limitMs).toBeCloseTo(120_000);
    expect(expectationOf(work({ runs: [run({ status: 'paused', stepsPerSecond: 1 / 30 })] }), T)?.limitMs).toBe(T.limitMs);
  });

  it('covers imports and calls; lab calls get the grace period; the run names the wait', () => {
    expect(expectationOf(work({ importLabel: 'cifar-10.tar.gz' }), T)).toEqual({ what: 'the import of cifar-10.tar.gz', limitMs: T.limitMs });
    expect(expectationOf(work({ calls: [{ what: "the Prune lab's compact call", slow: true }] }), T)).toEqual({
      what: "the Prune lab's compact call",
      limitMs: T.graceMs,
    });
    const both = expectationOf(work({ runs: [run()], calls: [{ what: "the Segment lab's predict call", slow: true }] }), T);
    expect(both).toEqual({ what: 'the Prune run (step 329 of 400)', limitMs: T.graceMs });
  });
});

describe('watchdogTimesFromSearch', () => {
  it('reads ?watchdog=<seconds> and refuses nonsense with a sentence', () => {
    expect(watchdogTimesFromSearch('')).toEqual({ times: T, issue: null });
    expect(watchdogTimesFromSearch('?backend=webgpu&watchdog=5').times).toEqual({ limitMs: 5_000, graceMs: 20_000, pingEveryMs: 1_250, answerMs: 5_000 });
    const bad = watchdogTimesFromSearch('?watchdog=soon');
    expect(bad.times).toEqual(T);
    expect(bad.issue).toBe('?watchdog=soon is not a number of seconds from 1 to 3600; the engine watchdog waits 45 s.');
  });
});

describe('describeWorkerError', () => {
  it('gives the message, else where it was thrown, else a phrase; never "[object …]"', () => {
    expect(describeWorkerError({ message: 'Uncaught RangeError: Invalid array length' })).toBe('RangeError: Invalid array length');
    expect(describeWorkerError({ message: 'Uncaught [object ErrorEvent]', filename: 'http://localhost/assets/engine.worker-x1.js', lineno: 12 })).toBe(
      'an uncaught error in the engine worker at engine.worker-x1.js:12',
    );
    expect(describeWorkerError({ message: '' })).toBe('an uncaught error in the engine worker');
    expect(describeWorkerError({ message: 'Uncaught [object Object]' })).toBe('an uncaught error in the engine worker');
    expect(describeWorkerError({ error: new Error('boom') })).toBe('boom');
  });
});
