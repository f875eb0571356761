import { expect, type Download, type Locator, type Page } from '@playwright/test';

/** Page object of the model library (the Data tab's "Models" section). */
export class ModelsPage {
  constructor(readonly page: Page) {}

  byId(id: string): Locator {
    return this.page.getByTestId(id);
  }

  /** The kept (and imported) models' rows: the shipped ones are left out. */
  get rows(): Locator {
    return this.page.locator('[data-testid="models.item"]:not([data-shipped])');
  }

  /** The rows of the models the workbench ships (public/models/). */
  get shippedRows(): Locator {
    return this.page.locator('[data-testid="models.item"][data-shipped]');
  }

  /** Open the Data tab and wait for the library's list (or its empty state). */
  async openTab(): Promise<void> {
    await this.byId('tab.data').click();
    // Both show when only shipped models are listed (the sentence about your own models, then the list).
    await expect(this.byId('models.list').or(this.byId('models.empty')).first()).toBeVisible({ timeout: 60_000 });
  }

  /** The row whose name is exactly `name`. */
  row(name: string): Locator {
    return this.rows.filter({ has: this.page.getByTestId('models.item.name').getByText(name, { exact: true }) });
  }

  async names(): Promise<string[]> {
    return this.rows.getByTestId('models.item.name').allTextContents();
  }

  /** Click `button` and collect the `count` downloads it starts, in the order they start. */
  async downloads(button: Locator, count: number): Promise<Download[]> {
    const got: Download[] = [];
    const take = (d: Download) => got.push(d);
    this.page.on('download', take);
    try {
      await button.click();
      await expect.poll(() => got.length, { timeout: 60_000 }).toBe(count);
    } finally {
      this.page.off('download', take);
    }
    return got;
  }

  /** Rename a row in place: Rename, type, Enter. */
  async rename(row: Locator, name: string): Promise<void> {
    await row.getByTestId('models.item.rename').click();
    const input = row.getByTestId('models.item.name.input');
    await input.fill(name);
    await input.press('Enter');
  }
}
