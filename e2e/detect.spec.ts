import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';

/** A tiny transformer-encoder detector: width 1/4, d 32, one encoder and one decoder layer, 4 queries, 4 steps of batch 2. */
const TINY = {
  encoder: 'transformer',
  width: 0.25,
  d: 32,
  encoderLayers: 1,
  decoderLayers: 1,
  queries: 4,
  batchSize: 2,
  steps: 4,
  trainSize: 8,
  testSize: 4,
  evalEvery: 2,
  pretrainedBackbone: 'false', // width 0.25: the shipped backbone is width 0.5
};

/**
 * The shipped detectors (npm run pretrain:detect writes transformer.json / conv.json and their .bin into public/models/detect/,
 * which the build copies). Each model pane's checks switch from "says why it is empty" to "draws boxes" once its files exist.
 */
const SHIPPED_DIR = join(process.cwd(), 'public', 'models', 'detect');
const shippedFiles = existsSync(SHIPPED_DIR) ? readdirSync(SHIPPED_DIR).filter((f) => f.endsWith('.json')) : [];
const SHIPPED = {
  transformer: shippedFiles.includes('transformer.json'),
  conv: shippedFiles.includes('conv.json'),
};

const byId = (page: Page, id: string) => page.getByTestId(id);
const pane = (page: Page, name: 'truth' | 'transformer' | 'conv') => byId(page, `detect.viewer.pane.${name}`);
/** The number of boxes a pane says it drew. */
const boxCount = async (p: Locator) => Number(await p.getByTestId('detect.viewer.boxes').textContent());

async function open(page: Page, config?: Record<string, string | number>) {
  const hash = config ? `#${new URLSearchParams(Object.entries(config).map(([k, v]) => [k, String(v)])).toString()}` : '';
  await page.goto(`/?backend=wasm&lab=detect${hash}`);
  await expect(byId(page, 'app.backend')).toHaveText('wasm', { timeout: 60_000 });
}

/** Each model pane: boxes and a count once its shipped detector exists, else the sentence saying why it is empty. */
async function expectModelPanes(page: Page, { someBoxes }: { someBoxes: boolean }) {
  for (const slot of ['transformer', 'conv'] as const) {
    const p = pane(page, slot);
    await expect(p).toBeVisible({ timeout: 60_000 });
    if (SHIPPED[slot]) {
      // With shipped weights: the detector draws its boxes and says how many, with its inference time.
      await expect(p.getByTestId('detect.viewer.boxes')).toHaveText(/^\d+$/, { timeout: 90_000 });
      if (someBoxes) expect(await boxCount(p)).toBeGreaterThan(0);
      await expect(p.getByTestId(`detect.viewer.ms.${slot}`)).toHaveText(/ms$/);
    } else {
      // Until public/models/detect/ holds this slot's detector, the pane says why it is empty (this branch then stops running).
      await expect(p.getByTestId(`detect.viewer.missing.${slot}`)).toContainText(
        slot === 'transformer' ? 'train one with the Transformer encoder' : 'train one',
        {
          timeout: 90_000,
        },
      );
    }
  }
}

