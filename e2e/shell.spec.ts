import { expect, test } from '@playwright/test';
import { WorkbenchPage } from './pages/WorkbenchPage';

test('the header reports the adapter and warns about a software fallback', async ({ page }) => {
  const wb = new WorkbenchPage(page);
  await wb.open({ backend: 'webgpu' });
  await wb.waitForBackend('webgpu');
  await expect(wb.byId('app.adapter')).toContainText('swiftshader');
  await expect(wb.byId('app.softwareNotice')).toContainText('training will be slow');
});

test('a hand-edited link with bad values is corrected with a visible message', async ({ page }) => {
  const wb = new WorkbenchPage(page);
  await wb.open({ backend: 'cpu', rawHash: '#lr=banana&steps=-5&width=3&batchSize=8' });
  await wb.waitForBackend('cpu');
  const notices = wb.byId('app.notice');
  await expect(notices.filter({ hasText: 'Learning rate (lr): "banana" is not a number' })).toHaveCount(1);
  await expect(notices.filter({ hasText: 'Training steps (steps): -5 is outside' })).toHaveCount(1);
  await expect(wb.byId('hp.steps')).toHaveValue('1');
  await expect(wb.byId('hp.width')).toHaveValue('1');
  await expect(wb.byId('hp.batch')).toHaveValue('8');
  // The corrected config is written back to the link.
  await expect.poll(() => page.evaluate(() => location.hash)).toContain('steps=1');
});

test('a link never changes a value silently: widths not offered, fractional counts and unknown backends are named', async ({ page }) => {
  const wb = new WorkbenchPage(page);
  await page.goto('/?backend=nonsense#width=7&steps=1.5&batchSize=8');
  const notices = wb.byId('app.notice');
  await expect(notices.filter({ hasText: '?backend=nonsense is not a backend (auto, webgpu, webgl, wasm, cpu)' })).toHaveCount(1);
  await expect(notices.filter({ hasText: 'Width multiplier (width): 7 is not offered (1/16, 1/8, 1/4, 1/2, 1); using 1.' })).toHaveCount(1);
  await expect(notices.filter({ hasText: 'Training steps (steps): 1.5 is not a whole number; rounded to 2.' })).toHaveCount(1);
  await expect(wb.byId('hp.steps')).toHaveValue('2');
});

test('an out-of-range value typed mid-run is refused inline and the run goes on', async ({ page }) => {
  const wb = new WorkbenchPage(page);
  await wb.open({ backend: 'cpu', config: { width: 0.0625, batchSize: 4, steps: 500, trainSize: 64, testSize: 16, evalEvery: 50 } });
  await wb.waitForBackend('cpu');
  await wb.byId('run.start').click();
  const s = await wb.waitForStepAbove(0);
  await wb.setLiveParam('hp.momentum', '1.5');
  await expect(page.getByRole('alert').filter({ hasText: 'clamped to 0.99' })).toBeVisible();
  await expect(wb.byId('hp.momentum')).toHaveValue('0.99');
  // The message stays when the field loses focus; it goes when the value changes.
  await wb.byId('hp.lr').focus();
  await expect(page.getByRole('alert').filter({ hasText: 'clamped to 0.99' })).toBeVisible();
  await wb.setLiveParam('hp.momentum', '0.8');
  await expect(page.getByRole('alert').filter({ hasText: 'clamped to 0.99' })).toHaveCount(0);
  await wb.waitForStepAbove(s + 1);
  await expect(wb.status).toHaveText('running');
  await wb.byId('run.stop').click();
  await expect(wb.status).toHaveText('stopped');
});

test('forcing a backend in the settings re-initialises the engine', async ({ page }) => {
  const wb = new WorkbenchPage(page);
  await wb.open({ backend: 'webgpu' });
  await wb.waitForBackend('webgpu');
  await wb.byId('settings.backend').selectOption('cpu');
  await wb.waitForBackend('cpu');
  await expect.poll(() => page.evaluate(() => location.search)).toBe('?backend=cpu');
});
