import { expect, test, type Page } from '@playwright/test';
import { LEGACY_PRUNE_RUN, LEGACY_SEG_RUN, LEGACY_TRAIN_RUN } from '../src/store/legacyRuns.fixture';
import { WorkbenchPage } from './pages/WorkbenchPage';

/** Write records into an IndexedDB database of the old schema (version 1, store 'runs' keyed by id), in the page. */
async function seed(page: Page, name: string, records: object[]): Promise<void> {
  await page.evaluate(
    ({ name, records }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open(name, 1);
        open.onupgradeneeded = () => open.result.createObjectStore('runs', { keyPath: 'id' });
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('runs', 'readwrite');
          for (const r of records) tx.objectStore('runs').put(r);
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    { name, records },
  );
}

test('runs saved before the one run history (Prune and Train runs, and the Segment lab’s own database) still show in their tables', async ({ page }) => {
  // Any page of the app's origin gives access to its IndexedDB before the workbench opens it.
  await page.goto('/favicon.svg');
  await seed(page, 'pdw-runs', [LEGACY_PRUNE_RUN, LEGACY_TRAIN_RUN]);
  await seed(page, 'pdw-seg-runs', [LEGACY_SEG_RUN]);

  const wb = new WorkbenchPage(page);
  await page.goto('/?backend=cpu&lab=prune');
  await wb.waitForBackend('cpu');
  const rows = wb.byId('runs.table').getByTestId('runs.row');
  await expect(rows).toHaveCount(2, { timeout: 30_000 });
  const prune = wb.byId('runs.table').locator(`[data-id="${LEGACY_PRUNE_RUN.id}"]`);
  await expect(prune.getByTestId('runs.row.method')).toHaveText('RGSM');
  await expect(prune.getByTestId('runs.row.channelSparsity')).toHaveText('45.0%');
  await expect(prune.getByTestId('runs.row.params')).toContainText('→'); // its compaction came along
  await expect(wb.byId('runs.table').locator(`[data-id="${LEGACY_TRAIN_RUN.id}"]`).getByTestId('runs.row.method')).toHaveText('dense');

  await wb.byId('tab.segment').click();
  const seg = wb.byId('seg.runs.table').getByTestId('seg.runs.row');
  await expect(seg).toHaveCount(1, { timeout: 30_000 });
  await expect(seg.first()).toContainText('teacher → student');
  await expect(seg.first().getByTestId('seg.runs.row.miou')).toHaveText('21.0%');
});
