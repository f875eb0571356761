import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { encodeGrayPng, encodePng } from './fixtures/png';
import { DataPage } from './pages/DataPage';
import { SegmentPage } from './pages/SegmentPage';

const SLOTS = ['teacher', 'tutor', 'student-bilinear', 'student-pixelshuffle'];

/** A tiny CamVid-11 folder (`images/000i.png` ↔ `labels/000i.png`, 32×16, classes in stripes): 5 training pairs, 1 test pair. */
function camvidFolder(name: string): string {
  const root = join(mkdtempSync(join(tmpdir(), 'pdw-chain-')), name);
  mkdirSync(join(root, 'images'), { recursive: true });
  mkdirSync(join(root, 'labels'), { recursive: true });
  for (let i = 1; i <= 6; i++) {
    writeFileSync(
      join(root, 'images', `000${i}.png`),
      encodePng(32, 16, (x, y) => [(i * 40 + x * 7) & 255, (y * 15) & 255, 90]),
    );
    writeFileSync(
      join(root, 'labels', `000${i}.png`),
      encodeGrayPng(32, 16, (x, y) => (i + Math.floor(x / 4) + y) % 11),
    );
  }
  return root;
}

test('Train the chain on an imported CamVid set: stop, reload, resume; four stages fill the four zoo slots with its 11 classes', async ({ page }) => {
  test.setTimeout(420_000);
  const seg = new SegmentPage(page);
  const data = new DataPage(page);
  await seg.open();
  await data.openTab();
  await data.importSegFolder(camvidFolder('camvid-chain'));
  await data.segItem('camvid-chain').getByTestId('data.segItem.trainOn').click();
  for (const [k, v] of [
    ['steps', 2],
    ['batchSize', 2],
    ['evalEvery', 2],
  ] as const)
    await seg.setNumber(k, v);
  await expect(seg.byId('seg.chain.plan')).toContainText('teacher → tutor → student (bilinear) → student (PS agg (a)): 2 steps each on camvid-chain');

  // Stop while the teacher stage prepares: its run ends as stopped and the chain pauses.
  await seg.byId('seg.chain.start').click();
  await seg.byId('seg.chain.stop').click();
  await expect(seg.byId('seg.chain.status')).toHaveText('chain paused', { timeout: 60_000 });
  await expect(seg.byId('seg.status')).toHaveText('stopped');
  await expect(seg.byId('seg.chain.message')).toContainText('Stopped during the teacher stage');
  await expect(seg.byId('seg.chain.stage').first()).toHaveAttribute('data-status', 'stopped');

  // The chain survives a reload, paused.
  await page.reload();
  await expect(seg.byId('app.backend')).toHaveText('wasm', { timeout: 60_000 });
  await expect(seg.byId('seg.chain.status')).toHaveText('chain paused');
  await expect(seg.byId('seg.chain.step')).toContainText('stage 1 of 4: teacher · 0 / 8 steps');

  // Record every stage the bar shows while it runs.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { chainSeen: string[] }).chainSeen = seen;
    setInterval(() => {
      const t = document.querySelector('[data-testid="seg.chain.step"]')?.textContent ?? '';
      if (seen.at(-1) !== t) seen.push(t);
    }, 50);
  });
  await seg.byId('seg.chain.resume').click();
  await expect(seg.byId('seg.chain.eta')).toHaveText(/chain ETA (\d+:\d\d|estimating…)/, { timeout: 60_000 });
  await expect(seg.byId('seg.chain.status')).toHaveText('chain done', { timeout: 360_000 });
  const seen = await page.evaluate(() => (window as unknown as { chainSeen: string[] }).chainSeen);
  for (const k of [1, 2, 3, 4]) expect(seen.some((t) => t.startsWith(`stage ${k} of 4`))).toBe(true);
  await expect(seg.byId('seg.chain.step')).toHaveText('all stages done · 8 / 8 steps');
  await expect(seg.byId('seg.chain.progress')).toHaveAttribute('aria-valuenow', '100');
  await expect(seg.byId('seg.chain.message')).toContainText('Done: the four models hold their zoo slots at the low size');

  // Each stage filled its slot with a model of the set's 11 classes, trained by its run.
  for (const slot of SLOTS) {
    const row = seg.byId('seg.zoo').locator(`[data-slot="${slot}"]`);
    await expect(row.getByTestId('seg.zoo.dataset')).toHaveText(/^camvid-chain\s*11 classes$/);
    await expect(row.getByTestId('seg.zoo.origin')).toHaveText(/^run segment-/);
  }
  // Five ordinary runs: the stopped teacher and the four stages.
  await expect(seg.byId('seg.runs').getByTestId('seg.runs.row')).toHaveCount(5);
  // The four stages' runs say which stage they were; the stopped first try of the teacher does not.
  await expect(seg.byId('seg.runs').getByTestId('seg.runs.row.chainStage')).toHaveText([
    'chain stage 4/4',
    'chain stage 3/4',
    'chain stage 2/4',
    'chain stage 1/4',
  ]);
  // The viewer compares the set's models with its own legend (one class set at this size: no class-set picker).
  await expect(seg.byId('seg.viewer.legend').getByTestId('seg.viewer.legend.item')).toHaveCount(11);
  await expect(seg.byId('seg.viewer.legend')).toContainText('Pedestrian');
  await expect(seg.byId('seg.viewer.classSet')).toHaveCount(0);
});

