import { expect, test } from '@playwright/test';
import { TINY_RUN, WorkbenchPage } from './pages/WorkbenchPage';

test('with only a software GPU adapter the engine picks wasm by default, says so, and trains', async ({ page }) => {
  const wb = new WorkbenchPage(page);
  await wb.open({ config: { ...TINY_RUN, steps: 12, evalEvery: 6 } });
  await wb.waitForBackend('wasm');
  await expect(wb.byId('app.adapter')).toContainText('SIMD');
  await expect(wb.byId('app.softwareNotice')).toContainText('webgpu and webgl offer only a software adapter');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

  await wb.byId('run.start').click();
  await expect(wb.status).toHaveText('done', { timeout: 90_000 });
  expect(await wb.step()).toBe(12);
  await expect(wb.byId('run.testAcc')).toHaveText(/^\d+(\.\d)?%$/);
  await wb.expectChartDrawn('chart.loss');
});
