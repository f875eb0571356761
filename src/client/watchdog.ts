/**
 * The client's watchdog on the engine worker: while the UI waits on the worker (a run is active, an import is
 * pending, a call is outstanding) and hears nothing from it (no event batch, heartbeat or answer) for longer than
 * the wait allows, the worker is declared dead and restarted by the caller. A worker that dies or hangs without an
 * `error` event (a closed worker, a lost tab process, an endless loop) would otherwise freeze the UI.
 *
 * Pure logic on an injectable clock and timer so it is tested with a fake clock; `engineClient.ts` wires it.
 */
import type { RunStatus } from '../protocol/events';

/** The clock and the one-shot timer the watchdog runs on (the real ones by default). */
export interface WatchdogClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Date.now and the global timers, looked up at each call (so `vi.useFakeTimers()` also drives the default clock). */
export const REAL_CLOCK: WatchdogClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** How long a silence the watchdog allows, and how often it pings a silent worker. */
export interface WatchdogTimes {
  /**
   * The silence allowed in steady work: 45 s. A busy worker beats about once a second (src/worker/eventQueue.ts,
   * `Heartbeat`), and on the GPU backends every step awaits a read-back, so it is rarely silent for more than a second
   * or two; the longest legitimate silence in steady state is one training step on the cpu/wasm backends or under a
   * software WebGPU adapter (a few seconds for the workbench's models), which the limit covers many times over and which
   * `expectationOf` stretches further when the measured step is slow.
   */
  limitMs: number;
  /**
   * The silence allowed while a run prepares and until its first steps were reported, and during lab calls: 180 s
   * (4 × the limit). Building the model and the first step compile every shader (tens of seconds on a software WebGPU
   * adapter, where Chromium compiles a pipeline per kernel shape), and lab calls (compaction, latency measurement, loading
   * a model) run whole forward passes without reporting progress.
   */
  graceMs: number;
  /** A worker silent this long while expected is pinged, then again at this interval (a ping answer counts as life). */
  pingEveryMs: number;
  /** Stop / Cancel that get no answer and no sign of life for this long restart the worker at once (the user is waiting). */
  answerMs: number;
}

export const DEFAULT_WATCHDOG_TIMES: WatchdogTimes = { limitMs: 45_000, graceMs: 180_000, pingEveryMs: 2_000, answerMs: 10_000 };

/**
 * Watchdog times from the page's query string: `?watchdog=<seconds>` sets the limit (1 to 3600 s; grace 4 ×, pings and
 * the wait for an answer to Stop/Cancel scaled down with it). Meant for tests that close the worker on purpose and for
 * debugging a slow machine; anything else is reported and the defaults are used.
 */
export function watchdogTimesFromSearch(search: string): { times: WatchdogTimes; issue: string | null } {
  const raw = new URLSearchParams(search).get('watchdog');
  if (raw === null) return { times: DEFAULT_WATCHDOG_TIMES, issue: null };
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3600) {
    return { times: DEFAULT_WATCHDOG_TIMES, issue: `?watchdog=${raw} is not a number of seconds from 1 to 3600; the engine watchdog waits 45 s.` };
  }
  const limitMs = seconds * 1000;
  return {
    times: {
      limitMs,
      graceMs: 4 * limitMs,
      pingEveryMs: Math.min(DEFAULT_WATCHDOG_TIMES.pingEveryMs, limitMs / 4),
      answerMs: Math.min(DEFAULT_WATCHDOG_TIMES.answerMs, limitMs),
    },
    issue: null,
  };
}

/** What the UI waits on (for the notice: it reads after "during") and the silence that wait allows. */
export interface Expectation {
  what: string;
  limitMs: number;
}

/** A lab's live run as the watchdog sees it. */
export interface WatchedRun {
  /** The lab's title ("Prune"). */
  title: string;
  status: RunStatus;
  /** The last reported step (null before any progress), of how many, and the measured pace (0 before any step). */
  step: number | null;
  totalSteps: number | null;
  stepsPerSecond: number;
}

/** Work the UI waits on besides runs: an import and the calls not answered yet. */
export interface WatchedWork {
  runs: WatchedRun[];
  /** The pending import's label (file names), or null. */
  importLabel: string | null;
  /** Outstanding calls: what each is (reads after "during"), and whether it may be silent for the grace period (lab calls). */
  calls: { what: string; slow: boolean }[];
}

/** Statuses of a run the worker is still working on (or holding, paused). */
const ACTIVE: readonly RunStatus[] = ['preparing', 'running', 'paused'];

/** A training step may be silent (the cpu/wasm backends run it synchronously): allow this many of the measured step. */
const STEPS_OF_SILENCE = 4;

/**
 * What the UI waits on now and the silence it allows, or null when it waits on nothing (an idle worker may be silent).
 * A run that prepares or has not reported its second step gets the grace period (shader compiles); later, the limit or
 * 4 measured steps, whichever is longer; a paused run the limit (the worker is idle and beats). An import gets the limit
 * (it reports progress as it reads), a lab call the grace period. The longest allowance wins; the run names the wait.
 */
