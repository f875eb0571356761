import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { encodePng } from './fixtures/png';
import { SEG_PANES, SegmentPage } from './pages/SegmentPage';

const percentOf = (text: string | null) => Number(/([\d.]+)%/.exec(text ?? '')?.[1] ?? NaN);

test('Segment viewer: an uploaded photo of any size is shown with the five panes, coloured by the shipped models', async ({ page }) => {
  const seg = new SegmentPage(page);
  await seg.open();
  // A 90×150 "street": sky over grey road, a red box; not the models' 1:2 aspect, so it is centre-cropped and resized.
  const png = encodePng(150, 90, (x, y) => (y < 35 ? [110, 160, 230] : x > 40 && x < 80 && y > 45 && y < 70 ? [190, 30, 30] : [90, 90, 95]));
  await seg.byId('seg.viewer.upload').setInputFiles({ name: 'street.png', mimeType: 'image/png', buffer: png });
  for (const name of SEG_PANES) await expect(seg.pane(name)).toBeVisible({ timeout: 60_000 });
  // The shipped low-size models answer: each model pane draws a canvas and reports its agreement with the teacher.
  for (const name of SEG_PANES) await expect(seg.pane(name).locator('canvas').first()).toBeVisible({ timeout: 60_000 });
  await expect(seg.byId('seg.viewer.agreement.teacher')).toHaveText('100.0%');
  for (const slot of ['tutor', 'student-bilinear', 'student-pixelshuffle']) {
    const v = percentOf(await seg.byId(`seg.viewer.agreement.${slot}`).textContent());
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(100);
  }
  await expect(seg.byId('seg.viewer.legend')).toContainText('road');
  // Each pane says what its model learned from, and an upload to synthetic-scene models says what that means.
  await expect(seg.byId('seg.viewer.trainedOn.teacher')).toHaveText('trained on Realistic streets (built-in)');
  await expect(seg.byId('seg.viewer.syntheticNote')).toContainText('learned only from generated street scenes');

  // A file that is not an image is refused with a sentence, and the panes stay.
  await seg.byId('seg.viewer.upload').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not a png') });
  await expect(
    page
      .getByRole('alert')
      .filter({ hasText: /notes\.png/ })
      .first(),
  ).toBeVisible();
  await expect(seg.pane('teacher').locator('canvas').first()).toBeVisible();
});

test('Start from the zoo’s model: a student run trains on the shipped one, the runs table says so, and the zoo counts all its steps', async ({ page }) => {
  const manifest = JSON.parse(readFileSync('public/models/segment/low/manifest.json', 'utf8')) as { models: { slot: string; steps: number }[] };
  const shippedSteps = manifest.models.find((m) => m.slot === 'student-bilinear')!.steps;
  const seg = new SegmentPage(page);
  await seg.open();
  await seg.tinyStudent({ chain: 'none', upscale: 'bilinear', steps: 2 });
  await seg.byId('seg.startFrom').selectOption('zoo');
  await seg.setNumber('lr', 0.00001);
  const row = seg.byId('seg.zoo').locator('[data-slot="student-bilinear"]');
  await expect(row.getByTestId('seg.zoo.origin')).toHaveText('shipped', { timeout: 60_000 });
  await expect(row.getByTestId('seg.zoo.steps')).toHaveText(shippedSteps.toLocaleString('en-US'));
  await seg.byId('seg.start').click();
  await expect(seg.byId('seg.status')).toHaveText('done', { timeout: 120_000 });
  await expect(seg.byId('seg.runs').getByTestId('seg.runs.row').first()).toContainText("student, on from the zoo's");
  // The zoo takes the run's model, or keeps the shipped one if that scored higher: then the slot menu puts the run's in.
  await expect
    .poll(async () => (await seg.byId('seg.zoo.notice').count()) > 0 || /^run /.test((await row.getByTestId('seg.zoo.origin').textContent()) ?? ''))
    .toBe(true);
  if ((await seg.byId('seg.zoo.notice').count()) > 0) await row.getByTestId('seg.zoo.pick').selectOption({ index: 1 });
  await expect(row.getByTestId('seg.zoo.origin')).toHaveText(/^run segment-/);
  await expect(row.getByTestId('seg.zoo.steps')).toHaveText((shippedSteps + 2).toLocaleString('en-US'));
  await seg.byId('seg.zoo.reset').click();
  await expect(row.getByTestId('seg.zoo.origin')).toHaveText('shipped');
});

test('Segment lab: a tiny teacher → student distillation run with the FFA term advances the mIoU chart', async ({ page }) => {
  const seg = new SegmentPage(page);
  await seg.open();
  await seg.tinyStudent({ chain: 'teacher-student', upscale: 'ps-agg', steps: 6 });
  await seg.byId('seg.affinityLoss').selectOption('ffa');
  await seg.byId('seg.start').click();
  await expect(seg.byId('seg.status')).toHaveText(/running|done/, { timeout: 60_000 });
  await expect.poll(() => seg.miouPoints(), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
  await expect(seg.byId('seg.miou')).toHaveText(/^\d+(\.\d)?%$/);
  await expect(seg.byId('seg.status')).toHaveText('done', { timeout: 120_000 });
  await expect.poll(() => seg.miouPoints(), { timeout: 30_000 }).toBe(3); // the last evaluation's point may draw just after 'done'
  await expect(seg.byId('seg.classIoU').getByTestId('seg.classIoU.item')).toHaveCount(8);
  await expect(seg.byId('seg.runs').getByTestId('seg.runs.row').first()).toContainText('teacher → student');
  await expect(seg.byId('seg.runs').getByTestId('seg.runs.row').first()).toContainText('FFA₂ k=15 ×1');
  await expect(seg.byId('chart.seg.loss')).toContainText('affinity (weighted FA|FFA, 1/8)');

  // A 6-step student scores below the shipped one: the zoo keeps the shipped model and says so; picking the
  // run's model from the slot menu puts it in; "Restore shipped models" brings the shipped one back.
  const row = seg.byId('seg.zoo').locator('[data-slot="student-pixelshuffle"]');
  const origin = row.getByTestId('seg.zoo.origin');
  await expect(seg.byId('seg.zoo.notice')).toContainText('so the zoo keeps that one');
  await expect(origin).toHaveText('shipped');
  // the shipped PixelShuffle student and the run's are both variant (a), named under the slot
  await expect(row.getByTestId('seg.zoo.variant')).toHaveText('PS agg (a)');
  await row.getByTestId('seg.zoo.pick').selectOption({ index: 1 });
  await expect(origin).not.toHaveText('shipped');
  await expect(row.getByTestId('seg.zoo.variant')).toHaveText('PS agg (a)');
  await expect(seg.byId('seg.runs').getByTestId('seg.runs.row').first()).toContainText('PS agg (a)');
  await seg.byId('seg.zoo.reset').click();
  await expect(origin).toHaveText('shipped');
});