test('Train the chain on the built-in scenes with the teacher’s second phase: each stage takes its slot even below the shipped model, and the shipped ones come back', async ({
  page,
}) => {
  test.setTimeout(360_000);
  const seg = new SegmentPage(page);
  await seg.open();
  await seg.tinySettings(2);
  await expect(seg.byId('seg.zoo').locator('[data-slot="teacher"]').getByTestId('seg.zoo.origin')).toHaveText('shipped', { timeout: 60_000 });
  // A plain first phase, then a second phase that adds the refinement head and trains on from it.
  await seg.byId('seg.chain.plan').click();
  await seg.byId('seg.chain.plan.teacher.teacherHead').selectOption('plain');
  await seg.byId('seg.chain.plan.teacher-finetune.steps').fill('1');
  await seg.byId('seg.chain.plan.teacher-finetune.teacherHead').selectOption('refined');
  await seg.byId('seg.chain.plan.teacher-finetune.lr').fill('0.01');
  await expect(seg.byId('seg.chain.plan')).toContainText(
    'teacher → teacher (second phase) → tutor → student (bilinear) → student (PS agg (a)): 2 / 1 / 2 / 2 / 2 steps on',
  );
  await seg.byId('seg.chain.start').click();
  await expect(seg.byId('seg.chain.status')).toHaveText('chain done', { timeout: 300_000 });
  await expect(seg.byId('seg.chain.step')).toHaveText('all stages done · 9 / 9 steps');
  // The second phase's run holds the teacher's slot: it is the run of stage 2/5 (the teacher's head is in its config).
  const stage2 = seg
    .byId('seg.runs')
    .getByTestId('seg.runs.row')
    .filter({ has: page.getByText('chain stage 2/5', { exact: true }) });
  await expect(stage2).toHaveCount(1);
  await expect(stage2).toContainText('refined head');
  // 2-step models score below the shipped ones, yet each took its slot (the next stage distils from it).
  for (const slot of SLOTS) {
    const row = seg.byId('seg.zoo').locator(`[data-slot="${slot}"]`);
    await expect(row.getByTestId('seg.zoo.origin')).toHaveText(/^run segment-/);
    await expect(row.getByTestId('seg.zoo.dataset')).toContainText('8 classes');
  }
  await expect(seg.byId('seg.zoo.notice')).toHaveCount(0);
  await seg.byId('seg.zoo.reset').click();
  for (const slot of SLOTS) await expect(seg.byId('seg.zoo').locator(`[data-slot="${slot}"]`).getByTestId('seg.zoo.origin')).toHaveText('shipped');
});