export function expectationOf(work: WatchedWork, times: WatchdogTimes): Expectation | null {
  const waits: Expectation[] = [];
  for (const r of work.runs) {
    if (!ACTIVE.includes(r.status)) continue;
    if (r.status === 'preparing' || r.step === null || r.step < 2) {
      waits.push({ what: r.status === 'preparing' ? `the ${r.title} run's preparation` : `the first steps of the ${r.title} run`, limitMs: times.graceMs });
    } else {
      const stepMs = r.stepsPerSecond > 0 ? 1000 / r.stepsPerSecond : 0;
      const limitMs = r.status === 'paused' ? times.limitMs : Math.max(times.limitMs, STEPS_OF_SILENCE * stepMs);
      waits.push({ what: `the ${r.title} run (step ${r.step} of ${r.totalSteps ?? '?'})`, limitMs });
    }
  }
  if (work.importLabel !== null) waits.push({ what: `the import of ${work.importLabel}`, limitMs: times.limitMs });
  for (const c of work.calls) waits.push({ what: c.what, limitMs: c.slow ? times.graceMs : times.limitMs });
  if (waits.length === 0) return null;
  return { what: waits[0]!.what, limitMs: Math.max(...waits.map((w) => w.limitMs)) };
}

/** What the watchdog reports when it fires: the wait that went unanswered and how long the worker was silent. */
export interface Silence {
  what: string;
  silentMs: number;
}

export interface WatchdogOptions {
  /** Called once when the silence passed the allowance; the watchdog then sleeps until `reset()`. */
  onSilence(silence: Silence): void;
  /** Ask the worker for a sign of life (its answer should reach `alive()`). */
  ping?(): void;
  pingEveryMs?: number;
  clock?: WatchdogClock;
}

/**
 * Counts the worker's silence while something is expected. `alive()` on every sign of life; `expect()` whenever what
 * the UI waits on changes. One timer at a time, only while expecting; it wakes at least every `pingEveryMs` to ping.
 * A timer that fires far later than asked (the machine slept, the tab was frozen) restarts the count instead of firing:
 * the worker was asleep too.
 */
export class Watchdog {
  private readonly clock: WatchdogClock;
  private readonly pingEveryMs: number;
  private lastAlive: number;
  /** When the current wait began (silence before it does not count). */
  private since = 0;
  private expectation: Expectation | null = null;
  private timer: unknown = null;
  private wakeAt = 0;
  private fired = false;

  constructor(private readonly opts: WatchdogOptions) {
    this.clock = opts.clock ?? REAL_CLOCK;
    this.pingEveryMs = opts.pingEveryMs ?? DEFAULT_WATCHDOG_TIMES.pingEveryMs;
    this.lastAlive = this.clock.now();
  }

  /** A sign of life: an event batch (heartbeats included) or an answer. */
  alive(): void {
    this.lastAlive = this.clock.now();
  }

  /** When the last sign of life arrived (clock ms). */
  get lastAliveAt(): number {
    return this.lastAlive;
  }

  /** How long the worker has been silent during the current wait (0 when nothing is expected). */
  silentMs(): number {
    return this.expectation ? this.clock.now() - Math.max(this.lastAlive, this.since) : 0;
  }

  /** What the UI waits on now (null: nothing). */
  get current(): Expectation | null {
    return this.expectation;
  }

  /** Whether it fired since the last reset. */
  get hasFired(): boolean {
    return this.fired;
  }

  /** What the UI waits on now (null: nothing; the watchdog sleeps). A new wait starts its count now. */
  expect(e: Expectation | null): void {
    const was = this.expectation;
    this.expectation = e;
    if (!e) return this.disarm();
    if (!was) this.since = this.clock.now();
    if (!was || was.limitMs !== e.limitMs) this.schedule();
  }

  /** After a restart: forget the silence and the firing; a wait still expected counts from now. */
  reset(): void {
    this.fired = false;
    this.lastAlive = this.since = this.clock.now();
    this.disarm();
    if (this.expectation) this.schedule();
  }

  dispose(): void {
    this.disarm();
    this.expectation = null;
  }

  private disarm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.disarm();
    const e = this.expectation;
    if (!e || this.fired) return;
    const left = e.limitMs - this.silentMs();
    const delay = Math.max(0, Math.min(left, this.pingEveryMs));
    this.wakeAt = this.clock.now() + delay;
    this.timer = this.clock.setTimeout(() => this.wake(), delay);
  }

  private wake(): void {
    this.timer = null;
    const e = this.expectation;
    if (!e || this.fired) return;
    const now = this.clock.now();
    if (now - this.wakeAt > Math.max(5_000, this.pingEveryMs * 3)) {
      this.since = now; // the timer was frozen (sleep, a frozen tab): so was the worker; count afresh
      this.opts.ping?.();
      return this.schedule();
    }
    const silent = this.silentMs();
    if (silent >= e.limitMs) {
      this.fired = true;
      this.opts.onSilence({ what: e.what, silentMs: silent });
      return;
    }
    if (silent >= this.pingEveryMs) this.opts.ping?.();
    this.schedule();
  }
}

/**
 * The sentence for a worker `error` event: the ErrorEvent's message (without "Uncaught "), else where it was thrown,
 * else a plain phrase; never "[object …]" (a worker that throws a non-Error object yields "Uncaught [object ErrorEvent]").
 */
export function describeWorkerError(ev: { message?: unknown; filename?: unknown; lineno?: unknown; error?: unknown }): string {
  if (ev.error instanceof Error && ev.error.message) return ev.error.message;
  const message = typeof ev.message === 'string' ? ev.message.replace(/^Uncaught\s+/, '').trim() : '';
  if (message && !/\[object \w*\]/.test(message)) return message;
  if (typeof ev.filename === 'string' && ev.filename) {
    const file = ev.filename.split('/').pop() || ev.filename;
    return `an uncaught error in the engine worker at ${file}${typeof ev.lineno === 'number' && ev.lineno > 0 ? `:${ev.lineno}` : ''}`;
  }
  return 'an uncaught error in the engine worker';
}
