/**
 * The Affinity lab's EfficientNet-like classifiers for 32×32 input (TECHNIQUES.md §3): the channel table of the teacher and
 * the student, their plain-JSON architecture, the block plan, and params/MACs computed from the architecture alone. NHWC, HWIO.
 */
import { scaleChannels } from '../layers';
import { convBnCost, mbconvCost, strided, type LayerCost, type MBConvSpec } from './mbconv';

export type AffinityRole = 'teacher' | 'student';

/** One stage: output channels, MBConv repeats, expansion factor, depthwise kernel (3 or 5). */
export interface AffinityStageSpec {
  channels: number;
  repeats: number;
  expand: number;
  kernel: number;
}

/** Widths and depths of one role: stem channels, four stages, head (1×1 conv) channels. */
export interface AffinityPlan {
  stem: number;
  stages: AffinityStageSpec[];
  head: number;
}

/**
 * The models at width multiplier 1 (choice, after EfficientNet-B0's stage pattern). Every stage's first block has stride
 * AFFINITY_STAGE_STRIDES[i] (stage outputs at 32, 16, 8, 4 px of a 32×32 input); the teacher is wider and one block deeper
 * per stage from stage 2 on.
 *
 * | role    | stem | stage 1 (32 px) | stage 2 (16 px) | stage 3 (8 px) | stage 4 (4 px) | head |
 * |---------|------|-----------------|-----------------|----------------|----------------|------|
 * | student | 16   | 16 ×1, e1, k3   | 24 ×2, e6, k3   | 40 ×2, e6, k5  | 80 ×2, e6, k3  | 320  |
 * | teacher | 32   | 24 ×2, e1, k3   | 40 ×3, e6, k3   | 80 ×3, e6, k5  | 160 ×3, e6, k3 | 640  |
 */
export const AFFINITY_PLANS: Readonly<Record<AffinityRole, AffinityPlan>> = {
  student: {
    stem: 16,
    stages: [
      { channels: 16, repeats: 1, expand: 1, kernel: 3 },
      { channels: 24, repeats: 2, expand: 6, kernel: 3 },
      { channels: 40, repeats: 2, expand: 6, kernel: 5 },
      { channels: 80, repeats: 2, expand: 6, kernel: 3 },
    ],
    head: 320,
  },
  teacher: {
    stem: 32,
    stages: [
      { channels: 24, repeats: 2, expand: 1, kernel: 3 },
      { channels: 40, repeats: 3, expand: 6, kernel: 3 },
      { channels: 80, repeats: 3, expand: 6, kernel: 5 },
      { channels: 160, repeats: 3, expand: 6, kernel: 3 },
    ],
    head: 640,
  },
};

/** Stride of each stage's first block (the others have stride 1). */
export const AFFINITY_STAGE_STRIDES = [1, 2, 2, 2] as const;
/** No stem, stage or head narrower than this after the width multiplier. */
export const AFFINITY_MIN_CHANNELS = 8;

/** Plain JSON from which an AffinityNet is rebuilt (`buildAffinityNet`); the channels are already scaled by `width`. */
export interface AffinityArchitecture {
  kind: 'affinity-net';
  role: AffinityRole;
  /** The width multiplier the channels were scaled by (informative; the channels below are what is built). */
  width: number;
  numClasses: number;
  /** Square input side the cost is computed for (a multiple of 8). */
  inputSize: number;
  stem: number;
  stages: AffinityStageSpec[];
  head: number;
}

/** A channel count of the table at a width multiplier: round(c·width), at least AFFINITY_MIN_CHANNELS. */
export function affinityChannels(c: number, width: number): number {
  return Math.max(AFFINITY_MIN_CHANNELS, scaleChannels(c, width));
}

/** The architecture of a role at a width multiplier (table AFFINITY_PLANS). */
export function affinityArchitecture(role: AffinityRole, opts: { numClasses: number; width: number; inputSize?: number }): AffinityArchitecture {
  const { width } = opts;
  if (!(Number.isFinite(width) && width > 0)) throw new Error(`The Affinity ${role} needs a positive width multiplier, got ${width}.`);
  const plan = AFFINITY_PLANS[role];
  const c = (n: number) => affinityChannels(n, width);
  return {
    kind: 'affinity-net',
    role,
    width,
    numClasses: opts.numClasses,
    inputSize: opts.inputSize ?? 32,
    stem: c(plan.stem),
    stages: plan.stages.map((s) => ({ ...s, channels: c(s.channels) })),
    head: c(plan.head),
  };
}

