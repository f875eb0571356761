import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { encodeGrayPng, encodePng } from './fixtures/png';
import { DataPage } from './pages/DataPage';
import { WorkbenchPage } from './pages/WorkbenchPage';

/** Source size: stored at 256×128, so each source pixel becomes an 8×8 block of the label map. */
const W = 32;
const H = 16;
/** CamVid-11 grey label of pixel (x, y) of pair `i`: classes 0–10 in 4-pixel-wide stripes, and 11 (void) on the last row. */
const label = (i: number, x: number, y: number) => (y === H - 1 ? 11 : (i + Math.floor(x / 4) + y) % 11);
/** The CamVid 11-class palette: Sky, Building, Pole, Road, Pavement, Tree, SignSymbol, Fence, Car, Pedestrian, Bicyclist. */
const CAMVID11 = [
  [128, 128, 128],
  [128, 0, 0],
  [192, 192, 128],
  [128, 64, 128],
  [0, 0, 192],
  [128, 128, 0],
  [192, 128, 128],
  [64, 64, 128],
  [64, 0, 128],
  [64, 64, 0],
  [0, 128, 192],
];

/** A CamVid-11-style folder: `root/images/000i.png` ↔ `root/labels/000i.png`, i = 1…count. */
function camvidFolder(name: string, count: number, tweak?: (root: string) => void): string {
  const root = join(mkdtempSync(join(tmpdir(), 'pdw-seg-')), name);
  mkdirSync(join(root, 'images'), { recursive: true });
  mkdirSync(join(root, 'labels'), { recursive: true });
  for (let i = 1; i <= count; i++) {
    writeFileSync(
      join(root, 'images', `000${i}.png`),
      encodePng(W, H, (x, y) => [(i * 40 + x * 7) & 255, (y * 15) & 255, 90]),
    );
    writeFileSync(
      join(root, 'labels', `000${i}.png`),
      encodeGrayPng(W, H, (x, y) => label(i, x, y)),
    );
  }
  tweak?.(root);
  return root;
}

test('segmentation pairs: imported at 256×128 with their label format, shown with colour label maps, kept after a reload', async ({ page }) => {
  const wb = new WorkbenchPage(page);
  const data = new DataPage(page);
  await wb.open({ backend: 'wasm' });
  await wb.waitForBackend('wasm');
  await data.openTab();
  await expect(data.byId('data.segItem')).toHaveCount(2); // the built-in street scenes, classic and realistic
  await expect(data.segItem('Street scenes').getByTestId('data.segItem.classes')).toHaveText('8');
  await expect(data.segItem('Realistic streets').getByTestId('data.segItem.classes')).toHaveText('8');
  await data.segItem('Street scenes').getByTestId('data.segItem.show').click();
  await expect(data.byId('data.sample.labelMap')).toHaveCount(6);
  await expect(data.byId('data.legend.item')).toHaveCount(9); // 8 classes + ignore

  await data.importSegFolder(camvidFolder('camvid-mini', 6));
  const row = data.segItem('camvid-mini');
  await expect(row).toBeVisible();
  await expect(row.getByTestId('data.segItem.classes')).toHaveText('11');
  await expect(row.getByTestId('data.segItem.train')).toHaveText('5');
  await expect(row.getByTestId('data.segItem.test')).toHaveText('1');
  await expect(row.getByTestId('data.segItem.size')).toHaveText('256×128');
  await expect(row.getByTestId('data.segItem.format')).toHaveText('CamVid 11-class');
  await expect(data.byId('data.item')).toHaveCount(1); // the classification list is untouched

  await row.getByTestId('data.segItem.show').click();
  await expect(data.byId('data.sample.labelMap')).toHaveCount(5);
  await expect(data.byId('data.sample.image')).toHaveCount(5);
  await expect(data.byId('data.legend.item')).toHaveCount(12); // 11 classes + ignore
  // Train pair 0 is 0001.png: source pixel (x, y) fills the 8×8 block at (8x, 8y); void (the last row) is drawn black.
  for (const [x, y] of [
    [0, 0],
    [5, 3],
    [31, 10],
  ] as const) {
    expect(await data.labelMapPixel(0, 8 * x + 4, 8 * y + 4)).toEqual(CAMVID11[label(1, x, y)]);
  }
  expect(await data.labelMapPixel(0, 100, 8 * (H - 1) + 4)).toEqual([0, 0, 0]);

  // Classification labs never offer a segmentation set.
  await wb.byId('tab.train').click();
  await expect(wb.byId('hp.dataset').locator('option')).toHaveText([/Shapes/]);

  await page.reload();
  await data.openTab();
  await expect(data.segItem('camvid-mini').getByTestId('data.segItem.classes')).toHaveText('11');
  await expect(data.byId('data.segItem')).toHaveCount(3);

  // "Train on it" selects the set for the Segment lab and opens it.
  await data.segItem('camvid-mini').getByTestId('data.segItem.trainOn').click();
  await expect(wb.byId('seg.dataset').locator('option:checked')).toContainText('camvid-mini');
});

