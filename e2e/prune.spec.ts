import { expect, test } from '@playwright/test';
import { WorkbenchPage } from './pages/WorkbenchPage';

/** A tiny RGSM run: width 1/16, batch 4, a λ1 so large (hard threshold 2) that groups die within a few steps. */
const TINY_RGSM = { width: 0.0625, batchSize: 4, steps: 2000, trainSize: 64, testSize: 16, evalEvery: 5, lr: 0.05, method: 'rgsm', lambda1: 2 };

const percentOf = (text: string | null) => Number(/([\d.]+)%/.exec(text ?? '')?.[1] ?? NaN);
const countOf = (text: string | null) => {
  const m = /([\d.]+)\s*(k|M)?/.exec(text ?? '');
  return m ? Number(m[1]) * (m[2] === 'M' ? 1e6 : m[2] === 'k' ? 1e3 : 1) : NaN;
};

test('Prune lab: RGSM sparsity grows live (total and per layer), a λ1 move is a marker, compaction shrinks the net, the run stays in the table after a reload', async ({
  page,
}) => {
  const wb = new WorkbenchPage(page);
  await page.goto(`/?backend=wasm&lab=prune#${new URLSearchParams(Object.entries(TINY_RGSM).map(([k, v]) => [k, String(v)])).toString()}`);
  await wb.waitForBackend('wasm');
  await expect(wb.byId('prune.method')).toHaveValue('rgsm');
  await expect(wb.byId('prune.threshold')).toHaveText('2');

  await wb.byId('run.start').click();
  await expect(wb.status).toHaveText('running', { timeout: 60_000 });
  await expect.poll(async () => percentOf(await wb.byId('prune.sparsity.total').textContent()), { timeout: 60_000 }).toBeGreaterThan(0);
  const layerValues = async () =>
    await wb
      .byId('prune.sparsity.layers')
      .getByTestId('prune.sparsity.layer')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
  await expect.poll(async () => (await layerValues()).some((v) => v > 0)).toBe(true);
  expect(await layerValues()).toHaveLength(13);

  // Moving λ1 mid-run is applied between two steps and drawn as a marker on the sparsity chart.
  await wb.setLiveParam('hp.lambda1', '3');
  await expect(wb.byId('run.hpChanges')).toContainText('lambda1 2 → 3');
  await expect(wb.markers('chart.sparsity')).toHaveCount(1);
  await expect(wb.byId('prune.accuracy.u')).toHaveText(/^\d+(\.\d)?%$/, { timeout: 60_000 });

  await wb.byId('run.stop').click();
  await expect(wb.status).toHaveText('stopped');
  const params = countOf(await wb.byId('run.params').textContent());
  await wb.byId('prune.compact').click();
  await expect(wb.byId('prune.compact.params')).toBeVisible({ timeout: 60_000 });
  expect(countOf(await wb.byId('prune.compact.params').textContent())).toBeLessThan(params);
  expect(Number(await wb.byId('prune.compact.diff').textContent())).toBeLessThan(1e-3);

  await expect(wb.byId('runs.table').getByTestId('runs.row')).toHaveCount(1);
  await page.reload();
  await expect(wb.byId('runs.table').getByTestId('runs.row')).toHaveCount(1, { timeout: 30_000 });
  await expect(wb.byId('runs.table')).toContainText('RGSM');
});
