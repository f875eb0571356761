/**
 * HRNet-like teacher (Wang et al. 2019; TECHNIQUES.md §2): stem to 1/4, streams at 1/4, 1/8, 1/16, 1/32 added one per
 * stage, each module = basic residual blocks per stream + multi-resolution fusion; head on all streams upsampled to 1/4.
 * Optionally (architecture `refine`) a 1/2-resolution refinement head after DeepLabv3+'s decoder (Chen et al. 2018): the
 * head's features joined with the first stem conv's (1/2, low-level) and classified there; its logits, upsampled, are
 * added to the 1/4 head's, and its classifier starts at zero, so a refined teacher starts as the plain one it is built on.
 * NHWC activations, HWIO kernels; every upsampling is bilinear (the upscale choice applies to student and tutor only).
 */
import * as tf from '@tensorflow/tfjs-core';
import { scaleChannels, type ForwardMode } from '../layers';
import { createParamStore } from '../params';
import { basicBlock, createBasicBlock, type BasicBlock } from '../resnet18';
import {
  checkInput,
  classify,
  finishSegModel,
  convUnit,
  createClassifier,
  createConvUnit,
  half,
  resize,
  type Classifier1x1,
  type ConvUnit,
  type SegBuilder,
} from './blocks';
import type { SegModel, TeacherArchitecture } from './segModel';

/** Widths at multiplier 1 (HRNetV2-W48-like streams), 2 basic blocks per stream, one module per stage. */
export const TEACHER_BASE = { stem: 64, streams: [48, 96, 192, 384], blocks: 2, modules: [1, 1, 1, 1] } as const;

export interface TeacherOptions {
  numClasses: number;
  height: number;
  width: number;
  /** Scales the stem and stream widths (default 1). */
  widthMultiplier?: number;
  blocks?: number;
  modules?: [number, number, number, number];
  /** Channels of the optional 1/2-resolution refinement head (see TeacherArchitecture.refine); 0 or absent for none. */
  refine?: number;
  /** Channels of the optional full-resolution refinement after the 1/2 one (TeacherArchitecture.refineFull); needs `refine`. */
  refineFull?: number;
  seed: number;
}

/** Resolve options to a JSON architecture. */
export function teacherArchitecture(opts: Omit<TeacherOptions, 'seed'>): TeacherArchitecture {
  const s = (c: number) => scaleChannels(c, opts.widthMultiplier ?? 1);
  const [a, b, c, d] = TEACHER_BASE.streams;
  const [m1, m2, m3, m4] = TEACHER_BASE.modules;
  return {
    model: 'seg-teacher',
    numClasses: opts.numClasses,
    inputHeight: opts.height,
    inputWidth: opts.width,
    stem: s(TEACHER_BASE.stem),
    streams: [s(a), s(b), s(c), s(d)],
    blocks: opts.blocks ?? TEACHER_BASE.blocks,
    modules: opts.modules ? [...opts.modules] : [m1, m2, m3, m4],
    ...(opts.refine ? { refine: opts.refine } : {}),
    ...(opts.refineFull ? { refineFull: opts.refineFull } : {}),
  };
}

/** Log a BasicBlock's convs and BNs (3×3 conv1 stride s, 3×3 conv2, 1×1 projection when shape changes). */
function createBlock(b: SegBuilder, name: string, cin: number, cout: number, h: number, w: number): BasicBlock {
  const block = createBasicBlock(b.store, name, cin, cout, cout, 1);
  const log = (n: string, k: number, ci: number) => {
    b.layers.push({ name: `${name}.${n}`, kind: 'conv', params: k * k * ci * cout, macs: k * k * ci * cout * h * w, aux: false });
    b.layers.push({ name: `${name}.${n.replace('conv', 'bn')}`, kind: 'bn', params: 2 * cout, macs: 0, aux: false });
  };
  log('conv1', 3, cin);
  log('conv2', 3, cout);
  if (block.shortcut) log('shortcut.conv', 1, cin);
  return block;
}

/** fuse[i][j]: how stream j reaches stream i (undefined for i = j: identity). */
type Fusion = (ConvUnit[] | undefined)[][];

interface Module {
  blocks: BasicBlock[][];
  fuse: Fusion;
}

