import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Locator } from '@playwright/test';
import jpeg from 'jpeg-js';
import { encodePng } from './fixtures/png';
import { DataPage } from './pages/DataPage';
import { WorkbenchPage } from './pages/WorkbenchPage';

/** Source images: 64×32, stored stretched to 256×128 (×4 both ways). */
const W = 64;
const H = 32;
/** Image i's pixel (x, y): two flat colour halves, so the stretched image is easy to check. */
const colour = (i: number, x: number): [number, number, number] => (x < W / 2 ? [200, 40 * i, 30] : [20, 90, 40 * i]);

function jpegOf(i: number): Buffer {
  const data = Buffer.alloc(W * H * 4);
  for (let p = 0; p < W * H; p++) data.set([...colour(i, p % W), 255], p * 4);
  return Buffer.from(jpeg.encode({ data, width: W, height: H }, 95).data);
}

/**
 * A tiny COCO folder: `root/annotations/instances_mini.json` + `root/images/`: a.png (a person and a crowd box),
 * b.jpg (one person), c.png (no people: a negative; with 3 images, the last is held out for testing).
 */
function cocoFolder(name: string, json?: string): string {
  const root = join(mkdtempSync(join(tmpdir(), 'pdw-detect-')), name);
  mkdirSync(join(root, 'annotations'), { recursive: true });
  mkdirSync(join(root, 'images'), { recursive: true });
  writeFileSync(
    join(root, 'images', 'a.png'),
    encodePng(W, H, (x) => colour(1, x)),
  );
  writeFileSync(join(root, 'images', 'b.jpg'), jpegOf(2));
  writeFileSync(
    join(root, 'images', 'c.png'),
    encodePng(W, H, (x) => colour(3, x)),
  );
  const instances = {
    info: { description: 'mini', version: '1.0', year: 2017 },
    licenses: [],
    images: [
      { id: 1, file_name: 'a.png', width: W, height: H },
      { id: 2, file_name: 'b.jpg', width: W, height: H },
      { id: 3, file_name: 'c.png', width: W, height: H },
    ],
    annotations: [
      { id: 11, image_id: 1, category_id: 1, bbox: [8, 4, 16, 24], area: 384, iscrowd: 0, segmentation: [] },
      { id: 12, image_id: 1, category_id: 1, bbox: [36, 2, 24, 28], area: 672, iscrowd: 1, segmentation: { counts: [], size: [H, W] } },
      { id: 13, image_id: 2, category_id: 1, bbox: [20, 0, 12, 32], area: 384, iscrowd: 0, segmentation: [] },
      { id: 14, image_id: 3, category_id: 3, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0, segmentation: [] },
    ],
    categories: [
      { id: 1, name: 'person', supercategory: 'person' },
      { id: 3, name: 'car', supercategory: 'vehicle' },
    ],
  };
  writeFileSync(join(root, 'annotations', 'instances_mini.json'), json ?? JSON.stringify(instances));
  return root;
}

async function importDetectFolder(data: DataPage, dir: string): Promise<void> {
  await data.byId('data.import.format').selectOption('detection');
  await data.byId('data.import.detectFolder').setInputFiles(dir);
}

const detectItem = (data: DataPage, name: string): Locator =>
  data.byId('data.detectItem').filter({ has: data.page.getByTestId('data.detectItem.name').getByText(name, { exact: false }) });

/** x, y, width, height of an SVG box (in stored-image pixels, 256×128). */
const rectOf = (r: Locator) => r.evaluate((el) => ['x', 'y', 'width', 'height'].map((a) => Number(el.getAttribute(a))));

