import { expect, test } from '@playwright/test';
import { SegmentPage } from './pages/SegmentPage';

test('Segment zoo: a worse run does not replace the shipped student; the slot menu puts it in, and the pick survives a reload', async ({ page }) => {
  const seg = new SegmentPage(page);
  await seg.open();
  const row = seg.byId('seg.zoo').locator('[data-slot="student-pixelshuffle"]');
  const origin = row.getByTestId('seg.zoo.origin');
  const pick = row.getByTestId('seg.zoo.pick');
  await expect(origin).toHaveText('shipped', { timeout: 60_000 });
  await expect(pick).toHaveValue('shipped');

  // A two-step PixelShuffle student on labels only: far below the shipped student's mIoU.
  await seg.tinyStudent({ chain: 'none', upscale: 'pixelshuffle', steps: 2 });
  await seg.byId('seg.start').click();
  await expect(seg.byId('seg.status')).toHaveText('done', { timeout: 120_000 });

  await expect(seg.byId('seg.zoo.notice')).toHaveText(
    /^The new student \(PixelShuffle\) scored [\d.]+ % mIoU, below the [\d.]+ % of the one in the zoo, so the zoo keeps that one; pick the new one in the zoo's slot menu to use it\.$/,
  );
  await expect(origin).toHaveText('shipped');

  // The slot menu lists shipped and the kept run; choosing the run puts it in.
  await expect(pick.locator('option')).toHaveCount(2);
  await pick.selectOption({ index: 1 });
  await expect(origin).toHaveText(/^run /);
  await expect(seg.byId('seg.zoo.notice')).toHaveCount(0);
  const chosen = await pick.inputValue();
  expect(chosen).toMatch(/^m-/);

  // After a reload the zoo holds the pick again; going back to shipped works the same way.
  await page.reload();
  await expect(seg.byId('app.backend')).toHaveText('wasm', { timeout: 60_000 });
  await expect(origin).toHaveText(/^run /, { timeout: 60_000 });
  await expect(pick).toHaveValue(chosen);
  await pick.selectOption('shipped');
  await expect(origin).toHaveText('shipped');
});
