/** Collects engine events and hands them to the sink in batches, at most ~10 times per second. */
import type { EngineEvent, MetricBatch } from '../protocol/events';
import { LATEST_ONLY_EXTRAS } from '../protocol/labs';

export class EventQueue {
  private queue: EngineEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastFlush = 0;

  constructor(
    private sink: ((events: EngineEvent[]) => void) | null,
    private readonly intervalMs = 100,
  ) {}

  setSink(sink: (events: EngineEvent[]) => void): void {
    this.sink = sink;
    this.schedule();
  }

  /**
   * Queue an event; consecutive metric points of one run merge; only the latest progress, import progress
   * and latest-only extra (e.g. a per-layer report, which carries the whole picture) are kept.
   */
  push(event: EngineEvent): void {
    if (event.type === 'progress' || event.type === 'import' || event.type === 'heartbeat') {
      const i = this.queue.findIndex((e) => e.type === event.type && (!('runId' in e) || !('runId' in event) || e.runId === event.runId));
      if (i >= 0) this.queue.splice(i, 1);
    }
    if (event.type === 'extra' && LATEST_ONLY_EXTRAS.has(event.extra.kind)) {
      const i = this.queue.findIndex((e) => e.type === 'extra' && e.runId === event.runId && e.extra.kind === event.extra.kind);
      if (i >= 0) this.queue.splice(i, 1);
    }
    if (event.type === 'metrics') {
      const last = this.queue.at(-1);
      if (last?.type === 'metrics' && last.runId === event.runId) {
        mergeBatches(last.batches, event.batches);
        this.schedule();
        return;
      }
    }
    this.queue.push(event);
    this.schedule();
  }

  /** Deliver everything queued now (status changes at the end of a run must not wait). */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (!this.sink || this.queue.length === 0) return;
    const events = this.queue;
    this.queue = [];
    this.lastFlush = Date.now();
    this.sink(events);
  }

  private schedule(): void {
    if (this.timer !== null || !this.sink) return;
    const wait = Math.max(0, this.lastFlush + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }
}

/** How often a busy worker says it is alive (the client's watchdog allows tens of seconds of silence; see src/client/watchdog.ts). */
export const HEARTBEAT_EVERY_MS = 1000;

/**
 * Sends `heartbeat` events about once a second while `busy()` names some work. A timer beats while the event loop
 * turns; `touch()`, called whenever the work reports anything (a step, a progress fraction of data loading or an
 * evaluation, an import's progress), beats too when one is due, so code that only awaits already-settled promises
 * (the cpu backend's `data()`) and never lets a timer run still gets heartbeats out: the beat is flushed to the sink
 * synchronously.
 */
export class Heartbeat {
  private timer: ReturnType<typeof setInterval> | null = null;
  private last = 0;

  constructor(
    private readonly events: EventQueue,
    private readonly busy: () => string | null,
    private readonly everyMs = HEARTBEAT_EVERY_MS,
  ) {}

  /** Work started or progressed: keep the timer going while busy, and beat now if the last beat is older than the interval. */
  touch(): void {
    if (this.busy() === null) return this.idle();
    this.timer ??= setInterval(() => this.tick(), this.everyMs);
    if (Date.now() - this.last >= this.everyMs) this.beat();
  }

  private tick(): void {
    if (this.busy() === null) this.idle();
    // a beat from touch() may have just gone out: skip this tick then (timers run a little early or late)
    else if (Date.now() - this.last >= 0.9 * this.everyMs) this.beat();
  }

  private idle(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private beat(): void {
    this.last = Date.now();
    this.events.push({ type: 'heartbeat', at: this.last, busy: this.busy() });
    this.events.flush();
  }
}

function mergeBatches(into: MetricBatch[], from: MetricBatch[]): void {
  for (const b of from) {
    const target = into.find((t) => t.series === b.series);
    if (target) {
      target.steps.push(...b.steps);
      target.values.push(...b.values);
    } else into.push({ series: b.series, steps: [...b.steps], values: [...b.values] });
  }
}