test('Detect lab: a tiny training run advances the loss chart and lands in the runs table', async ({ page }) => {
  await open(page, TINY);
  await expect(byId(page, 'detect.encoder')).toHaveValue('transformer');
  await expect(byId(page, 'detect.d')).toHaveValue('32');
  const points = async () => Number(await byId(page, 'detect.loss').getAttribute('data-points'));
  expect(await points()).toBe(0);

  await byId(page, 'detect.start').click();
  await expect.poll(points, { timeout: 120_000 }).toBeGreaterThanOrEqual(1);
  await expect(byId(page, 'detect.status')).toHaveText('done', { timeout: 150_000 });
  await expect.poll(points, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  // One line per loss term of the single decoder layer, drawn.
  await expect(byId(page, 'chart.detect.loss')).toContainText('GIoU layer 1 (output)');
  await expect(byId(page, 'chart.detect.loss')).toHaveAttribute('data-series', '3');
  await expect(byId(page, 'detect.ap')).toHaveText(/^\d+(\.\d)?%$/);
  await expect(byId(page, 'detect.preview').getByTestId('detect.preview.image')).not.toHaveCount(0);
  // The best-F1 threshold is suggested under the slider exactly when the evaluation found a true positive (AP@0.5 > 0).
  const ap50 = Number((await byId(page, 'detect.ap').innerText()).replace('%', ''));
  const suggested = byId(page, 'detect.threshold.suggested');
  if (ap50 > 0) {
    await expect(suggested).toContainText(/best F1 \(\d+(\.\d)? %\) at 0\.\d\d\./);
    const v = /at (0\.\d\d)\./.exec(await suggested.innerText())![1]!;
    await byId(page, 'detect.threshold.useSuggested').click();
    await expect.poll(async () => Math.abs(Number(await byId(page, 'detect.threshold').inputValue()) - Number(v))).toBeLessThanOrEqual(0.005);
    await expect(suggested).toContainText('The slider is there.');
  } else await expect(suggested).toHaveCount(0);

  const rows = byId(page, 'detect.runs.table').getByTestId('detect.runs.row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByTestId('detect.runs.row.encoder')).toHaveText('transformer L1');
  await expect(rows.first().getByTestId('detect.runs.row.ap50')).toHaveText(/^\d+(\.\d)?%$/);
  await expect(rows.first()).toContainText('4 / 4');

  // Without a shipped transformer-encoder detector, the zoo takes this run's one: the viewer's pane runs it on the scene.
  // (With shipped weights the zoo keeps the better shipped one, and the viewer test below covers the pane.)
  if (!SHIPPED.transformer) {
    const p = pane(page, 'transformer');
    await expect(p.getByTestId('detect.viewer.info.transformer')).toContainText('trained here', { timeout: 60_000 });
    await byId(page, 'detect.viewer.threshold').fill('0.05'); // filters client-side: no new detection
    await expect(p.getByTestId('detect.viewer.boxes')).toHaveText(/^[1-4]$/, { timeout: 60_000 });
    await expect(p.getByTestId('detect.viewer.ms.transformer')).toHaveText(/ms$/);
    // Hovering a box shows its query's cross-attention over the photo.
    await p.locator('.detect-box-pred rect').first().hover({ force: true });
    await expect(p.getByTestId('detect.viewer.hover.transformer')).toContainText('cross-attention of the last decoder layer over the 4×8 map');
    await expect(p.locator('canvas.detect-heat')).toHaveCount(1);
    await byId(page, 'detect.viewer.threshold').fill('0.99');
    await expect(p.getByTestId('detect.viewer.boxes')).toHaveText(/^[0-4]$/);
  }

  // The cost panel: params and MACs of every encoder kind at this architecture, then measured latency on wasm.
  await expect(byId(page, 'detect.cost.table').getByTestId('detect.cost.row')).toHaveCount(4);
  await expect(byId(page, 'detect.cost.backend')).toHaveText('backend wasm');
  await byId(page, 'detect.cost.measure').click();
  await expect(byId(page, 'detect.cost.latency').first()).toHaveText(/ms$/, { timeout: 120_000 });
});

test('Detect lab: fine-tuning the shipped detector suggests its best-F1 threshold, and "Use" moves the slider there', async ({ page }) => {
  test.skip(!SHIPPED.transformer, 'needs the shipped transformer-encoder detector (npm run pretrain:detect)');
  // The shipped architecture is the form's default; one step of batch 2, then an evaluation on 8 classic validation scenes,
  // where the shipped detector finds some people, so a best-F1 threshold exists.
  await open(page, { fineTune: 'true', steps: 1, batchSize: 2, trainSize: 8, testSize: 8, evalEvery: 1 });
  await expect(byId(page, 'detect.fineTune')).toBeChecked();
  // The form warns before the run when it is built otherwise than the pane's detector (dwconv against the conv pane's conv).
  await byId(page, 'detect.encoder').selectOption('dwconv');
  await expect(byId(page, 'detect.fineTune.warning')).toContainText('encoder dwconv in the form, conv in the detector', { timeout: 60_000 });
  await byId(page, 'detect.encoder').selectOption('transformer');
  await expect(byId(page, 'detect.fineTune.warning')).toHaveCount(0);
  await byId(page, 'detect.start').click();
  await expect(byId(page, 'detect.status')).toHaveText('done', { timeout: 150_000 });
  const ap50 = Number((await byId(page, 'detect.ap').innerText()).replace('%', ''));
  expect(ap50).toBeGreaterThan(0);
  const suggested = byId(page, 'detect.threshold.suggested');
  await expect(suggested).toContainText(/best F1 \(\d+(\.\d)? %\) at 0\.\d\d\./);
  const v = Number(/at (0\.\d\d)\./.exec(await suggested.innerText())![1]!);
  expect(Math.abs(Number(await byId(page, 'detect.threshold').inputValue()) - v)).toBeGreaterThan(0.005); // the default 0.5 is not it
  await byId(page, 'detect.threshold.useSuggested').click();
  await expect.poll(async () => Math.abs(Number(await byId(page, 'detect.threshold').inputValue()) - v)).toBeLessThanOrEqual(0.005);
  await expect(suggested).toContainText('The slider is there.');
  // The run's detector counts the shipped one's steps on.
  await expect(byId(page, 'detect.runs.table').getByTestId('detect.runs.row')).toHaveCount(1);
});

test('Detect viewer: an uploaded photo of another size is letterboxed and gets a box count in both detector panes', async ({ page }) => {
  await open(page);
  // First visit: a built-in scene with its true boxes is shown at once; take one with people in it.
  await expect(pane(page, 'truth')).toBeVisible({ timeout: 60_000 });
  for (let i = 1; i < 8 && (await boxCount(pane(page, 'truth'))) === 0; i++) {
    await byId(page, 'detect.viewer.scene').selectOption(`classic:${i}`);
    await expect(pane(page, 'truth')).toHaveAttribute('data-source', `scene-${i}`);
  }
  expect(await boxCount(pane(page, 'truth'))).toBeGreaterThan(0);
  await expectModelPanes(page, { someBoxes: false });

  // The "photo": that scene's pixels upscaled to 512×256 and saved as a PNG, uploaded like any photo (no true boxes).
  const png = await pane(page, 'truth')
    .locator('canvas')
    .first()
    .evaluate(async (c: HTMLCanvasElement) => {
      const big = document.createElement('canvas');
      big.width = 512;
      big.height = 256;
      big.getContext('2d')!.drawImage(c, 0, 0, 512, 256);
      const blob = await new Promise<Blob>((resolve) => big.toBlob((b) => resolve(b!), 'image/png'));
      return Array.from(new Uint8Array(await blob.arrayBuffer()));
    });
  await byId(page, 'detect.viewer.upload').setInputFiles({ name: 'street-photo.png', mimeType: 'image/png', buffer: Buffer.from(png) });
  await expect(byId(page, 'detect.viewer.fit')).toHaveText('street-photo.png: 512×256 pixels (width × height), letterboxed to 256×128.');
  await expect(pane(page, 'truth')).toHaveCount(0); // an upload has no true boxes
  // Without any detector the letterboxed photo is still shown, in a plain pane; with detectors their panes show it.
  await expect(byId(page, 'detect.viewer.pane.photo')).toHaveCount(SHIPPED.transformer || SHIPPED.conv ? 0 : 1);
  // The people of the scene are found again in the photo by both shipped detectors, each at its own suggested threshold.
  await expectModelPanes(page, { someBoxes: true });
  for (const slot of ['transformer', 'conv'] as const) {
    if (SHIPPED[slot]) await expect(byId(page, `detect.viewer.threshold.${slot}`)).toHaveText(/^0\.\d\d \(its best F1 on validation, \d+(\.\d)?%\)$/);
  }
  // Moving the slider sets one threshold for both panes and unticks "own".
  await byId(page, 'detect.viewer.threshold').fill('0.3');
  await expect(byId(page, 'detect.viewer.ownThreshold')).not.toBeChecked();
  for (const slot of ['transformer', 'conv'] as const) {
    if (SHIPPED[slot]) await expect(byId(page, `detect.viewer.threshold.${slot}`)).toHaveText('0.30 (the slider)');
  }
  // A realistic built-in scene (realistic people) with its true boxes, seen by the same detectors.
  await byId(page, 'detect.viewer.scene').selectOption('realistic:1');
  await expect(pane(page, 'truth')).toHaveAttribute('data-source', 'scene-realistic-1');
  await expect(pane(page, 'truth').getByTestId('detect.viewer.boxes')).toHaveText(/^\d+$/);
  await expectModelPanes(page, { someBoxes: false });
});

test('Detect viewer: a non-image upload is refused with one sentence and the panes keep what they showed', async ({ page }) => {
  await open(page);
  await expect(pane(page, 'truth')).toBeVisible({ timeout: 60_000 });
  await expectModelPanes(page, { someBoxes: false });
  const truthCount = await boxCount(pane(page, 'truth'));
  const before = { transformer: await pane(page, 'transformer').textContent(), conv: await pane(page, 'conv').textContent() };

  await byId(page, 'detect.viewer.upload').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') });
  await expect(byId(page, 'detect.viewer.inputError')).toHaveText(/^notes\.txt [^.]*\.$/);
  await expect(page.getByRole('alert').filter({ hasText: 'notes.txt' })).toHaveCount(1);
  expect(await boxCount(pane(page, 'truth'))).toBe(truthCount);
  await expect(pane(page, 'truth').locator('canvas').first()).toBeVisible();
  await expect(pane(page, 'transformer')).toHaveText(before.transformer ?? '');
  await expect(pane(page, 'conv')).toHaveText(before.conv ?? '');
});
