import { expect, type Locator, type Page } from '@playwright/test';

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

  /** Number of drawn points of the first line in a chart (recharts path commands). */
  lineCurve(chartId: string): Locator {
    return this.byId(chartId).locator('.recharts-line-curve').first();
  }

  markers(chartId: string): Locator {
    return this.byId(chartId).locator('.recharts-reference-line');
  }
}
