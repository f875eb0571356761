/**
 * `npm run pretrain:segment`: trains the Segment lab's demo models on the built-in street scenes with
 * fixed seeds — the teacher on labels, the tutor distilled from the teacher, then both students
 * (bilinear and PixelShuffle) distilled through the tutor (TECHNIQUES.md §2) — and writes them with a
 * manifest to public/models/segment/<size>/. Settings: key=value (size=low, teacherWidth=1/4|1/2, teacherHead=plain|refined|full and
 * teacherFinetuneHead (the teacher's head in its first and second phase: the refinement at 1/2 and the full-resolution
 * stage may be added in the second, never dropped), teacherSteps, steps (the tutor's),
 * teacherFinetuneSteps, teacherFinetuneLr and teacherFinetuneLovasz (the teacher's second phase from its own weights, with
 * that Lovász-softmax weight; 0 steps for none), tutorSeed (every other slot trains with seed 1), studentSteps, studentFinetuneSteps,
 * studentFinetuneLr and studentFinetuneLovasz (the students' second phase, as the teacher's, still through the tutor), backend, style, classBalance (teacher and tutor), studentClassBalance, studentAffinity=none|fa|ffa, trainSize, outDir,
 * slots=teacher,tutor,student-bilinear,student-pixelshuffle
 * to retrain only some: the others keep their files and manifest entries). The defaults are issue #15's recipe: the
 * realistic scenes (3,000 of them), a 3,000-step width-1/2 teacher with the plain head trained on 1,600 more steps from
 * lr 0.01 with the Lovász-softmax term at weight 3 and the refinement head and full-resolution stage added, and a 6,400-step
 * tutor with square-root median-frequency
 * class balancing, 6,400-step students with median-frequency balancing (with the square root their 1/8 head gave up
 * poles: 3 and 0 % IoU on the validation scenes against 10 and 10 %) and the FFA term to the tutor's 1/8 features
 * (§3), the PixelShuffle one with issue #13's best variant (ps-agg) — measured on real CamVid photos in the README.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { initBackend, STREET_STYLES } from '../../src/engine';
import {
  SEG_AFFINITY_LOSSES,
  SEG_CLASS_BALANCES,
  SEG_SIZES,
  SEG_TEACHER_HEADS,
  SEG_TEACHER_REFINE,
  SEG_TEACHER_REFINE_FULL,
  SEG_TEACHER_WIDTHS,
  SEG_TEACHER_WIDTH_VALUE,
  type SegTeacherHead,
} from '../../src/protocol/labs/segment';
import { parseKeyValues } from './keyValues';
import { isBackendPreference, type BackendPreference } from '../../src/protocol/backend';
import { parseSegArgs, runSegment } from './segment';

const OUT = 'public/models/segment';
const KNOWN = new Set([
  'size',
  'teacherWidth',
  'teacherSteps',
  'teacherFinetuneSteps',
  'teacherFinetuneLr',
  'teacherFinetuneLovasz',
  'teacherHead',
  'teacherFinetuneHead',
  'steps',
  'studentSteps',
  'backend',
  'style',
  'classBalance',
  'studentClassBalance',
  'studentAffinity',
  'trainSize',
  'outDir',
  'slots',
  'tutorSeed',
  'studentFinetuneSteps',
  'studentFinetuneLr',
  'studentFinetuneLovasz',
]);
const SLOTS = ['teacher', 'tutor', 'student-bilinear', 'student-pixelshuffle'] as const;

/** One training run of the recipe: the slot it fills, whether it is that slot's second phase, and segment.ts's arguments. */
export interface PretrainRun {
  slot: string;
  finetune?: boolean;
  /** Complete `segment.ts` arguments (parseSegArgs reads them). */
  args: string[];
}

/**
 * The recipe `npm run pretrain:segment` runs for these settings, without running it: the zoo folder, the backend and
 * each run in order (the slots not asked for left out). Throws the message for a bad setting.
 */