/** Fusion (HRNet): j > i: 1×1 conv-BN then bilinear up; j < i: (i−j) stride-2 3×3 convs (BN-ReLU between, BN last); summed, ReLU. */
function createFusion(b: SegBuilder, name: string, widths: number[], sizes: [number, number][]): Fusion {
  return widths.map((ci, i) =>
    widths.map((cj, j) => {
      if (j === i) return undefined;
      if (j > i) return [createConvUnit(b, `${name}.${i}.${j}`, 1, cj, ci, 1, sizes[j]![0], sizes[j]![1], false)];
      return Array.from({ length: i - j }, (_, k) => {
        const last = k === i - j - 1;
        const [oh, ow] = sizes[j + k + 1]!;
        return createConvUnit(b, `${name}.${i}.${j}.${k}`, 3, cj, last ? ci : cj, 2, oh, ow, !last);
      });
    }),
  );
}

function fuse(f: Fusion, xs: tf.Tensor4D[], mode: ForwardMode): tf.Tensor4D[] {
  return xs.map((xi, i) => {
    const terms = xs.map((xj, j) => {
      const path = f[i]![j];
      if (!path) return xi;
      const y = path.reduce((t, u) => convUnit(u, t, mode), xj);
      return j > i ? resize(y, xi.shape[1], xi.shape[2]) : y;
    });
    return tf.relu(tf.addN(terms)) as tf.Tensor4D;
  });
}

/** The 1/2-resolution refinement head (TeacherArchitecture.refine), and its optional full-resolution stage (refineFull). */
interface Refine {
  reduce: ConvUnit;
  conv: ConvUnit;
  cls: Classifier1x1;
  full: { detail: ConvUnit; conv: ConvUnit; cls: Classifier1x1 } | null;
}

/**
 * Its layers: 1×1 conv-BN-ReLU total → c at 1/4, 3×3 conv-BN-ReLU (c + stem) → c at 1/2, a zero-initialised 1×1
 * classifier; with `full` channels f also a 3×3 conv-BN-ReLU 3 → f on the input image, a 3×3 conv-BN-ReLU (c + f) → f
 * at full resolution on the 1/2 features upsampled ×2 joined with it, and a zero-initialised 1×1 classifier.
 */
function createRefine(b: SegBuilder, c: number, full: number, total: number, stem: number, numClasses: number, h4: number, w4: number): Refine {
  const r: Refine = {
    reduce: createConvUnit(b, 'refine.reduce', 1, total, c, 1, h4, w4),
    conv: createConvUnit(b, 'refine.conv', 3, c + stem, c, 1, 2 * h4, 2 * w4),
    cls: createClassifier(b, 'refine.cls', c, numClasses, 2 * h4, 2 * w4),
    full: full
      ? {
          detail: createConvUnit(b, 'refine.full.detail', 3, 3, full, 1, 4 * h4, 4 * w4),
          conv: createConvUnit(b, 'refine.full.conv', 3, c + full, full, 1, 4 * h4, 4 * w4),
          cls: createClassifier(b, 'refine.full.cls', full, numClasses, 4 * h4, 4 * w4),
        }
      : null,
  };
  tf.tidy(() => {
    r.cls.kernel.assign(tf.zerosLike(r.cls.kernel));
    if (r.full) r.full.cls.kernel.assign(tf.zerosLike(r.full.cls.kernel));
  });
  return r;
}

/**
 * The refinement's logits at the input's size: the head's features reduced and upsampled ×2, joined with the first stem
 * conv's output and classified at 1/2, upsampled; plus, with the full stage, its logits from those 1/2 features upsampled
 * ×2 joined with the detail conv of the input image.
 */
function refineLogits(r: Refine, head: tf.Tensor4D, half1: tf.Tensor4D, x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
  const up = resize(convUnit(r.reduce, head, mode), half1.shape[1], half1.shape[2]);
  const feat = convUnit(r.conv, tf.concat([up, half1], 3), mode);
  const logits = resize(classify(r.cls, feat), x.shape[1], x.shape[2]);
  if (!r.full) return logits;
  const detail = convUnit(r.full.detail, x, mode);
  const fused = convUnit(r.full.conv, tf.concat([resize(feat, x.shape[1], x.shape[2]), detail], 3), mode);
  return tf.add(logits, classify(r.full.cls, fused));
}

