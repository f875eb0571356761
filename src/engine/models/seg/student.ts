/** FasterSeg-like student (Chen et al. 2020; TECHNIQUES.md §2): 3 stride-2 stem convs to 1/8, two multi-resolution branches, per-branch aggregation, fused 1/8 head, upscale ×8. NHWC, HWIO. */
import * as tf from '@tensorflow/tfjs-core';
import type { UpscaleKind } from '../upscale';
import type { UpscaleName } from '../../../protocol/labs/segment';
import { scaleChannels, type ForwardMode } from '../layers';
import { createParamStore } from '../params';
import {
  aggStep,
  cell,
  checkInput,
  convUnit,
  createAggStep,
  finishSegModel,
  createCell,
  createConvUnit,
  createHead,
  createFinalHead,
  finalHead,
  half,
  head,
  resize,
  upscalePlan,
  type AggStep,
  type Cell,
  type ConvUnit,
  type SegBuilder,
  type FinalHead,
  type SegHead,
} from './blocks';
import type { CellSpec, SegModel, StudentArchitecture, StudentPlan } from './segModel';

/**
 * The fixed cell sequence (choice; FasterSeg searches it). Branch A: conv @1/8, conv×2 ↓1/16,
 * zoomed @1/16, conv ↓1/32, zoomed @1/32. Branch B: zoomed @1/8, conv ↓1/16, conv×2 @1/16.
 */
export const STUDENT_BRANCH_A: readonly CellSpec[] = [
  { op: 'conv', down: false },
  { op: 'conv2', down: true },
  { op: 'zoomed', down: false },
  { op: 'conv', down: true },
  { op: 'zoomed', down: false },
];
export const STUDENT_BRANCH_B: readonly CellSpec[] = [
  { op: 'zoomed', down: false },
  { op: 'conv', down: true },
  { op: 'conv2', down: false },
];

/** Widths at width multiplier 1: stem 16/32/64 (1/2, 1/4, 1/8), 1/16 128, 1/32 256, head 64. */
export const STUDENT_BASE = { stem: [16, 32, 64], c16: 128, c32: 256, head: 64 } as const;

export interface StudentOptions {
  numClasses: number;
  /** Input height and width (multiples of 32). */
  height: number;
  width: number;
  /** Scales every STUDENT_BASE width (default 1); ignored when `plan` is given. */
  widthMultiplier?: number;
  /** Upscaling variant of the aggregation ×2 steps and the final ×8 (default 'bilinear'; see `upscalePlan`). */
  upscale?: UpscaleName;
  /** Explicit channel/cell plan. */
  plan?: StudentPlan;
  seed: number;
}

/** The §2 plan scaled by a width multiplier. */
export function studentPlan(widthMultiplier = 1): StudentPlan {
  const s = (c: number) => scaleChannels(c, widthMultiplier);
  const [s2, s4, s8] = STUDENT_BASE.stem;
  return {
    stem: [s(s2), s(s4), s(s8)],
    c16: s(STUDENT_BASE.c16),
    c32: s(STUDENT_BASE.c32),
    head: s(STUDENT_BASE.head),
    branchA: STUDENT_BRANCH_A.map((c) => ({ ...c })),
    branchB: STUDENT_BRANCH_B.map((c) => ({ ...c })),
  };
}

/** Resolve options to a JSON architecture. */
export function studentArchitecture(opts: Omit<StudentOptions, 'seed'>): StudentArchitecture {
  const plan = opts.plan ? structuredClone(opts.plan) : studentPlan(opts.widthMultiplier);
  return { model: 'seg-student', numClasses: opts.numClasses, inputHeight: opts.height, inputWidth: opts.width, upscale: opts.upscale ?? 'bilinear', plan };
}

/** A branch: cells, the level (0 = 1/8, 1 = 1/16, 2 = 1/32) after each, and aggregation steps from its lowest level up to 1/8. */
export interface Branch {
  cells: Cell[];
  levels: number[];
  /** agg[l] merges level l + 1 into level l. */
  agg: AggStep[];
}

function createBranch(
  b: SegBuilder,
  name: string,
  specs: readonly CellSpec[],
  downs: number,
  plan: StudentPlan,
  kind: UpscaleKind,
  h8: number,
  w8: number,
): Branch {
  const widths = [plan.stem[2], plan.c16, plan.c32];
  if (specs.filter((c) => c.down).length !== downs) throw new Error(`Student branch ${name} needs exactly ${downs} downsampling cells.`);
  let level = 0;
  const cells: Cell[] = [];
  const levels: number[] = [];
  specs.forEach((spec, i) => {
    const div = 2 ** level;
    const next = spec.down ? level + 1 : level;
    cells.push(createCell(b, `${name}.cell${i}`, spec, widths[level]!, widths[next]!, h8 / div, w8 / div));
    levels.push(next);
    level = next;
  });
  const agg: AggStep[] = [];
  for (let l = downs - 1; l >= 0; l--) {
    const step = createAggStep(b, `${name}.agg${8 * 2 ** l}`, widths[l + 1]!, widths[l]!, kind, h8 / 2 ** (l + 1), w8 / 2 ** (l + 1));
    agg[l] = step;
  }
  return { cells, levels, agg };
}

