import { expect, test } from '@playwright/test';
import { TINY_RUN, WorkbenchPage } from './pages/WorkbenchPage';

test('a tiny VGG-16 run trains live on webgpu: step, loss chart, pause, lr marker, stop', async ({ page }) => {
  const wb = new WorkbenchPage(page);
  await wb.open({ backend: 'webgpu', config: TINY_RUN });
  await wb.waitForBackend('webgpu');
  await expect(wb.byId('hp.width')).toHaveValue('0.0625');
  await expect(wb.byId('hp.batch')).toHaveValue('4');

  await wb.byId('run.start').click();
  await expect(wb.status).toHaveText('running', { timeout: 90_000 });
  const first = await wb.waitForStepAbove(1);
  const pointsBefore = await wb.expectChartDrawn('chart.loss');
  await wb.waitForStepAbove(first + 2);
  await expect.poll(() => wb.chartPoints('chart.loss')).toBeGreaterThan(pointsBefore);

  // Pause holds the counter.
  await wb.byId('run.pause').click();
  await expect(wb.status).toHaveText('paused');
  const held = await wb.step();
  await page.waitForTimeout(2_000);
  expect(await wb.step()).toBe(held);

  // A learning-rate change while paused is applied at the next step and drawn as a marker.
  await wb.setLiveParam('hp.lr', '0.005');
  await wb.byId('run.resume').click();
  await expect(wb.status).toHaveText('running');
  await wb.waitForStepAbove(held + 1);
  await expect(wb.byId('run.hpChanges')).toContainText(`step ${held + 1}: lr 0.02 → 0.005`);
  await expect(wb.markers('chart.loss')).toHaveCount(1);
  await expect(wb.markers('chart.accuracy')).toHaveCount(1);

  // Test accuracy is evaluated every 5 steps.
  await expect(wb.byId('run.testAcc')).toHaveText(/^\d+(\.\d)?%$/, { timeout: 90_000 });

  await wb.byId('run.stop').click();
  await expect(wb.status).toHaveText('stopped');
  const stoppedAt = await wb.step();
  await page.waitForTimeout(1_000);
  expect(await wb.step()).toBe(stoppedAt);
});
