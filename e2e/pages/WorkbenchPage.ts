import { expect, type Locator, type Page, type Worker } from '@playwright/test';

/** Settings a test passes through the URL hash (they are the run config). */
export type HashConfig = Record<string, string | number>;

/** Tiny workloads: the software WebGPU adapter is ~100× slower than a laptop GPU. */
export const TINY_RUN: HashConfig = { width: 0.0625, batchSize: 4, steps: 2000, trainSize: 64, testSize: 16, evalEvery: 5, lr: 0.02 };

/** Page object of the workbench shell and the Train lab. */
export class WorkbenchPage {
  constructor(readonly page: Page) {}

  byId(id: string): Locator {
    return this.page.getByTestId(id);
  }

  /** Open a lab's tab (`?lab=`) on a backend with its config in the hash. */
  async openLab(lab: string, opts: { backend?: string; config?: HashConfig } = {}): Promise<void> {
    const query = new URLSearchParams({ ...(opts.backend ? { backend: opts.backend } : {}), lab });
    const hash = opts.config ? `#${new URLSearchParams(Object.entries(opts.config).map(([k, v]) => [k, String(v)])).toString()}` : '';
    await this.page.goto(`/?${query.toString()}${hash}`);
  }

  async open(opts: { backend?: string; config?: HashConfig; rawHash?: string } = {}): Promise<void> {
    const query = opts.backend ? `?backend=${opts.backend}` : '';
    const hash = opts.rawHash ?? (opts.config ? `#${new URLSearchParams(Object.entries(opts.config).map(([k, v]) => [k, String(v)])).toString()}` : '');
    await this.page.goto(`/${query}${hash}`);
  }

  get backend(): Locator {
    return this.byId('app.backend');
  }
  get status(): Locator {
    return this.byId('run.status');
  }

  async waitForBackend(name: string): Promise<void> {
    await expect(this.backend).toHaveText(name, { timeout: 60_000 });
  }

  /** The step counter's current value ("step 12 / 200" → 12). */
  async step(): Promise<number> {
    const text = (await this.byId('run.step').textContent()) ?? '';
    const m = /step (\d+) \/ (\d+)/.exec(text);
    if (!m) throw new Error(`unexpected step text: ${text}`);
    return Number(m[1]);
  }

  async waitForStepAbove(n: number, timeout = 90_000): Promise<number> {
    await expect.poll(() => this.step(), { timeout }).toBeGreaterThan(n);
    return this.step();
  }

  async setLiveParam(id: string, value: string): Promise<void> {
    const input = this.byId(id);
    await input.fill(value);
    await input.press('Enter');
  }

  /**
   * Points drawn in a live chart's first line (MetricChart's `data-points`; the chart is a canvas, see
   * src/ui/components/livePlot.ts for its DOM contract).
   */
  async chartPoints(chartId: string): Promise<number> {
    return Number((await this.byId(chartId).getAttribute('data-points')) ?? 0);
  }

  /** Wait until a live chart shows its canvas and has drawn at least `min` points of its first line. */
  async expectChartDrawn(chartId: string, min = 1): Promise<number> {
    await expect(this.byId(chartId).locator('canvas')).toBeVisible();
    await expect.poll(() => this.chartPoints(chartId), { timeout: 30_000 }).toBeGreaterThanOrEqual(min);
    return this.chartPoints(chartId);
  }

  /** The hyperparameter markers drawn over a live chart (one `[data-marker]` element each). */
  markers(chartId: string): Locator {
    return this.byId(chartId).locator('[data-marker]');
  }
}

/** The engine's Web Worker (its script is the built `engine.worker-*.js`); null before the page started it. */
export function engineWorker(page: Page): Worker | null {
  return page.workers().find((w) => w.url().includes('engine.worker')) ?? null;
}

/**
 * Close the engine worker from inside (`self.close()`): it dies without an `error` event, as a hung or lost worker
 * does. The evaluation may never answer once the worker is gone, so it is not awaited past a second.
 */
export async function closeEngineWorker(page: Page): Promise<void> {
  const w = engineWorker(page);
  if (!w) throw new Error('the engine worker is not running');
  await Promise.race([w.evaluate(() => (self as unknown as { close(): void }).close()).catch(() => undefined), page.waitForTimeout(1_000)]);
}
