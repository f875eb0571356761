import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { WorkbenchPage } from './pages/WorkbenchPage';

/** A tiny proximal group-Lasso run with far more steps than the test waits for. */
const TINY_GL = { width: 0.0625, batchSize: 4, steps: 2000, trainSize: 64, testSize: 16, evalEvery: 5, lr: 0.02, method: 'gl-prox' };

test('a reload mid-run keeps the run in the table as "interrupted at step N" with its series', async ({ page }) => {
  // The page asks before unloading while a run is active: accept, as a user leaving would.
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.type());
    void d.accept();
  });
  const wb = new WorkbenchPage(page);
  await wb.openLab('prune', { backend: 'wasm', config: TINY_GL });
  await wb.waitForBackend('wasm');
  await expect(wb.byId('runs.empty')).toBeVisible();

  await wb.byId('run.start').click();
  await expect(wb.status).toHaveText('running', { timeout: 60_000 });
  const before = await wb.waitForStepAbove(6);
  await page.reload();

  expect(dialogs).toEqual(['beforeunload']);
  await wb.waitForBackend('wasm');
  await expect(wb.status).toHaveText('idle');
  const row = wb.byId('runs.table').getByTestId('runs.row');
  await expect(row).toHaveCount(1, { timeout: 30_000 });
  const status = row.getByTestId('runs.row.status');
  await expect(status).toHaveText(/^interrupted at step \d+$/);
  const n = Number(/step (\d+)/.exec((await status.textContent()) ?? '')?.[1]);
  // The pagehide checkpoint holds the step reached when the page went (at least the one seen before the reload).
  expect(n).toBeGreaterThanOrEqual(before);
  await expect(status).toHaveAttribute(
    'title',
    /The page was closed or reloaded at step \d+ of 2000\. Weights were not kept; start a new run with the same settings\./,
  );
  await expect(row.getByTestId('runs.row.method')).toHaveText('GL prox');

  // Its series are kept: the JSON download holds the training loss up to step N and the evaluations so far.
  const download = page.waitForEvent('download');
  await row.getByTestId('runs.row.json').click();
  const saved = JSON.parse(await readFile((await (await download).path())!, 'utf8')) as {
    status: string;
    stepsDone: number;
    series: Record<string, { steps: number[]; values: number[] }>;
  };
  expect(saved).toMatchObject({ status: 'interrupted', stepsDone: n });
  const loss = saved.series['train.loss']!;
  expect(loss.steps.length).toBeGreaterThanOrEqual(before);
  expect(loss.steps.at(-1)).toBeLessThanOrEqual(n);
  expect(loss.values.every(Number.isFinite)).toBe(true);
  expect(saved.series['test.acc']?.steps[0]).toBe(5);

  // Nothing is active after the reload: leaving the page again does not ask.
  await page.reload();
  await expect(wb.byId('runs.table').getByTestId('runs.row')).toHaveCount(1, { timeout: 30_000 });
  expect(dialogs).toEqual(['beforeunload']);
});
