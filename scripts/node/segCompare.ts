/**
 * The Segment lab's comparison (TECHNIQUES.md §2), headless on wasm: at each input size, students with
 * bilinear and PixelShuffle upscaling trained without distillation, distilled directly from the teacher,
 * and distilled through the tutor — same steps, batch and seeds. At the low size the teacher and tutor are
 * the shipped ones (public/models/segment/low); at the high size they are trained here first.
 *   node scripts/run-node.mjs scripts/node/segCompare.ts sizes=low,high seeds=1,2,3 steps=300 highSeeds=1
 * `chains=none` runs only those chains (no teacher/tutor needed), for a second process in parallel;
 * `upscales=bilinear,ps-head4` picks the upscaling variants (default bilinear and pixelshuffle, the first comparison's two);
 * `order=reverse` runs each seed's configurations last first (for a second process on the same seeds).
 * At the high size `teacherInit=` / `tutorInit=` start the teacher / tutor from saved models (e.g. the shipped low ones: the
 * networks are fully convolutional, so low-size weights fine-tune at 128×256), and `tutorSteps=` sets the tutor's steps
 * (default `steps`); the students always start from scratch.
 * `style=` / `classBalance=` default to what the shipped low zoo's students were trained with (its manifest: since
 * 2026-11-30 the realistic scenes with median-frequency balancing), so students learn on the data their teacher and tutor saw.
 * Appends one JSON line per run to `out=` (default results/seg-compare.jsonl for the classic scenes — the first
 * comparison's runs — and results/seg-compare-realistic.jsonl otherwise; already-present runs are skipped).
 */
import { appendFile, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { initBackend } from '../../src/engine';
import { parseSegArgs, runSegment } from './segment';

const CHAINS = ['none', 'teacher-tutor-student', 'teacher-student'] as const;

async function done(out: string): Promise<Set<string>> {
  if (!existsSync(out)) return new Set();
  const lines = (await readFile(out, 'utf8')).split('\n').filter(Boolean);
  return new Set(lines.map((l) => (JSON.parse(l) as { key: string }).key));
}

export async function main(args: string[]): Promise<void> {
  const kv = new Map(args.map((a) => a.split('=') as [string, string]));
  const sizes = (kv.get('sizes') ?? 'low,high').split(',');
  const seeds = (kv.get('seeds') ?? '1,2,3').split(',');
  const highSeeds = (kv.get('highSeeds') ?? '1').split(',');
  const steps = kv.get('steps') ?? '300';
  const teacherSteps = kv.get('teacherSteps') ?? '300';
  const tutorSteps = kv.get('tutorSteps') ?? steps;
  const initOf = (k: string) => (kv.has(k) ? [`init=${kv.get(k)}`] : []);
  const chains = kv.get('chains')?.split(',');
  const upscales = (kv.get('upscales') ?? 'bilinear,pixelshuffle').split(',');
  const shipped = JSON.parse(await readFile('public/models/segment/low/manifest.json', 'utf8')) as {
    style?: string;
    classBalance?: string;
    studentClassBalance?: string;
  };
  const style = kv.get('style') ?? shipped.style ?? 'classic';
  const classBalance = kv.get('classBalance') ?? shipped.studentClassBalance ?? shipped.classBalance ?? 'none';
  const out = kv.get('out') ?? (style === 'classic' ? 'results/seg-compare.jsonl' : `results/seg-compare-${style}.jsonl`);
  // order=reverse walks the runs of each seed from the last, so a second process on the same seeds meets the first in the middle.
  const forward = upscales.flatMap((upscale) => CHAINS.map((chain) => ({ upscale, chain })));
  const configs = kv.get('order') === 'reverse' ? forward.reverse() : forward;
  await initBackend('wasm');
  const common = [
    `style=${style}`,
    `classBalance=${classBalance}`,
    'trainSize=1000',
    'testSize=100',
    'dataSeed=1',
    'logEvery=100',
    'batch=8',
    'backend=wasm',
    'origin=scripts/node/segCompare.ts',
  ];
  const record = async (key: string, r: Record<string, unknown>) => appendFile(out, `${JSON.stringify({ key, ...r })}\n`);
  for (const size of sizes) {
    const dir = size === 'low' ? 'public/models/segment/low' : `results/seg-models/${size}`;
    if (size !== 'low') {
      const needs = (chain: string) => !chains || chains.includes(chain);
      const sources = [
        ...(needs('teacher-student') || needs('teacher-tutor-student')
          ? [['teacher', ['model=teacher', `steps=${teacherSteps}`, ...initOf('teacherInit')]] as const]
          : []),
        ...(needs('teacher-tutor-student')
          ? [['tutor', ['model=tutor', 'chain=teacher-student', `source=${dir}/teacher.json`, `steps=${tutorSteps}`, ...initOf('tutorInit')]] as const]
          : []),
      ];
      for (const [slot, extra] of sources) {
        const key = `${size}:${slot}`;
        if ((await done(out)).has(key)) continue;
        console.log(`== ${key}`);
        const r = await runSegment(parseSegArgs([...common, `size=${size}`, 'seed=1', ...extra, `out=${dir}/${slot}.json`]), (l) => console.log(`  ${l}`));
        await record(key, { role: slot, ...r });
      }
    }
    for (const seed of size === 'low' ? seeds : highSeeds) {
      for (const c of configs.filter((x) => !chains || chains.includes(x.chain))) {
        const key = `${size}:student:${c.upscale}:${c.chain}:${seed}`;
        if ((await done(out)).has(key)) continue;
        const source = c.chain === 'none' ? [] : [`source=${dir}/${c.chain === 'teacher-student' ? 'teacher' : 'tutor'}.json`];
        console.log(`== ${key}`);
        const r = await runSegment(
          parseSegArgs([...common, `size=${size}`, `seed=${seed}`, 'model=student', `upscale=${c.upscale}`, `chain=${c.chain}`, `steps=${steps}`, ...source]),
          (l) => console.log(`  ${l}`),
        );
        await record(key, { role: 'student', ...r });
      }
    }
  }
}