/** Build the teacher from a JSON architecture (seeded He init). */
export function buildTeacher(arch: TeacherArchitecture, seed: number): SegModel {
  checkInput('The teacher', arch.inputHeight, arch.inputWidth, arch.numClasses);
  if (!Number.isInteger(arch.blocks) || arch.blocks < 1) throw new Error(`The teacher needs at least one block per stream, got ${arch.blocks}.`);
  if (arch.modules.length !== 4 || arch.modules.some((m) => !Number.isInteger(m) || m < 1)) throw new Error('The teacher needs 4 positive module counts.');
  const b: SegBuilder = { store: createParamStore(seed), layers: [], aux: false };
  const sizes: [number, number][] = [];
  let [h, w] = [half(half(arch.inputHeight)), half(half(arch.inputWidth))];
  for (let i = 0; i < 4; i++) {
    sizes.push([h, w]);
    [h, w] = [half(h), half(w)];
  }
  const [h4, w4] = sizes[0]!;
  const stem = [createConvUnit(b, 'stem.0', 3, 3, arch.stem, 2, h4 * 2, w4 * 2), createConvUnit(b, 'stem.1', 3, arch.stem, arch.stem, 2, h4, w4)];
  const transitions: ConvUnit[] = [];
  const stages: Module[][] = [];
  let inWidths = [arch.stem];
  for (let s = 0; s < 4; s++) {
    const widths = arch.streams.slice(0, s + 1);
    if (s > 0) transitions.push(createConvUnit(b, `transition${s + 1}`, 3, widths[s - 1]!, widths[s]!, 2, sizes[s]![0], sizes[s]![1]));
    const modules: Module[] = [];
    for (let m = 0; m < arch.modules[s]!; m++) {
      const blocks = widths.map((c, i) =>
        Array.from({ length: arch.blocks }, (_, j) =>
          createBlock(b, `stage${s + 1}.m${m}.s${i}.b${j}`, j === 0 ? (inWidths[i] ?? c) : c, c, sizes[i]![0], sizes[i]![1]),
        ),
      );
      modules.push({ blocks, fuse: s > 0 ? createFusion(b, `stage${s + 1}.m${m}.fuse`, widths, sizes) : [] });
      inWidths = widths;
    }
    stages.push(modules);
  }
  const total = arch.streams.reduce((n, c) => n + c, 0);
  const headUnit = createConvUnit(b, 'head', 1, total, total, 1, h4, w4);
  const cls: Classifier1x1 = createClassifier(b, 'head.cls', total, arch.numClasses, h4, w4);
  if (arch.refineFull && !arch.refine) throw new Error("The teacher's full-resolution refinement needs the 1/2 one (refine).");
  const refine = arch.refine ? createRefine(b, arch.refine, arch.refineFull ?? 0, total, arch.stem, arch.numClasses, h4, w4) : null;

  return finishSegModel(b, 'teacher', arch, (x, mode) => {
    const half1 = convUnit(stem[0]!, x, mode);
    let xs = [convUnit(stem[1]!, half1, mode)];
    stages.forEach((modules, s) => {
      if (s > 0) xs = [...xs, convUnit(transitions[s - 1]!, xs[s - 1]!, mode)];
      for (const m of modules) {
        xs = xs.map((xi, i) => m.blocks[i]!.reduce((y, blk) => basicBlock(blk, y, mode), xi));
        if (s > 0) xs = fuse(m.fuse, xs, mode);
      }
    });
    const [hh, ww] = [xs[0]!.shape[1], xs[0]!.shape[2]];
    const cat = tf.concat(
      xs.map((xi) => resize(xi, hh, ww)),
      3,
    );
    const head = convUnit(headUnit, cat, mode);
    let logits = resize(classify(cls, head), x.shape[1], x.shape[2]);
    if (refine) logits = tf.add(logits, refineLogits(refine, head, half1, x, mode));
    return { logits, aux: [], features: { f4: xs[0]!, f8: xs[1]!, f16: xs[2]!, f32: xs[3]! } };
  });
}

/** Build the HRNet-like teacher from options. */
export function createTeacher(opts: TeacherOptions): SegModel {
  return buildTeacher(teacherArchitecture(opts), opts.seed);
}
