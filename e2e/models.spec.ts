import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import * as ort from 'onnxruntime-web';
import { ModelsPage } from './pages/ModelsPage';
import { TINY_RUN, WorkbenchPage } from './pages/WorkbenchPage';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

test('a finished Train run keeps its model: listed, exported to ONNX that ONNX Runtime runs, downloaded, imported back, renamed, deleted, kept over a reload', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  const wb = new WorkbenchPage(page);
  const lib = new ModelsPage(page);
  await wb.open({ backend: 'wasm', config: { ...TINY_RUN, steps: 6, evalEvery: 3 } });
  await wb.waitForBackend('wasm');

  await lib.openTab();
  await expect(lib.byId('models.empty')).toContainText('Every finished run');
  await wb.byId('tab.train').click();
  await wb.byId('run.start').click();
  await expect(wb.status).toHaveText('done', { timeout: 120_000 });

  // The run's model is listed on the Data tab with its lab, architecture and test accuracy.
  await lib.openTab();
  await expect(lib.rows).toHaveCount(1, { timeout: 30_000 });
  const trained = lib.rows.first();
  const trainedName = (await trained.getByTestId('models.item.name').textContent()) ?? '';
  expect(trainedName).toContain('vgg16');
  await expect(trained.getByTestId('models.item.lab')).toHaveText('Train');
  await expect(trained.getByTestId('models.item.arch')).toContainText('VGG-16');
  await expect(trained.getByTestId('models.item.metric')).toHaveText(/^\d+(\.\d)?%$/);
  await expect(trained.getByTestId('models.item.params')).toHaveText(/^\d+(\.\d+)? (k|M)$/);
  await expect(trained.getByTestId('models.item.dataset')).not.toBeEmpty();

  // ONNX: one .onnx file that ONNX Runtime (in Node) loads and runs on a random NCHW image.
  const [onnx] = await lib.downloads(trained.getByTestId('models.item.onnx'), 1);
  expect(onnx!.suggestedFilename()).toMatch(/\.onnx$/);
  const onnxPath = testInfo.outputPath(onnx!.suggestedFilename());
  await onnx!.saveAs(onnxPath);
  const session = await ort.InferenceSession.create(readFileSync(onnxPath));
  const x = new ort.Tensor(
    'float32',
    Float32Array.from({ length: 3 * 32 * 32 }, () => Math.random() * 2 - 1),
    [1, 3, 32, 32],
  );
  const out = await session.run({ [session.inputNames[0]!]: x });
  const logits = out[session.outputNames[0]!]!;
  expect(logits.dims).toEqual([1, 10]);
  expect(Array.from(logits.data as Float32Array).every(Number.isFinite)).toBe(true);
  await session.release();

  // The workbench's files: <name>.json and <name>.bin, imported back as a second row.
  const files = await lib.downloads(trained.getByTestId('models.item.files'), 2);
  const byExt = (ext: string) => files.find((d) => d.suggestedFilename().endsWith(ext))!;
  const jsonPath = testInfo.outputPath(byExt('.json').suggestedFilename());
  const binPath = testInfo.outputPath(byExt('.bin').suggestedFilename());
  await byExt('.json').saveAs(jsonPath);
  await byExt('.bin').saveAs(binPath);
  await lib.byId('models.import').setInputFiles([jsonPath, binPath]);
  await expect(lib.rows).toHaveCount(2);
  await expect(lib.byId('models.import.done')).toContainText(trainedName);
  await expect(lib.byId('models.storage')).toContainText('Browser storage');
  const imported = lib.rows.first(); // newest first
  await expect(imported.getByTestId('models.item.name')).toHaveText(trainedName);
  await expect(imported.getByTestId('models.item.metric')).toHaveText((await trained.getByTestId('models.item.metric').textContent()) ?? '');

  // Rename in place: Escape cancels, an empty name is refused with a sentence, Enter saves.
  await imported.getByTestId('models.item.rename').click();
  await imported.getByTestId('models.item.name.input').fill('never saved');
  await imported.getByTestId('models.item.name.input').press('Escape');
  await expect(imported.getByTestId('models.item.name')).toHaveText(trainedName);
  await lib.rename(imported, '   ');
  await expect(imported.getByTestId('models.item.rename.error')).toHaveText(/^A model name needs 1 to 120 characters/);
  await imported.getByTestId('models.item.name.input').fill('imported copy');
  await imported.getByTestId('models.item.name.input').press('Enter');
  await expect(lib.row('imported copy')).toHaveCount(1);
  expect(await lib.names()).toEqual(['imported copy', trainedName]);

  // A truncated .bin is refused with a sentence, and the list stays as it was.
  const cut = testInfo.outputPath('truncated.bin');
  const weights = readFileSync(binPath);
  writeFileSync(cut, weights.subarray(0, weights.length - 8));
  await lib.byId('models.import').setInputFiles([jsonPath, cut]);
  await expect(lib.byId('models.import.error')).toContainText(`truncated.bin has ${weights.length - 8} bytes`);
  expect(await lib.names()).toEqual(['imported copy', trainedName]);

  // Delete asks in its row first; Keep keeps, Delete removes the row.
  const original = lib.row(trainedName);
  await original.getByTestId('models.item.delete').click();
  await original.getByTestId('models.item.delete.cancel').click();
  await expect(lib.rows).toHaveCount(2);
  await original.getByTestId('models.item.delete').click();
  await original.getByTestId('models.item.delete.confirm').click();
  await expect(lib.rows).toHaveCount(1);
  expect(await lib.names()).toEqual(['imported copy']);

  // After a reload the library (IndexedDB) still lists the renamed model.
  await page.reload();
  await wb.waitForBackend('wasm');
  await lib.openTab();
  await expect(lib.rows).toHaveCount(1);
  expect(await lib.names()).toEqual(['imported copy']);
  await expect(lib.rows.first().getByTestId('models.item.lab')).toHaveText('Train');
});
