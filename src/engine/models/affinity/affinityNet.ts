/**
 * EfficientNet-like teacher and student of the Affinity lab (Tan & Le 2019; TECHNIQUES.md §3): 3×3 stem (stride 1) → BN → swish,
 * four MBConv stages at 32, 16, 8, 4 px, 1×1 head → BN → swish → global average pool → dense. NHWC activations, HWIO kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createDense, dense, type ForwardMode } from '../layers';
import { createParamStore, type ParamStore } from '../params';
import { affinityArchitecture, affinityLayout, checkAffinityArchitecture, type AffinityArchitecture, type AffinityRole } from './affinityArch';
import { convBn, createConvBn, createMBConv, mbconv } from './mbconv';

export {
  AFFINITY_MIN_CHANNELS,
  AFFINITY_PLANS,
  AFFINITY_STAGE_STRIDES,
  affinityArchitecture,
  affinityChannels,
  affinityNetCost,
  type AffinityArchitecture,
  type AffinityPlan,
  type AffinityRole,
  type AffinityStageSpec,
} from './affinityArch';

export interface AffinityNet {
  /** `affinity-teacher` or `affinity-student`. */
  name: string;
  store: ParamStore;
  numClasses: number;
  architecture: AffinityArchitecture;
  /** The four stage outputs (the taps): name, side in pixels at the built input size, channels. */
  stages: { name: string; size: number; channels: number }[];
  /** Images NHWC [B,H,W,3] → logits [B, classes] and the four stage outputs NHWC (no intermediate tensor survives; the caller disposes these). */
  forward(x: tf.Tensor4D, mode: ForwardMode): { logits: tf.Tensor2D; taps: tf.Tensor4D[] };
}

/** Build an AffinityNet from its JSON architecture (seeded He init; parameter names `stem.*`, `stageI.blockJ.*`, `head.*`, `fc.*`). */
export function buildAffinityNet(arch: AffinityArchitecture, seed: number): AffinityNet {
  checkAffinityArchitecture(arch);
  const store = createParamStore(seed);
  const { stages, blocks } = affinityLayout(arch);
  const stem = createConvBn(store, 'stem', 3, 3, arch.stem);
  const mb = blocks.map((b) => ({ stage: b.stage, block: createMBConv(store, b.name, b.spec) }));
  const head = createConvBn(store, 'head', 1, stages[stages.length - 1]!.channels, arch.head);
  const fc = createDense(store, 'fc', arch.head, arch.numClasses);
  const run = (x: tf.Tensor4D, mode: ForwardMode) => {
    let h = convBn(stem, x, mode);
    const taps: tf.Tensor4D[] = [];
    mb.forEach(({ stage, block }, i) => {
      h = mbconv(block, h, mode);
      if (mb[i + 1]?.stage !== stage) taps.push(h);
    });
    const pooled = tf.mean(convBn(head, h, mode), [1, 2]) as tf.Tensor2D;
    return { logits: dense(fc, pooled), taps };
  };
  return {
    name: `affinity-${arch.role}`,
    store,
    numClasses: arch.numClasses,
    architecture: structuredClone(arch),
    stages,
    forward: (x, mode) => tf.tidy(() => run(x, mode)),
  };
}

/** Build the teacher or the student at a width multiplier (channels of AFFINITY_PLANS via affinityChannels); input NHWC [B, inputSize, inputSize, 3], default 32. */
export function createAffinityNet(role: AffinityRole, opts: { numClasses: number; width: number; seed: number; inputSize?: number }): AffinityNet {
  return buildAffinityNet(affinityArchitecture(role, opts), opts.seed);
}
