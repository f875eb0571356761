/**
 * `npm run pretrain:segment`: trains the Segment lab's demo models on the built-in street scenes with
 * fixed seeds — the teacher on labels, the tutor distilled from the teacher, then both students
 * (bilinear and PixelShuffle) distilled through the tutor (TECHNIQUES.md §2) — and writes them with a
 * manifest to public/models/segment/<size>/. Settings: key=value (size=low, teacherSteps, steps, backend,
 * style, classBalance, trainSize, outDir). The defaults are issue #15's recipe: the realistic scenes (3,000 of
 * them), median-frequency class balancing in every stage's label loss, a 3,000-step teacher and 800-step
 * tutor and students — measured on real CamVid photos in the README.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { initBackend, STREET_STYLES } from '../../src/engine';
import { SEG_CLASS_BALANCES, SEG_SIZES } from '../../src/protocol/labs/segment';
import { parseKeyValues } from './keyValues';
import { isBackendPreference } from '../../src/protocol/backend';
import { parseSegArgs, runSegment } from './segment';

const OUT = 'public/models/segment';
const KNOWN = new Set(['size', 'teacherSteps', 'steps', 'backend', 'style', 'classBalance', 'trainSize', 'outDir']);

export async function main(args: string[]): Promise<void> {
  const kv = parseKeyValues(args, KNOWN, { style: STREET_STYLES, classBalance: SEG_CLASS_BALANCES, size: SEG_SIZES });
  const size = kv.pick('size', 'low');
  const teacherSteps = Math.round(kv.num('teacherSteps', 3000));
  const steps = Math.round(kv.num('steps', 800));
  const backend = kv.get('backend') ?? 'wasm';
  const style = kv.pick('style', 'realistic');
  const classBalance = kv.pick('classBalance', 'median-frequency');
  const trainSize = Math.round(kv.num('trainSize', 3000));
  if (!isBackendPreference(backend)) throw new Error(`backend=${backend} is not a backend`);
  const info = await initBackend(backend);
  const common = [
    `size=${size}`,
    `style=${style}`,
    `classBalance=${classBalance}`,
    `trainSize=${trainSize}`,
    'testSize=100',
    'dataSeed=1',
    'seed=1',
    'logEvery=50',
    'origin=npm run pretrain:segment',
  ];
  const dir = `${kv.get('outDir') ?? OUT}/${size}`;
  await mkdir(dir, { recursive: true });
  const plan: { slot: string; args: string[] }[] = [
    { slot: 'teacher', args: ['model=teacher', `steps=${teacherSteps}`, `evalEvery=${Math.round(teacherSteps / 3)}`] },
    { slot: 'tutor', args: ['model=tutor', 'chain=teacher-student', `source=${dir}/teacher.json`, `steps=${steps}`] },
    { slot: 'student-bilinear', args: ['model=student', 'upscale=bilinear', 'chain=teacher-tutor-student', `source=${dir}/tutor.json`, `steps=${steps}`] },
    {
      slot: 'student-pixelshuffle',
      args: ['model=student', 'upscale=pixelshuffle', 'chain=teacher-tutor-student', `source=${dir}/tutor.json`, `steps=${steps}`],
    },
  ];
  const t0 = performance.now();
  const models: Record<string, unknown>[] = [];
  for (const p of plan) {
    const a = parseSegArgs([...common, ...p.args, `out=${dir}/${p.slot}.json`, `backend=${backend}`]);
    console.log(`== ${p.slot}`);
    const r = await runSegment(a, (line) => console.log(`  ${line}`));
    models.push({
      slot: p.slot,
      file: `${size}/${p.slot}.json`,
      chain: a.chain,
      steps: a.steps,
      params: r.params,
      macs: r.macs,
      mIoU: r.mIoU,
      seconds: r.seconds,
    });
    console.log(`RESULT ${JSON.stringify({ slot: p.slot, ...r })}`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const manifest = {
    format: 'pdw-segmentation-zoo',
    size,
    style,
    classBalance,
    trainSize,
    createdBy: 'npm run pretrain:segment',
    backend: info.name,
    machine: `${cpu}, ${os.cpus().length} cores`,
    seconds,
    models,
  };
  await writeFile(`${dir}/manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`done in ${(seconds / 60).toFixed(1)} min on ${info.name} (${manifest.machine})`);
}