/** Branch forward from the 1/8 stem feature: the aggregated 1/8 map, and the last feature of every level. */
function branch(br: Branch, x8: tf.Tensor4D, mode: ForwardMode): { out: tf.Tensor4D; feats: tf.Tensor4D[]; aggs: tf.Tensor4D[] } {
  const feats: tf.Tensor4D[] = [x8];
  let x = x8;
  br.cells.forEach((c, i) => {
    x = cell(c, x, mode);
    feats[br.levels[i]!] = x;
  });
  const aggs: tf.Tensor4D[] = [];
  let low = feats[br.agg.length]!;
  for (let l = br.agg.length - 1; l >= 0; l--) {
    low = aggStep(br.agg[l]!, low, feats[l]!, mode);
    aggs[l] = low;
  }
  return { out: low, feats, aggs };
}

/** Every student layer; the tutor creates exactly these first, in this order, under the same names. */
export interface StudentParts {
  stem: ConvUnit[];
  a: Branch;
  b: Branch;
  fuse: ConvUnit;
  /** The head and the final ×8 (`head`, `up8` or `head.subpixel`). */
  out: FinalHead;
  aux16: SegHead;
  aux32: SegHead;
}

/**
 * Create the student's layers (names `stem.i`, `a.cellI.j`, `a.agg16|agg8.reduce|up|refine`, `b.*`, `fuse`, `head` and `up8`
 * (or `head.subpixel`), `aux16`, `aux32`). `headIsAux` marks the head and final upscale as training-only (the tutor's embedded student head).
 */
export function createStudentParts(
  b: SegBuilder,
  arch: Pick<StudentArchitecture, 'numClasses' | 'inputHeight' | 'inputWidth' | 'upscale' | 'plan'>,
  headIsAux = false,
): StudentParts {
  const { plan, numClasses: k } = arch;
  const up = upscalePlan(arch.upscale, 8);
  let [h, w] = [arch.inputHeight, arch.inputWidth];
  let cin = 3;
  const stem = plan.stem.map((c, i) => {
    [h, w] = [half(h), half(w)];
    const u = createConvUnit(b, `stem.${i}`, 3, cin, c, 2, h, w);
    cin = c;
    return u;
  });
  const c8 = plan.stem[2];
  const a = createBranch(b, 'a', plan.branchA, 2, plan, up.agg, h, w);
  const br = createBranch(b, 'b', plan.branchB, 1, plan, up.agg, h, w);
  const fuse = createConvUnit(b, 'fuse', 1, 2 * c8, c8, 1, h, w);
  const aux = b.aux;
  b.aux = aux || headIsAux;
  const out = createFinalHead(b, 'head', 'up8', c8, plan.head, k, 8, up, h, w);
  b.aux = true;
  const aux16 = createHead(b, 'aux16', plan.c16, plan.head, k, h / 2, w / 2);
  const aux32 = createHead(b, 'aux32', plan.c32, plan.head, k, h / 4, w / 4);
  b.aux = aux;
  return { stem, a, b: br, fuse, out, aux16, aux32 };
}

/** Student trunk forward (NHWC): the 1/4 stem feature, the fused 1/8 map, branch A's aggregated 1/16 and raw 1/32 features. */
export function studentTrunk(p: StudentParts, x: tf.Tensor4D, mode: ForwardMode): { s4: tf.Tensor4D; f8: tf.Tensor4D; f16: tf.Tensor4D; f32: tf.Tensor4D } {
  const s2 = convUnit(p.stem[0]!, x, mode);
  const s4 = convUnit(p.stem[1]!, s2, mode);
  const s8 = convUnit(p.stem[2]!, s4, mode);
  const a = branch(p.a, s8, mode);
  const b = branch(p.b, s8, mode);
  const f8 = convUnit(p.fuse, tf.concat([a.out, b.out], 3), mode);
  return { s4, f8, f16: a.aggs[1]!, f32: a.feats[2]! };
}

/** Student aux logits [1/16, 1/32], bilinearly resized to h×w. */
export function studentAux(p: StudentParts, t: { f16: tf.Tensor4D; f32: tf.Tensor4D }, h: number, w: number, mode: ForwardMode): tf.Tensor4D[] {
  return [resize(head(p.aux16, t.f16, mode), h, w), resize(head(p.aux32, t.f32, mode), h, w)];
}

/** The student's own logits from the fused 1/8 map: head → final ×8. */
export function studentLogits(p: StudentParts, f8: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  return finalHead(p.out, f8, mode);
}

/** Build the student from a JSON architecture (seeded He init). */
export function buildStudent(arch: StudentArchitecture, seed: number): SegModel {
  checkInput('The student', arch.inputHeight, arch.inputWidth, arch.numClasses);
  const b: SegBuilder = { store: createParamStore(seed), layers: [], aux: false };
  const parts = createStudentParts(b, arch);
  return finishSegModel(b, 'student', arch, (x, mode) => {
    const t = studentTrunk(parts, x, mode);
    const logits = studentLogits(parts, t.f8, mode);
    const aux = mode.training ? studentAux(parts, t, x.shape[1], x.shape[2], mode) : [];
    return { logits, aux, features: { f8: t.f8, f16: t.f16, f32: t.f32 } };
  });
}

/** Build the FasterSeg-like student from options. */
export function createStudent(opts: StudentOptions): SegModel {
  return buildStudent(studentArchitecture(opts), opts.seed);
}
