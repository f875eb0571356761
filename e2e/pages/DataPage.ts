import { expect, type Locator, type Page } from '@playwright/test';

/** Page object of the Data tab (dataset manager). */
export class DataPage {
  constructor(readonly page: Page) {}

  byId(id: string): Locator {
    return this.page.getByTestId(id);
  }

  async openTab(): Promise<void> {
    await this.byId('tab.data').click();
    await expect(this.byId('data.list')).toBeVisible({ timeout: 60_000 });
  }

  /** Import in-memory files through the CIFAR file picker. */
  async importFiles(files: { name: string; buffer: Buffer }[]): Promise<void> {
    await this.byId('data.import').setInputFiles(files.map((f) => ({ ...f, mimeType: 'application/octet-stream' })));
  }

  item(name: string): Locator {
    return this.byId('data.item').filter({ has: this.page.getByTestId('data.item.name').getByText(name, { exact: false }) });
  }

  async sampleLabels(): Promise<string[]> {
    return this.byId('data.samples').getByTestId('data.sample.label').allTextContents();
  }

  /** RGB of pixel (x, y) of sample canvas `index`. */
  async samplePixel(index: number, x: number, y: number): Promise<number[]> {
    return this.byId('data.samples')
      .locator('canvas')
      .nth(index)
      .evaluate((c: HTMLCanvasElement, [px, py]) => Array.from(c.getContext('2d')!.getImageData(px!, py!, 1, 1).data.slice(0, 3)), [x, y]);
  }

  /** A row of the segmentation datasets' table whose name contains `name`. */
  segItem(name: string): Locator {
    return this.byId('data.segItem').filter({ has: this.page.getByTestId('data.segItem.name').getByText(name, { exact: false }) });
  }

  /** Import a folder on disk as segmentation pairs, with the label format chosen (or auto-detected). */
  async importSegFolder(dir: string, segFormat = 'auto'): Promise<void> {
    await this.byId('data.import.format').selectOption('segmentation');
    await this.byId('data.import.segFormat').selectOption(segFormat);
    await this.byId('data.import.segFolder').setInputFiles(dir);
  }

  /** RGB of pixel (x, y) of the label-map canvas of segmentation sample `index`. */
  async labelMapPixel(index: number, x: number, y: number): Promise<number[]> {
    return this.byId('data.samples')
      .getByTestId('data.sample.labelMap')
      .nth(index)
      .evaluate((c: HTMLCanvasElement, [px, py]) => Array.from(c.getContext('2d')!.getImageData(px!, py!, 1, 1).data.slice(0, 3)), [x, y]);
  }
}
