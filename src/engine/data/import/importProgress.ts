/** Progress, cancellation and event-loop yields for an import that reads bytes in chunks. */
import { ImportError } from './importError';

/** Bytes processed between two yields to the event loop (keeps a worker responsive to messages). */
const YIELD_EVERY = 4 << 20;
/** Smallest change of the fraction worth reporting. */
const STEP = 0.01;

const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Counts bytes read against `total` (0 = unknown), reports fractions below 1, yields, and honours an AbortSignal. */
export class ImportProgress {
  private done = 0;
  private reported = -1;
  private sinceYield = 0;

  constructor(
    private readonly total: number,
    private readonly onProgress?: (fraction: number) => void,
    private readonly signal?: AbortSignal,
  ) {}

  /** Count `bytes` more; every few MB, yield to the event loop. Throws ImportError('aborted') once aborted. */
  async add(bytes: number): Promise<void> {
    this.checkAborted();
    this.done += bytes;
    if (this.onProgress && this.total > 0) {
      const fraction = Math.min(0.99, this.done / this.total); // 1 only when the dataset is complete
      if (fraction - this.reported >= STEP) {
        this.reported = fraction;
        this.onProgress(fraction);
      }
    }
    this.sinceYield += bytes;
    if (this.sinceYield >= YIELD_EVERY) {
      this.sinceYield = 0;
      await pause();
      this.checkAborted();
    }
  }

  private checkAborted(): void {
    if (this.signal?.aborted) throw new ImportError('aborted', 'The import was cancelled.');
  }
}