test('Per-stage settings: the shipped recipe fills the table from the zoo’s manifest, stays after a reload, and the chain takes each stage’s own steps', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const manifest = JSON.parse(readFileSync('public/models/segment/low/manifest.json', 'utf8')) as {
    models: {
      slot: string;
      steps: number;
      seed: number;
      classBalance: string;
      affinity?: string;
      refineFull?: number;
      finetune?: { steps: number; lr: number; lovaszWeight: number };
    }[];
  };
  const shipped = (slot: string) => manifest.models.find((m) => m.slot === slot)!;
  const seg = new SegmentPage(page);
  await seg.open();
  await expect(seg.byId('seg.zoo').locator('[data-slot="teacher"]').getByTestId('seg.zoo.origin')).toHaveText('shipped', { timeout: 60_000 });
  await seg.byId('seg.chain.plan').click();
  await expect(seg.byId('seg.chain.plan.form')).toBeDisabled();
  await seg.byId('seg.chain.plan.shipped').click();
  // The shipped teacher's second phase is named in the button's hint and fills its own row.
  const ft = shipped('teacher').finetune!;
  await expect(seg.byId('seg.chain.plan.shipped')).toHaveAttribute(
    'title',
    new RegExp(
      `second phase included: ${ft.steps.toLocaleString('en-US')} more steps from its own weights at learning rate ${ft.lr} with the Lovász-softmax weight ${ft.lovaszWeight}, adding the refinement head at 1/2`,
    ),
  );
  await expect(seg.byId('seg.chain.plan.teacher-finetune.steps')).toHaveValue(String(ft.steps));
  await expect(seg.byId('seg.chain.plan.teacher-finetune.lr')).toHaveValue(String(ft.lr));
  await expect(seg.byId('seg.chain.plan.teacher-finetune.lovaszWeight')).toHaveValue(String(ft.lovaszWeight));
  await expect(seg.byId('seg.chain.plan.teacher.teacherHead')).toHaveValue('plain');
  // The second phase's head as the manifest names the shipped teacher's (refineFull: the full-resolution stage too).
  await expect(seg.byId('seg.chain.plan.teacher-finetune.teacherHead')).toHaveValue(shipped('teacher').refineFull ? 'full' : 'refined');
  for (const slot of SLOTS) {
    const m = shipped(slot);
    await expect(seg.byId(`seg.chain.plan.${slot}.steps`)).toHaveValue(String(m.steps));
    await expect(seg.byId(`seg.chain.plan.${slot}.classBalance`)).toHaveValue(m.classBalance);
    if (slot !== 'teacher') await expect(seg.byId(`seg.chain.plan.${slot}.affinityLoss`)).toHaveValue(m.affinity ?? 'none');
    // Each stage's seed as its manifest entry names it.
    await expect(seg.byId(`seg.chain.plan.${slot}.seed`)).toHaveValue(String(m.seed));
  }
  const steps = `${[shipped('teacher').steps, ft.steps, ...SLOTS.slice(1).map((s) => shipped(s).steps)].map((n) => n.toLocaleString('en-US')).join(' / ')} steps on`;
  await expect(seg.byId('seg.chain.plan')).toContainText(steps);
  await page.reload();
  await expect(seg.byId('seg.chain.plan')).toContainText(steps, { timeout: 60_000 });

  // Back to the form's settings, then one stage set apart: the chain's bar counts each stage's own steps.
  await seg.byId('seg.chain.plan').click();
  await seg.byId('seg.chain.plan.form').click();
  await seg.tinySettings(2);
  await expect(seg.byId('seg.chain.plan')).toContainText(': 2 steps each on');
  await seg.byId('seg.chain.plan.teacher.steps').fill('1');
  await expect(seg.byId('seg.chain.plan')).toContainText(': 1 / 2 / 2 / 2 steps on');
  await seg.byId('seg.chain.plan.tutor.steps').fill('0');
  await expect(seg.byId('seg.chain.plan.tutor.steps')).toHaveAttribute('aria-invalid', 'true');
  await expect(seg.byId('seg.chain.plan')).toContainText(': 1 / 2 / 2 / 2 steps on');
  // The second phase's steps, cleared again: it does not run.
  await seg.byId('seg.chain.plan.teacher-finetune.steps').fill('3');
  await expect(seg.byId('seg.chain.plan')).toContainText(': 1 / 3 / 2 / 2 / 2 steps on');
  await seg.byId('seg.chain.plan.teacher-finetune.steps').fill('');
  await expect(seg.byId('seg.chain.plan')).toContainText(': 1 / 2 / 2 / 2 steps on');
  await seg.byId('seg.chain.start').click();
  await expect(seg.byId('seg.chain.step')).toContainText('stage 1 of 4: teacher · 0 / 7 steps');
  await seg.byId('seg.chain.stop').click();
  await expect(seg.byId('seg.chain.status')).toHaveText('chain paused', { timeout: 60_000 });
  await expect(page.getByText('Realistic streets (built-in) at the low size (64×128 px), 1 / 2 / 2 / 2 steps')).toBeVisible();
});