export function pretrainPlan(args: string[]): { dir: string; size: string; style: string; trainSize: number; backend: BackendPreference; runs: PretrainRun[] } {
  const kv = parseKeyValues(args, KNOWN, {
    style: STREET_STYLES,
    classBalance: SEG_CLASS_BALANCES,
    studentClassBalance: SEG_CLASS_BALANCES,
    size: SEG_SIZES,
    teacherWidth: SEG_TEACHER_WIDTHS,
    teacherHead: SEG_TEACHER_HEADS,
    teacherFinetuneHead: SEG_TEACHER_HEADS,
    studentAffinity: SEG_AFFINITY_LOSSES,
  });
  // The students' optional §3 affinity term to the tutor's 1/8 features (order 2, weight 1, k 15: the lab's defaults).
  const studentAffinity = kv.pick('studentAffinity', 'ffa');
  const teacherWidth = kv.pick('teacherWidth', '1/2');
  // The teacher's head in its first phase, and in its second (a refinement may be added there, never dropped).
  const teacherHead = kv.pick('teacherHead', 'plain');
  const teacherFinetuneHead = kv.pick('teacherFinetuneHead', 'full');
  if (SEG_TEACHER_HEADS.indexOf(teacherFinetuneHead) < SEG_TEACHER_HEADS.indexOf(teacherHead))
    throw new Error(`teacherFinetuneHead=${teacherFinetuneHead}: a ${teacherHead}-head teacher cannot drop heads (plain → refined → full)`);
  const headArgs = (head: SegTeacherHead) => [
    `refine=${head === 'plain' ? 0 : SEG_TEACHER_REFINE}`,
    `refineFull=${head === 'full' ? SEG_TEACHER_REFINE_FULL : 0}`,
  ];
  const size = kv.pick('size', 'low');
  const teacherSteps = Math.round(kv.num('teacherSteps', 3000));
  // A slot's second phase (teacher…, student…): this many more steps from its own weights (0 = none), a fresh poly
  // schedule from this lr, with the Lovász-softmax term at this weight (0 = none).
  const phaseSettings = (who: 'teacher' | 'student', steps: number) => {
    const p = { steps: Math.round(kv.num(`${who}FinetuneSteps`, steps)), lr: kv.num(`${who}FinetuneLr`, 0.01), lovasz: kv.num(`${who}FinetuneLovasz`, 3) };
    if (p.steps < 0 || !(p.lr > 0) || !(p.lovasz >= 0)) throw new Error(`${who}FinetuneSteps and ${who}FinetuneLovasz must be ≥ 0 and ${who}FinetuneLr > 0`);
    return p;
  };
  const teacherFinetune = phaseSettings('teacher', 1600);
  const steps = Math.round(kv.num('steps', 6400));
  // The tutor's seed (its weights' initialisation and batch order; every other slot trains with seed 1).
  const tutorSeed = Math.round(kv.num('tutorSeed', 1));
  const studentSteps = Math.round(kv.num('studentSteps', 6400));
  // The students' second phase, as the teacher's (still distilled through the tutor); none by default.
  const studentFinetune = phaseSettings('student', 0);
  const slots = (kv.get('slots') ?? SLOTS.join(',')).split(',').filter(Boolean);
  for (const s of slots) if (!(SLOTS as readonly string[]).includes(s)) throw new Error(`slots=${s}: the slots are ${SLOTS.join(', ')}`);
  const backend = kv.get('backend') ?? 'wasm';
  const style = kv.pick('style', 'realistic');
  // The teacher's and tutor's class balancing, and the students' (their 1/8 head draws poles only under the full weights).
  const classBalance = kv.pick('classBalance', 'sqrt-median-frequency');
  const studentClassBalance = kv.pick('studentClassBalance', 'median-frequency');
  const trainSize = Math.round(kv.num('trainSize', 3000));
  if (!isBackendPreference(backend)) throw new Error(`backend=${backend} is not a backend`);
  const common = [`size=${size}`, `style=${style}`, `trainSize=${trainSize}`, 'testSize=100', 'dataSeed=1', 'logEvery=50', 'origin=npm run pretrain:segment'];
  const dir = `${kv.get('outDir') ?? OUT}/${size}`;
  const studentArgs = (upscale: string) => [
    'seed=1',
    'model=student',
    `upscale=${upscale}`,
    'chain=teacher-tutor-student',
    `classBalance=${studentClassBalance}`,
    `affinity=${studentAffinity}`,
    `source=${dir}/tutor.json`,
  ];
  // A slot's second phase from its own weights (its first phase's arguments, then the phase's own).
  const secondPhase = (slot: string, base: string[], p: ReturnType<typeof phaseSettings>): PretrainRun[] =>
    p.steps > 0
      ? [
          {
            slot,
            finetune: true,
            args: [...base, `init=${dir}/${slot}.json`, `lr=${p.lr}`, `lovaszWeight=${p.lovasz}`, `steps=${p.steps}`, `evalEvery=${Math.round(p.steps / 2)}`],
          },
        ]
      : [];
  const student = (slot: string, upscale: string): PretrainRun[] => [
    { slot, args: [...studentArgs(upscale), `steps=${studentSteps}`] },
    ...secondPhase(slot, studentArgs(upscale), studentFinetune),
  ];
  const teacherArgs = ['seed=1', 'model=teacher', `width=${SEG_TEACHER_WIDTH_VALUE[teacherWidth]}`, `classBalance=${classBalance}`];
  const plan: PretrainRun[] = [
    { slot: 'teacher', args: [...teacherArgs, ...headArgs(teacherHead), `steps=${teacherSteps}`, `evalEvery=${Math.round(teacherSteps / 3)}`] },
    ...secondPhase('teacher', [...teacherArgs, ...headArgs(teacherFinetuneHead)], teacherFinetune),
    {
      slot: 'tutor',
      args: [`seed=${tutorSeed}`, 'model=tutor', 'chain=teacher-student', `classBalance=${classBalance}`, `source=${dir}/teacher.json`, `steps=${steps}`],
    },
    ...student('student-bilinear', 'bilinear'),
    // The best PixelShuffle variant of issue #13 (PixelShuffle in the ×2 aggregations, final ×8 bilinear: nothing acts on logits).
    ...student('student-pixelshuffle', 'ps-agg'),
  ];
  const runs = plan
    .filter((p) => slots.includes(p.slot))
    .map((p) => ({ ...p, args: [...common, ...p.args, `out=${dir}/${p.slot}.json`, `backend=${backend}`] }));
  return { dir, size, style, trainSize, backend, runs };
}

