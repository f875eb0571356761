/**
 * Engine events on their way to the store, through an optional gate: `gate(release)` calls `release` now or later
 * (the page holds events while a slider is dragged, so the drag's frames carry no store update). Batches that arrive
 * while one is held wait behind it in order and reach the sink together, once.
 */
export class EventGate<E> {
  private gate: ((release: () => void) => void) | null = null;
  private held: E[] = [];
  /** Whether a release is scheduled through the gate. */
  private waiting = false;

  constructor(private readonly sink: (events: E[]) => void) {}

  /** Set or remove the gate; removing it hands over whatever is held at once. */
  setGate(gate: ((release: () => void) => void) | null): void {
    this.gate = gate;
    if (!gate) this.release();
  }

  deliver(events: readonly E[]): void {
    for (const e of events) this.held.push(e);
    if (this.waiting) return;
    if (!this.gate) return this.release();
    this.waiting = true;
    this.gate(this.release);
  }

  /** Hand everything held to the sink now (a scheduled release later finds nothing). */
  readonly release = (): void => {
    this.waiting = false;
    const events = this.held;
    this.held = [];
    if (events.length) this.sink(events);
  };
}
