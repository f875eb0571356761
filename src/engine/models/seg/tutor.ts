/**
 * Tutor (Yang, Xue, Qi, Xin, ISVC 2021; TECHNIQUES.md §2 choice): the student plus a 1/4 path from the stem after its
 * 2nd stride-2 conv (two 3×3 conv-BN-ReLU cells), fused into the aggregation so the head runs at 1/4:
 * fused 1/8 map → 1×1 conv-BN-ReLU → upscale ×2 → concat with the 1/4 path → 3×3 refine → head → final ×4 (the variant's plan at r = 4). NHWC, HWIO.
 */
import { scaleChannels } from '../layers';
import { createParamStore } from '../params';
import {
  aggStep,
  checkInput,
  finishSegModel,
  convUnit,
  createAggStep,
  createConvUnit,
  createFinalHead,
  finalHead,
  upscalePlan,
  type SegBuilder,
} from './blocks';
import type { SegModel, TutorArchitecture } from './segModel';
import { createStudentParts, studentArchitecture, studentAux, studentLogits, studentTrunk, type StudentOptions } from './student';

/** Width of the 1/4 path at width multiplier 1 (the student's 1/4 stem width). */
export const TUTOR_HR_BASE = 32;

export interface TutorOptions extends StudentOptions {
  /** Width of the 1/4 path (default TUTOR_HR_BASE scaled by the width multiplier). */
  hr?: number;
}

/** Resolve options to a JSON architecture (the embedded student's plan is `studentArchitecture(opts).plan`). */
export function tutorArchitecture(opts: Omit<TutorOptions, 'seed'>): TutorArchitecture {
  const s = studentArchitecture(opts);
  const hr = opts.hr ?? scaleChannels(TUTOR_HR_BASE, opts.widthMultiplier ?? 1);
  return { model: 'seg-tutor', numClasses: s.numClasses, inputHeight: s.inputHeight, inputWidth: s.inputWidth, upscale: s.upscale, plan: s.plan, hr };
}

/**
 * Build the tutor. Its store holds every student parameter under the student's name and shape, created first and in
 * the student's order, so with the same seed they start equal to a student's; the tutor's own layers are `tutor.*`.
 * In training the embedded student head (fused 1/8 → `head` → `up8`) is a third aux output, so every student layer learns.
 */
export function buildTutor(arch: TutorArchitecture, seed: number): SegModel {
  checkInput('The tutor', arch.inputHeight, arch.inputWidth, arch.numClasses);
  if (!Number.isInteger(arch.hr) || arch.hr < 1) throw new Error(`The tutor needs a positive integer 1/4-path width, got ${arch.hr}.`);
  const b: SegBuilder = { store: createParamStore(seed), layers: [], aux: false };
  const parts = createStudentParts(b, arch, true);
  const [h4, w4] = [arch.inputHeight / 4, arch.inputWidth / 4];
  const { plan, hr, numClasses: k } = arch;
  const hrPath = [createConvUnit(b, 'tutor.hr.0', 3, plan.stem[1], hr, 1, h4, w4), createConvUnit(b, 'tutor.hr.1', 3, hr, hr, 1, h4, w4)];
  const up = upscalePlan(arch.upscale, 4);
  const agg4 = createAggStep(b, 'tutor.agg4', plan.stem[2], hr, up.agg, h4 / 2, w4 / 2);
  const out = createFinalHead(b, 'tutor.head', 'tutor.up4', hr, plan.head, k, 4, up, h4, w4);
  return finishSegModel(b, 'tutor', arch, (x, mode) => {
    const t = studentTrunk(parts, x, mode);
    const p4 = hrPath.reduce((y, u) => convUnit(u, y, mode), t.s4);
    const f4 = aggStep(agg4, t.f8, p4, mode);
    const logits = finalHead(out, f4, mode);
    const aux = mode.training ? [...studentAux(parts, t, x.shape[1], x.shape[2], mode), studentLogits(parts, t.f8, mode)] : [];
    return { logits, aux, features: { f4, f8: t.f8, f16: t.f16, f32: t.f32 } };
  });
}

/** Build the tutor from options. */
export function createTutor(opts: TutorOptions): SegModel {
  return buildTutor(tutorArchitecture(opts), opts.seed);
}
