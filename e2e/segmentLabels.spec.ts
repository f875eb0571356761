import { expect, test } from '@playwright/test';
import { encodeGrayPng, encodePng } from './fixtures/png';
import { SegmentPage } from './pages/SegmentPage';

const MODEL_SLOTS = ['teacher', 'tutor', 'student-bilinear', 'student-pixelshuffle'] as const;
type Rgb = [number, number, number];

/** A tiny CamVid-like frame, 160×120 (CamVid's 4:3): each pixel's class, then its photo colour and its CamVid label colour. */
function regionAt(x: number, y: number): string {
  if (y < 30) return x > 140 && y > 20 ? 'sign' : 'sky';
  if (y < 70) return x < 90 ? 'building' : 'tree';
  if (y < 100) return x > 50 && x < 100 && y > 75 ? 'car' : 'road';
  return 'pavement';
}
const PHOTO: Record<string, Rgb> = {
  sky: [150, 180, 220],
  building: [120, 100, 90],
  tree: [60, 110, 40],
  road: [90, 90, 95],
  car: [190, 30, 30],
  pavement: [170, 170, 160],
  sign: [230, 230, 40],
};
/** CamVid label colours (label_colors.txt; the SegNet 11 classes use the same colours). */
const CAMVID: Record<string, Rgb> = {
  sky: [128, 128, 128],
  building: [128, 0, 0],
  tree: [128, 128, 0],
  road: [128, 64, 128],
  car: [64, 0, 128],
  pavement: [0, 0, 192],
  sign: [192, 128, 128],
};
const W = 160;
const H = 120;

test('Segment viewer: a CamVid-format label uploaded with a photo gives per-model mIoU, mapped onto the street classes', async ({ page }) => {
  const seg = new SegmentPage(page);
  await seg.open();
  const photo = encodePng(W, H, (x, y) => PHOTO[regionAt(x, y)]!);
  const label = encodePng(W, H, (x, y) => CAMVID[regionAt(x, y)]!);
  await seg.byId('seg.viewer.upload').setInputFiles({ name: 'frame.png', mimeType: 'image/png', buffer: photo });
  await expect(seg.pane('teacher').locator('canvas').first()).toBeVisible({ timeout: 60_000 });
  await expect(seg.byId('seg.viewer.labelFormat')).toHaveValue('auto');
  await seg.byId('seg.viewer.labelUpload').setInputFiles({ name: 'frame_L.png', mimeType: 'image/png', buffer: label });

  // Auto-detected as the importer detects it (a colour PNG of CamVid colours), mapped by class name, and said so.
  const note = seg.byId('seg.viewer.labelMapping');
  await expect(note).toContainText('frame_L.png: read as CamVid 32-class (auto-detected), mapped onto the street classes by name');
  await expect(note).toContainText('Tree, VegetationMisc → vegetation');
  await expect(note).toContainText('ignored (not scored):');
  await expect(note).toContainText('SignSymbol');
  // Every model pane scores the photo against the mapped labels; the labels pane shows them.
  for (const slot of MODEL_SLOTS) {
    await expect(seg.byId(`seg.viewer.miou.${slot}`)).toHaveText(/^\d+(\.\d)?%$/, { timeout: 60_000 });
    await expect(seg.byId(`seg.viewer.pixelAcc.${slot}`)).toHaveText(/^\d+(\.\d)?%$/);
  }
  await expect(seg.byId('seg.viewer.pane.labels')).toBeVisible();
  await expect(seg.byId('seg.viewer.inputError')).toHaveCount(0);

  // A label of another shape is refused with one sentence naming both files; the image, its labels and the scores stay.
  await seg.byId('seg.viewer.labelUpload').setInputFiles({ name: 'square_L.png', mimeType: 'image/png', buffer: encodeGrayPng(100, 100, () => 0) });
  await expect(seg.byId('seg.viewer.inputError')).toHaveText(
    "square_L.png is 100×100 pixels but frame.png is 160×120: a label PNG must have its image's size (or its shape, scaled).",
  );
  await expect(seg.byId('seg.viewer.miou.teacher')).toHaveText(/%$/);
  // A value outside the chosen format: the importer's sentence, naming the file and the pixel.
  await seg.byId('seg.viewer.labelFormat').selectOption('camvid11');
  await seg.byId('seg.viewer.labelUpload').setInputFiles({ name: 'odd.png', mimeType: 'image/png', buffer: encodeGrayPng(W, H, (x) => (x === 3 ? 40 : 0)) });
  await expect(seg.byId('seg.viewer.inputError')).toContainText('odd.png: the pixel at x 3, y 0 has value 40, which is not a CamVid 11-class label');
  await expect(seg.byId('seg.viewer.miou.teacher')).toHaveText(/%$/);

  // VOC labels against the street models: one sentence why nothing is scored; the image and the predictions stay.
  await seg.byId('seg.viewer.labelFormat').selectOption('voc');
  await seg.byId('seg.viewer.labelUpload').setInputFiles({ name: 'voc.png', mimeType: 'image/png', buffer: encodeGrayPng(W, H, (x) => (x > 80 ? 15 : 0)) });
  await expect(note).toHaveText(
    'voc.png: read as Pascal VOC (as chosen). Pascal VOC labels have no street class but person, so they cannot score street models: use CamVid or Cityscapes labels.',
  );
  await expect(seg.byId('seg.viewer.miou.teacher')).toHaveCount(0);
  await expect(seg.pane('input').locator('canvas')).toBeVisible();
  await expect(seg.pane('teacher').locator('canvas').first()).toBeVisible();
});
