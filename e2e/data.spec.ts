import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { CIFAR10_META, cifar10Files, pixel, tarGz } from '../src/engine/data/import/cifar.fixture';
import { encodePng } from './fixtures/png';
import { DataPage } from './pages/DataPage';
import { WorkbenchPage } from './pages/WorkbenchPage';

const TINY = { width: 0.0625, batchSize: 4, steps: 400, evalEvery: 2, lr: 0.02 };

test('CIFAR-10 archive: import, survives a reload, samples with the right labels, a bad file loses nothing, a tiny run trains on it', async ({ page }) => {
  const wb = new WorkbenchPage(page);
  const data = new DataPage(page);
  await wb.open({ backend: 'wasm', config: TINY });
  await wb.waitForBackend('wasm');
  await data.openTab();
  await expect(data.byId('data.item')).toHaveCount(1); // the built-in set

  // 3 records per batch: 15 training and 3 test images, in the exact downloaded byte layout.
  const archive = tarGz('cifar-10-batches-bin', cifar10Files(3, CIFAR10_META));
  const archivePath = join(mkdtempSync(join(tmpdir(), 'cifar-')), 'cifar-10-binary.tar.gz');
  writeFileSync(archivePath, archive);
  await data.byId('data.import').setInputFiles(archivePath);
  const row = data.item('CIFAR-10');
  await expect(row).toBeVisible();
  await expect(row.getByTestId('data.item.train')).toHaveText('15');
  await expect(row.getByTestId('data.item.test')).toHaveText('3');
  await expect(row.getByTestId('data.item.classes')).toHaveText('10');

  await page.reload();
  await data.openTab();
  await expect(data.item('CIFAR-10')).toBeVisible();
  await expect(data.byId('models.storage')).toContainText(/Browser storage: .* used · /);

  // The same archive again: named as a duplicate, and skipping it leaves one copy.
  await data.byId('data.import').setInputFiles(archivePath);
  await expect(data.byId('data.duplicate')).toContainText('cifar-10-binary.tar.gz was already imported the same way as “CIFAR-10');
  await data.byId('data.duplicate.skip').click();
  await expect(data.byId('data.duplicate')).toHaveCount(0);
  await expect(data.byId('data.item')).toHaveCount(2);

  await data.item('CIFAR-10').getByTestId('data.item.show').click();
  // Labels (file*3 + i) % 10 over batches 1..5, shown class by class (polled: the samples arrive from the worker).
  await expect
    .poll(() => data.sampleLabels(), { timeout: 30_000 })
    .toEqual(['airplane', 'automobile', 'bird', 'cat', 'cat', 'deer', 'deer', 'dog', 'dog', 'frog', 'frog', 'horse', 'horse', 'ship', 'truck']);
  // The airplane is record 1 of data_batch_3: its planar bytes must come out as the pixel at (row, col).
  expect(await data.samplePixel(0, 5, 2)).toEqual([0, 1, 2].map((c) => pixel(3, 1, c, 2, 5)));

  // A damaged file: a clear message, and the stored dataset is still there.
  await data.importFiles([{ name: 'test_batch.bin', buffer: Buffer.alloc(3073 * 2 + 17) }]);
  await expect(data.byId('data.error')).toContainText('not a multiple of the 3,073-byte CIFAR-10 record');
  await expect(data.byId('data.item')).toHaveCount(2);

  // Train on it: the Train tab opens with the dataset selected and a tiny run evaluates on it.
  await data.item('CIFAR-10').getByTestId('data.item.use').click();
  await expect(wb.byId('hp.dataset')).toHaveValue(/^ds-/);
  await wb.byId('run.start').click();
  await wb.waitForStepAbove(3);
  await expect(wb.byId('run.testAcc')).toHaveText(/^\d+(\.\d)?%$/);
  await wb.byId('run.stop').click();
  await expect(wb.status).toHaveText('stopped');
});

test('image folder: class subfolders of PNGs are decoded, resized to 32×32 and listed with their classes', async ({ page }) => {
  const root = join(mkdtempSync(join(tmpdir(), 'pdw-')), 'colours');
  const colours: Record<string, [number, number, number]> = { blue: [20, 40, 230], red: [220, 30, 30] };
  for (const [name, rgb] of Object.entries(colours)) {
    mkdirSync(join(root, name), { recursive: true });
    for (let i = 0; i < 5; i++)
      writeFileSync(
        join(root, name, `${i}.png`),
        encodePng(40, 24 + i, () => rgb),
      );
  }
  writeFileSync(join(root, 'notes.txt'), 'not an image');
  const wb = new WorkbenchPage(page);
  const data = new DataPage(page);
  await wb.open({ backend: 'wasm' });
  await wb.waitForBackend('wasm');
  await data.openTab();
  await data.byId('data.importFolder').setInputFiles(root);
  const row = data.item('colours');
  await expect(row).toBeVisible();
  await expect(row.getByTestId('data.item.classes')).toHaveText('2');
  await expect(row.getByTestId('data.item.train')).toHaveText('8');
  await expect(row.getByTestId('data.item.test')).toHaveText('2');
  await row.getByTestId('data.item.show').click();
  await expect.poll(() => data.sampleLabels(), { timeout: 30_000 }).toEqual(['blue', 'blue', 'blue', 'blue', 'red', 'red', 'red', 'red']);
  expect(await data.samplePixel(0, 16, 16)).toEqual(colours.blue);
  expect(await data.samplePixel(7, 31, 31)).toEqual(colours.red);
});

test('a larger import shows its progress bar; deleting a dataset removes it for good', async ({ page }) => {
  const wb = new WorkbenchPage(page);
  const data = new DataPage(page);
  await wb.open({ backend: 'wasm' });
  await wb.waitForBackend('wasm');
  await data.openTab();
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { progressSeen: string[] }).progressSeen = seen;
    new MutationObserver(() => {
      const bar = document.querySelector('[data-testid="data.progress"]');
      if (bar) seen.push(bar.getAttribute('aria-valuenow') ?? '');
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  // 400 records per batch: 2,400 images, 7.4 MB.
  const archive = tarGz('cifar-10-batches-bin', cifar10Files(400));
  await data.importFiles([{ name: 'cifar-10-binary.tar.gz', buffer: Buffer.from(archive) }]);
  await expect(data.item('CIFAR-10')).toBeVisible({ timeout: 60_000 });
  await expect(data.item('CIFAR-10').getByTestId('data.item.train')).toHaveText('2,000');
  const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen.map(Number));
  expect(seen.some((v) => v > 0 && v < 100)).toBe(true);

  page.once('dialog', (d) => void d.accept());
  await data.item('CIFAR-10').getByTestId('data.item.delete').click();
  await expect(data.byId('data.item')).toHaveCount(1);
  await page.reload();
  await data.openTab();
  await expect(data.byId('data.item')).toHaveCount(1);
});