export async function main(args: string[]): Promise<void> {
  const { dir, size, style, trainSize, backend, runs } = pretrainPlan(args);
  const info = await initBackend(backend);
  await mkdir(dir, { recursive: true });
  const t0 = performance.now();
  const models: Record<string, unknown>[] = [];
  for (const p of runs) {
    const a = parseSegArgs(p.args);
    console.log(`== ${p.slot}${p.finetune ? ' (second phase: from its own weights)' : ''}`);
    const r = await runSegment(a, (line) => console.log(`  ${line}`));
    console.log(`RESULT ${JSON.stringify({ slot: p.slot, ...r })}`);
    const first = p.finetune ? models.find((m) => m.slot === p.slot) : undefined;
    if (first) {
      // The entry keeps the first phase's steps (what a chain's stage runs) and names the second phase.
      first.finetune = {
        steps: a.steps,
        lr: a.hyperparams.lr,
        lovaszWeight: a.hyperparams.lovaszWeight,
        ...(a.refine && !first.refine ? { addsRefine: a.refine } : {}),
        ...(a.refineFull && !first.refineFull ? { addsRefineFull: a.refineFull } : {}),
      };
      if (a.refine) Object.assign(first, { refine: a.refine, params: r.params, macs: r.macs }); // the model as it ends
      if (a.refineFull) first.refineFull = a.refineFull;
      first.mIoU = r.mIoU;
      first.seconds = (first.seconds as number) + (r.seconds as number);
      continue;
    }
    models.push({
      slot: p.slot,
      file: `${size}/${p.slot}.json`,
      chain: a.chain,
      upscale: a.upscale,
      steps: a.steps,
      seed: a.seed,
      width: a.width,
      ...(a.refine ? { refine: a.refine } : {}),
      ...(a.refineFull ? { refineFull: a.refineFull } : {}),
      classBalance: a.classBalance,
      affinity: a.affinity,
      params: r.params,
      macs: r.macs,
      mIoU: r.mIoU,
      seconds: r.seconds,
      machine: `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores`,
    });
  }
  const seconds = (performance.now() - t0) / 1000;
  // Slots not retrained here keep their manifest entries (slots=… retrains part of the zoo; read now, as another process may
  // have retrained another slot meanwhile).
  // Each entry names its own width and class balancing; the zoo-wide fields below come from the teacher's and the bilinear
  // student's entries (manifests from before these fields: width 1/4, the one class balancing of the whole zoo).
  let old: { models?: Record<string, unknown>[]; classBalance?: string; studentClassBalance?: string } = {};
  try {
    old = JSON.parse(await readFile(`${dir}/manifest.json`, 'utf8')) as typeof old;
    models.push(...(old.models ?? []).filter((m) => !models.some((n) => n.slot === m.slot)));
  } catch {
    // no manifest yet
  }
  models.sort((a, b) => SLOTS.indexOf(a.slot as (typeof SLOTS)[number]) - SLOTS.indexOf(b.slot as (typeof SLOTS)[number]));
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const entry = (slot: string) => models.find((m) => m.slot === slot);
  const teacherWidthOf = (w: unknown) => SEG_TEACHER_WIDTHS.find((k) => SEG_TEACHER_WIDTH_VALUE[k] === (w ?? SEG_TEACHER_WIDTH_VALUE['1/4'])) ?? String(w);
  const manifest = {
    format: 'pdw-segmentation-zoo',
    size,
    style,
    classBalance: entry('teacher')?.classBalance ?? old.classBalance,
    studentClassBalance: entry('student-bilinear')?.classBalance ?? old.studentClassBalance ?? old.classBalance,
    teacherWidth: teacherWidthOf(entry('teacher')?.width),
    trainSize,
    createdBy: 'npm run pretrain:segment',
    backend: info.name,
    // Over every slot's training, which may have run at different times (slots=…) and on different machines.
    machine: [...new Set(models.map((m) => m.machine ?? `${cpu}, ${os.cpus().length} cores`))].join('; '),
    seconds: models.reduce((t, m) => t + (typeof m.seconds === 'number' ? m.seconds : 0), 0),
    models,
  };
  await writeFile(`${dir}/manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`done in ${(seconds / 60).toFixed(1)} min on ${info.name} (${manifest.machine})`);
}