const isCount = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n > 0;

/** Throw one clear sentence unless the architecture can be built (4 stages, positive whole counts, kernels 3 or 5, input a multiple of 8). */
export function checkAffinityArchitecture(arch: AffinityArchitecture): void {
  const what = `The Affinity ${arch.role}`;
  if (!isCount(arch.numClasses)) throw new Error(`${what} needs a positive whole class count, got ${arch.numClasses}.`);
  if (!isCount(arch.inputSize) || arch.inputSize % 8 !== 0)
    throw new Error(`${what} needs an input size that is a positive multiple of 8, got ${arch.inputSize}.`);
  if (!isCount(arch.stem) || !isCount(arch.head)) throw new Error(`${what} needs positive whole stem and head widths, got ${arch.stem} and ${arch.head}.`);
  if (arch.stages.length !== AFFINITY_STAGE_STRIDES.length)
    throw new Error(`${what} needs ${AFFINITY_STAGE_STRIDES.length} stages, got ${arch.stages.length}.`);
  arch.stages.forEach((s, i) => {
    if (!isCount(s.channels) || !isCount(s.repeats) || !isCount(s.expand) || (s.kernel !== 3 && s.kernel !== 5)) {
      throw new Error(`${what}'s stage ${i + 1} needs positive whole channels, repeats and expansion and a kernel of 3 or 5, got ${JSON.stringify(s)}.`);
    }
  });
}

/** One MBConv block of the plan: its parameter prefix, spec, stage index (0-based) and input side. */
export interface AffinityBlock {
  name: string;
  stage: number;
  spec: MBConvSpec;
  inSize: number;
}

/** The stages (`stage1`..`stage4`: output side, channels) and blocks (`stageI.blockJ`) of an architecture, in forward order. */
export function affinityLayout(arch: AffinityArchitecture): { stages: { name: string; size: number; channels: number }[]; blocks: AffinityBlock[] } {
  const stages: { name: string; size: number; channels: number }[] = [];
  const blocks: AffinityBlock[] = [];
  let [cin, size] = [arch.stem, arch.inputSize];
  arch.stages.forEach((s, i) => {
    for (let j = 0; j < s.repeats; j++) {
      const stride = j === 0 ? AFFINITY_STAGE_STRIDES[i]! : 1;
      blocks.push({ name: `stage${i + 1}.block${j}`, stage: i, spec: { cin, cout: s.channels, expand: s.expand, kernel: s.kernel, stride }, inSize: size });
      [cin, size] = [s.channels, strided(size, stride)];
    }
    stages.push({ name: `stage${i + 1}`, size, channels: s.channels });
  });
  return { stages, blocks };
}

/**
 * Params and MACs per image (at arch.inputSize) from the architecture alone: conv k·k·cin·cout·H·W, depthwise k·k·C·H·W,
 * SE and dense in·out; BN 2·C params, 0 MACs. `params` equals `countParams` of the built store.
 */
export function affinityNetCost(arch: AffinityArchitecture): { params: number; macs: number; layers: LayerCost[] } {
  checkAffinityArchitecture(arch);
  const { blocks, stages } = affinityLayout(arch);
  const last = stages[stages.length - 1]!;
  const layers: LayerCost[] = [
    ...convBnCost('stem', 3, 3, arch.stem, arch.inputSize),
    ...blocks.flatMap((b) => mbconvCost(b.name, b.spec, b.inSize)),
    ...convBnCost('head', 1, last.channels, arch.head, last.size),
    { name: 'fc', params: arch.head * arch.numClasses + arch.numClasses, macs: arch.head * arch.numClasses },
  ];
  return { params: layers.reduce((n, l) => n + l.params, 0), macs: layers.reduce((n, l) => n + l.macs, 0), layers };
}