test('a COCO folder imported on the Data tab is listed with its counts and shows its samples with their boxes; bad JSON is refused and nothing is lost', async ({
  page,
}) => {
  const wb = new WorkbenchPage(page);
  const data = new DataPage(page);
  await wb.open({ backend: 'wasm' });
  await wb.waitForBackend('wasm');
  await data.openTab();
  await data.byId('data.import.format').selectOption('detection');
  await expect(data.byId('data.import.detectHelp')).toContainText('stretched (not cropped or letterboxed) to 256×128');

  await importDetectFolder(data, cocoFolder('coco-mini'));
  const row = detectItem(data, 'coco-mini');
  await expect(row).toBeVisible();
  await expect(row.getByTestId('data.detectItem.images')).toHaveText('3');
  await expect(row.getByTestId('data.detectItem.people')).toHaveText('2');
  await expect(row.getByTestId('data.detectItem.ignore')).toHaveText('1');
  await expect(row.getByTestId('data.detectItem.negatives')).toHaveText('1');
  await expect(row.getByTestId('data.detectItem.train')).toHaveText('2');
  await expect(row.getByTestId('data.detectItem.test')).toHaveText('1');
  await expect(row.getByTestId('data.detectItem.format')).toHaveText('COCO instances JSON');
  await expect(data.byId('data.item')).toHaveCount(1); // the classification list holds only the built-in shapes

  await row.getByTestId('data.detectItem.show').click();
  const samples = data.byId('data.samples');
  await expect(samples.getByTestId('data.sample.image')).toHaveCount(2);
  await expect(samples.getByTestId('data.sample.boxes')).toHaveText(['2', '1']);
  const boxes = samples.getByTestId('data.sample.box');
  await expect(boxes).toHaveCount(3);
  // a.png's person: bbox [8, 4, 16, 24] of 64×32 → ×4 at 256×128; its crowd box is an ignore region, drawn dashed.
  const first = samples.getByTestId('data.sample').nth(0).getByTestId('data.sample.box');
  expect(await rectOf(first.nth(0))).toEqual([32, 16, 64, 96]);
  await expect(first.nth(0)).toHaveAttribute('data-ignore', 'false');
  await expect(first.nth(1)).toHaveAttribute('data-ignore', 'true');
  await expect(first.nth(1)).toHaveAttribute('stroke-dasharray', /\d/);
  expect(await rectOf(first.nth(1))).toEqual([144, 8, 96, 112]);
  expect(await rectOf(samples.getByTestId('data.sample').nth(1).getByTestId('data.sample.box'))).toEqual([80, 0, 48, 128]);
  // The image under the boxes is the stretched photo: a.png's left half is (200, 40, 30).
  const pixel = await samples
    .getByTestId('data.sample.image')
    .nth(0)
    .evaluate((c: HTMLCanvasElement) => [c.width, c.height, ...Array.from(c.getContext('2d')!.getImageData(40, 60, 1, 1).data.slice(0, 3))]);
  expect(pixel).toEqual([256, 128, 200, 40, 30]);

  // JSON that does not parse: the importer's sentence, naming the file; the stored set stays.
  await importDetectFolder(data, cocoFolder('coco-broken', '{"images": [ {"id": 1,'));
  await expect(data.byId('data.error')).toContainText('coco-broken/annotations/instances_mini.json is not valid JSON');
  await expect(data.byId('data.detectItem')).toHaveCount(1);

  // A COCO folder picked as a classification image folder is imported as what it is.
  await data.byId('data.import.format').selectOption('classify');
  await data.byId('data.importFolder').setInputFiles(cocoFolder('coco-picked-as-folder'));
  await expect(detectItem(data, 'coco-picked-as-folder').getByTestId('data.detectItem.images')).toHaveText('3');
  await expect(data.byId('data.item')).toHaveCount(1);

  await page.reload();
  await data.openTab();
  await expect(detectItem(data, 'coco-mini').getByTestId('data.detectItem.people')).toHaveText('2');

  // Deleting works as for the other kinds.
  page.once('dialog', (d) => void d.accept());
  await detectItem(data, 'coco-picked-as-folder').getByTestId('data.detectItem.delete').click();
  await expect(data.byId('data.detectItem')).toHaveCount(1);
  await page.reload();
  await data.openTab();
  await expect(data.byId('data.detectItem')).toHaveCount(1);
});