test('a CamVid-trained student is never compared with the 8-class street teacher; CamVid labels with void 11 are read as the import read them', async ({
  page,
}) => {
  const wb = new WorkbenchPage(page);
  const data = new DataPage(page);
  await wb.open({ backend: 'wasm' });
  await wb.waitForBackend('wasm');
  await data.openTab();
  const folder = camvidFolder('camvid-cls', 6);
  await data.importSegFolder(folder);
  await data.segItem('camvid-cls').getByTestId('data.segItem.trainOn').click();

  // Known before Start: the shipped teacher knows the 8 street classes, not CamVid's 11.
  await wb.byId('seg.model').selectOption('student');
  await wb.byId('seg.chain').selectOption('teacher-student');
  await expect(wb.byId('seg.chain.warning')).toContainText("The zoo's teacher at the low size knows 8 classes, but camvid-cls has 11");

  // A CamVid student trained on labels alone goes into the zoo beside the street models.
  await wb.byId('seg.chain').selectOption('none');
  await wb.byId('seg.upscale').selectOption('bilinear');
  for (const [k, v] of [
    ['steps', 2],
    ['batchSize', 2],
  ] as const) {
    const input = wb.byId(k === 'steps' ? 'seg.steps' : `seg.param.${k}`);
    await input.fill(String(v));
    await input.press('Enter');
  }
  await wb.byId('seg.start').click();
  await expect(wb.byId('seg.status')).toHaveText('done', { timeout: 120_000 });
  // The zoo says what each model was trained on.
  await expect(wb.byId('seg.zoo').locator('[data-slot="student-bilinear"]').getByTestId('seg.zoo.dataset')).toHaveText(/^camvid-cls\s*11 classes$/);
  await expect(wb.byId('seg.zoo').locator('[data-slot="teacher"]').getByTestId('seg.zoo.dataset')).toContainText('8 classes');

  // The viewer compares one class set at a time: the street set first, the CamVid student named and left out.
  await wb.byId('seg.viewer.upload').setInputFiles(join(folder, 'images', '0001.png'));
  const classSet = wb.byId('seg.viewer.classSet');
  await expect(classSet.locator('option')).toHaveCount(2);
  await expect(wb.byId('seg.viewer.otherClasses.student-bilinear')).toContainText('trained on camvid-cls (11 classes): not compared');
  await expect(wb.byId('seg.viewer.agreement.student-pixelshuffle')).toHaveText(/%$/);

  // The CamVid set: its student alone (no teacher to agree with), the street models named and left out.
  await classSet.selectOption((await classSet.locator('option', { hasText: 'camvid-cls' }).getAttribute('value'))!);
  await expect(wb.byId('seg.viewer.otherClasses.teacher')).toContainText('trained on Realistic streets');
  await expect(wb.byId('seg.viewer.agreement.student-bilinear')).toHaveText('—');
  // Its label PNG holds void = 11 on the last row: read in the CamVid format (void → ignore), it is accepted and scored.
  await wb.byId('seg.viewer.labelUpload').setInputFiles(join(folder, 'labels', '0001.png'));
  await expect(wb.byId('seg.viewer.miou.student-bilinear')).toHaveText(/%$/);
  await expect(wb.byId('seg.viewer.inputError')).toHaveCount(0);
});

test('an unpaired image or an unknown label value gets the importer sentence, and nothing stored is lost', async ({ page }) => {
  const wb = new WorkbenchPage(page);
  const data = new DataPage(page);
  await wb.open({ backend: 'wasm' });
  await wb.waitForBackend('wasm');
  await data.openTab();
  await data.importSegFolder(camvidFolder('good-set', 6));
  await expect(data.segItem('good-set')).toBeVisible();

  const unpaired = camvidFolder('unpaired-set', 6, (root) =>
    writeFileSync(
      join(root, 'images', '0009.png'),
      encodePng(W, H, () => [1, 2, 3]),
    ),
  );
  await data.importSegFolder(unpaired);
  await expect(data.byId('data.error')).toContainText('1 image has no label PNG (unpaired-set/images/0009.png)');

  const badValue = camvidFolder('bad-value-set', 6, (root) =>
    writeFileSync(
      join(root, 'labels', '0003.png'),
      encodeGrayPng(W, H, (x) => (x === 7 ? 40 : 0)),
    ),
  );
  await data.importSegFolder(badValue, 'camvid11');
  await expect(data.byId('data.error')).toContainText(
    'bad-value-set/labels/0003.png: the pixel at x 7, y 0 has value 40, which is not a CamVid 11-class label',
  );

  await expect(data.byId('data.segItem')).toHaveCount(3);
  await expect(data.segItem('good-set').getByTestId('data.segItem.train')).toHaveText('5');
  await page.reload();
  await data.openTab();
  await expect(data.byId('data.segItem')).toHaveCount(3);
});
