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
    if (event.type === 'progress' || event.type === 'import') {
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

function mergeBatches(into: MetricBatch[], from: MetricBatch[]): void {
  for (const b of from) {
    const target = into.find((t) => t.series === b.series);
    if (target) {
      target.steps.push(...b.steps);
      target.values.push(...b.values);
    } else into.push({ series: b.series, steps: [...b.steps], values: [...b.values] });
  }
}
