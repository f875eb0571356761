import { expect, test } from '@playwright/test';
import { closeEngineWorker, engineWorker, TINY_RUN, WorkbenchPage } from './pages/WorkbenchPage';

/** The watchdog's limit for this test (`?watchdog=<seconds>`, read by src/client/engineClient.ts; 45 s by default). */
const WATCHDOG_S = 5;
/** Steps of each tiny run (about 2 s each on the software WebGPU adapter). */
const STEPS = 15;

test('a worker that dies silently mid-run is restarted by the watchdog: the run is kept as interrupted, a new run finishes', async ({ page }) => {
  test.setTimeout(420_000); // two runs on the software WebGPU adapter of a shared machine
  const wb = new WorkbenchPage(page);
  const hash = new URLSearchParams(Object.entries({ ...TINY_RUN, steps: STEPS }).map(([k, v]) => [k, String(v)])).toString();
  await page.goto(`/?backend=webgpu&watchdog=${WATCHDOG_S}#${hash}`);
  await wb.waitForBackend('webgpu');

  await wb.byId('run.start').click();
  await expect(wb.status).toHaveText('running', { timeout: 90_000 });
  const closedAt = await wb.waitForStepAbove(2);
  expect(closedAt).toBeLessThan(STEPS);
  const dead = engineWorker(page);
  await closeEngineWorker(page);
  const t0 = Date.now();

  // Within the watchdog's time the run is interrupted and the UI says why. That time is the limit or 4 measured steps,
  // whichever is longer (src/client/watchdog.ts, expectationOf): a step takes 2 to 8 s on the software adapter.
  await expect(wb.status).toHaveText('interrupted', { timeout: 90_000 });
  expect(Date.now() - t0).toBeGreaterThanOrEqual((WATCHDOG_S - 1) * 1000); // not before the limit: a silent stretch is allowed
  const notice = page.getByTestId('app.notice').filter({ hasText: 'stopped answering' });
  await expect(notice).toHaveText(
    new RegExp(
      `^The engine stopped answering for \\d+ s during the Train run \\(step \\d+ of ${STEPS}\\) and was restarted; the run is kept as interrupted\\.`,
    ),
  );
  await expect(wb.byId('run.error')).toContainText('stopped answering');
  await expect(page.getByText(/\[object /)).toHaveCount(0);
  const stepAfter = await wb.step();
  expect(stepAfter).toBeGreaterThanOrEqual(closedAt);

  // A fresh worker: Start is enabled again and a new run finishes.
  await wb.waitForBackend('webgpu');
  await expect.poll(() => engineWorker(page) !== null && engineWorker(page) !== dead).toBe(true);
  await expect(wb.byId('run.start')).toBeEnabled();
  await expect(wb.byId('run.stop')).toBeDisabled();
  await wb.setLiveParam('hp.steps', '4'); // a short run: the fresh worker compiles its shaders again
  await wb.byId('run.start').click();
  await expect(wb.status).toHaveText('done', { timeout: 180_000 });
  expect(await wb.step()).toBe(4);
});
