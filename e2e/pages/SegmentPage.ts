import { expect, type Locator, type Page } from '@playwright/test';

/** The Segment lab's five viewer panes, in display order. */
export const SEG_PANES = ['input', 'teacher', 'tutor', 'student-bilinear', 'student-pixelshuffle'] as const;

/** Page object of the Segment lab (settings form, run, charts, viewer). */
export class SegmentPage {
  constructor(readonly page: Page) {}

  byId(id: string): Locator {
    return this.page.getByTestId(id);
  }

  async open(backend = 'wasm'): Promise<void> {
    await this.page.goto(`/?backend=${backend}&lab=segment`);
    await expect(this.byId('app.backend')).toHaveText(backend, { timeout: 60_000 });
  }

  /** Type a number into a settings field and commit it. */
  async setNumber(key: string, value: number): Promise<void> {
    const input = key === 'steps' ? this.byId('seg.steps') : this.byId(`seg.param.${key}`);
    // Evaluation, data and seed settings sit in a collapsed <details>.
    if (!(await input.isVisible())) await this.page.getByText('Evaluation, data, seed').click();
    await input.fill(String(value));
    await input.press('Enter');
    await input.blur();
  }

  /** Set up a tiny student run (batch 2, 16 / 4 images, evaluating every 2 steps) with the given chain, upscaling and steps. */
  async tinyStudent(opts: { chain: string; upscale: string; steps: number }): Promise<void> {
    await this.byId('seg.model').selectOption('student');
    await this.byId('seg.chain').selectOption(opts.chain);
    await this.byId('seg.upscale').selectOption(opts.upscale);
    await this.tinySettings(opts.steps);
  }

  /** Tiny runs: the given steps, batch 2, 16 / 4 images (built-in scenes), evaluating every 2 steps. */
  async tinySettings(steps: number): Promise<void> {
    for (const [k, v] of [
      ['steps', steps],
      ['batchSize', 2],
      ['trainSize', 16],
      ['testSize', 4],
      ['evalEvery', 2],
    ] as const)
      await this.setNumber(k, v);
  }

  pane(name: (typeof SEG_PANES)[number]): Locator {
    return this.byId(`seg.viewer.pane.${name}`);
  }

  /** Points drawn so far on the validation-mIoU chart. */
  async miouPoints(): Promise<number> {
    return Number(await this.byId('seg.miou.chart').getAttribute('data-points'));
  }
}
