import { expect, test, type Locator } from '@playwright/test';
import { WorkbenchPage } from './pages/WorkbenchPage';

/** A tiny teacher: width 1/16, batch 4, 4 steps, evaluations every 2 steps. */
const TINY_TEACHER = { role: 'teacher', width: 0.0625, batchSize: 4, steps: 4, evalEvery: 2, trainSize: 64, testSize: 16, shadowEvery: 1 };

/** A data URL of a canvas inside a figure (to tell two drawings apart). */
const drawing = (figure: Locator) => figure.locator('canvas').evaluate((c: HTMLCanvasElement) => c.toDataURL());
/** Distinct colours on a canvas (1 = blank or flat). */
const colours = (figure: Locator) =>
  figure.locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
    return seen.size;
  });

test('Affinity lab: a tiny teacher fills the slot, an FFA student advances the affinity-loss chart, a k move is a marker, the heatmaps and row maps draw', async ({
  page,
}) => {
  const wb = new WorkbenchPage(page);
  await page.goto(`/?backend=wasm&lab=affinity#${new URLSearchParams(Object.entries(TINY_TEACHER).map(([k, v]) => [k, String(v)])).toString()}`);
  await wb.waitForBackend('wasm');
  await expect(wb.byId('affinity.role')).toHaveValue('teacher');

  await wb.byId('affinity.start').click();
  await expect(wb.byId('affinity.status')).toHaveText('done', { timeout: 120_000 });
  await expect(wb.byId('affinity.teacher')).toContainText('trained here');

  // The student distils from it with FFA (the default loss), long enough to move k mid-run.
  await wb.byId('affinity.role').selectOption('student');
  await expect(wb.byId('affinity.lossType')).toHaveValue('ffa');
  await wb.setLiveParam('hp.steps', '2000');
  await wb.byId('affinity.start').click();
  await expect(wb.byId('affinity.status')).toHaveText('running', { timeout: 60_000 });
  const points = async () => Number(await wb.byId('affinity.loss').getAttribute('data-points'));
  await expect.poll(points, { timeout: 90_000 }).toBeGreaterThanOrEqual(2);
  const before = await points();
  await expect.poll(points, { timeout: 90_000 }).toBeGreaterThan(before);

  await wb.setLiveParam('hp.k', '31');
  await expect(wb.byId('affinity.hpChanges')).toContainText('k 15 → 31');
  await expect(wb.markers('chart.affinity.stages')).toHaveCount(1);
  await expect(wb.byId('affinity.accuracy')).toHaveText(/^\d+(\.\d)?%$/, { timeout: 90_000 });

  // The three affinity heatmaps are drawn (not blank), and clicking another pixel of the image changes both row maps.
  // (Each canvas draws in a task of its own after its render, so the checks poll.)
  for (const id of ['affinity.heatmap.teacher', 'affinity.heatmap.student', 'affinity.heatmap.diff', 'affinity.row.teacher', 'affinity.row.student']) {
    await expect(wb.byId(id).locator('canvas')).toBeVisible({ timeout: 90_000 });
    await expect.poll(() => colours(wb.byId(id))).toBeGreaterThan(id.includes('.row.') ? 1 : 4);
  }
  const rowT = await drawing(wb.byId('affinity.row.teacher'));
  const rowS = await drawing(wb.byId('affinity.row.student'));
  await wb
    .byId('affinity.image')
    .locator('canvas')
    .click({ position: { x: 120, y: 90 } });
  await expect.poll(() => drawing(wb.byId('affinity.row.teacher'))).not.toBe(rowT);
  await expect.poll(() => drawing(wb.byId('affinity.row.student'))).not.toBe(rowS);

  await wb.byId('affinity.stop').click();
  await expect(wb.byId('affinity.status')).toHaveText('stopped');

  // Another test image: the heatmaps are redrawn for it.
  const heatT = await drawing(wb.byId('affinity.heatmap.teacher'));
  await wb.byId('affinity.imageIndex').fill('4');
  await wb.byId('affinity.imageIndex').press('Enter');
  await expect.poll(() => drawing(wb.byId('affinity.heatmap.teacher'))).not.toBe(heatT);
  await expect(wb.byId('affinity.runs.table').getByTestId('affinity.runs.row')).toHaveCount(2);

  // The estimator panel studies FFA on the stopped student's features.
  await wb.byId('affinity.estimator.run').click();
  await expect(wb.byId('affinity.estimator')).toContainText('Exact FA₂ =', { timeout: 90_000 });
  await expect(wb.byId('affinity.estimator').locator('.recharts-line-curve')).not.toHaveCount(0);
});
