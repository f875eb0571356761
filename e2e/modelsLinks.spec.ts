import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { ModelsPage } from './pages/ModelsPage';
import { TINY_RUN, WorkbenchPage } from './pages/WorkbenchPage';

test('shipped models are listed (not renamable or deletable), go into the Segment zoo / viewer and the Affinity teacher slot', async ({ page }) => {
  test.setTimeout(180_000);
  const wb = new WorkbenchPage(page);
  const lib = new ModelsPage(page);
  await wb.open({ backend: 'wasm' });
  await wb.waitForBackend('wasm');
  await lib.openTab();

  // The Segment and Affinity models (5), and the 2 Detect detectors once `npm run pretrain:detect` has written them.
  const detectors = ['transformer', 'conv'].filter((s) => existsSync(`public/models/detect/${s}.json`)).length;
  await expect(lib.shippedRows).toHaveCount(5 + detectors, { timeout: 60_000 });
  await expect(lib.byId('models.empty')).toContainText('The models the workbench ships are listed below.');
  const teacher = lib.shippedRows.filter({ hasText: 'Shipped Affinity teacher' });
  await expect(teacher.getByTestId('models.item.shipped')).toHaveText('shipped');
  await expect(teacher.getByTestId('models.item.rename')).toHaveCount(0);
  await expect(teacher.getByTestId('models.item.delete')).toHaveCount(0);
  await expect(teacher.getByTestId('models.item.onnx')).toBeEnabled();

  // "Use as teacher": the Affinity lab's teacher slot holds it.
  await teacher.getByTestId('models.item.use').click();
  await expect(lib.byId('models.done')).toContainText("is now the Affinity lab's teacher");
  await wb.byId('tab.affinity').click();
  await expect(wb.byId('affinity.teacher')).toContainText('shipped');
  await wb.byId('tab.data').click();

  // "Use in the zoo" stays on the Data tab; "Open in viewer" opens the Segment lab on its viewer at the model's size.
  const student = lib.shippedRows.filter({ hasText: 'Shipped student-pixelshuffle (low size)' });
  await student.getByTestId('models.item.use').click();
  await expect(lib.byId('models.done')).toContainText('is now in the Segment zoo (student-pixelshuffle slot, 64×128 input)');
  await student.getByTestId('models.item.view').click();
  await expect(wb.byId('tab.segment')).toHaveAttribute('aria-selected', 'true', { timeout: 30_000 });
  await expect(wb.byId('seg.viewer')).toBeInViewport({ timeout: 30_000 });
  const zooRow = page.locator('[data-testid="seg.zoo.row"][data-slot="student-pixelshuffle"]');
  await expect(zooRow.getByTestId('seg.zoo.origin')).toHaveText('shipped', { timeout: 60_000 });
  // The slot menu lists the shipped model once, as "shipped" (not again as a library entry).
  await expect(zooRow.getByTestId('seg.zoo.pick').locator('option', { hasText: /^Shipped / })).toHaveCount(0);
});

test('a run’s "model →" link opens its library row; "Open in Prune" evaluates it; a deleted model leaves no link', async ({ page }) => {
  test.setTimeout(300_000);
  const wb = new WorkbenchPage(page);
  const lib = new ModelsPage(page);
  await wb.open({ backend: 'wasm', config: { ...TINY_RUN, steps: 6, evalEvery: 3 } });
  await wb.waitForBackend('wasm');
  await wb.byId('tab.train').click();
  await wb.byId('run.start').click();
  await expect(wb.status).toHaveText('done', { timeout: 120_000 });

  await wb.byId('tab.prune').click();
  const run = wb.byId('runs.row').first();
  await expect(run.getByTestId('runs.row.model')).toBeVisible({ timeout: 30_000 });
  await run.getByTestId('runs.row.model').click();
  await expect(wb.byId('tab.data')).toHaveAttribute('aria-selected', 'true');
  const row = lib.rows.first();
  await expect(row).toHaveAttribute('data-focused', 'true');
  await expect(row).toBeInViewport();
  await expect(row.getByTestId('models.item.lab')).toHaveText('Train');

  // "Open in Prune": the Prune lab's "Load a model" panel evaluates it on the dataset selected there.
  await row.getByTestId('models.item.prune').click();
  await expect(wb.byId('tab.prune')).toHaveAttribute('aria-selected', 'true');
  await expect(wb.byId('prune.load.report')).toContainText('params', { timeout: 120_000 });
  await expect(wb.byId('prune.load.accuracy')).toHaveText(/^\d+(\.\d)?%$/);

  // Deleted from the library: the run keeps no link.
  await lib.openTab();
  await lib.rows.first().getByTestId('models.item.delete').click();
  await lib.rows.first().getByTestId('models.item.delete.confirm').click();
  await expect(lib.rows).toHaveCount(0);
  await wb.byId('tab.prune').click();
  await expect(wb.byId('runs.row').first()).toBeVisible();
  await expect(wb.byId('runs.row.model')).toHaveCount(0);
});
