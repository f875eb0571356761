/** The common shape of the Segment lab's models (TECHNIQUES.md §2), their JSON architectures and their cost. */
import type * as tf from '@tensorflow/tfjs-core';
import type { UpscaleName } from '../../../protocol/labs/segment';
import type { ForwardMode } from '../layers';
import type { ParamStore } from '../params';

/** A FasterSeg cell (Chen et al. 2020): `conv` = one 3×3 conv-BN-ReLU, `conv2` = two, `zoomed` = bilinear ×0.5 → 3×3 conv-BN-ReLU → bilinear ×2. */
export type CellOp = 'conv' | 'conv2' | 'zoomed';

/** One cell of a student branch; `down` = its first conv has stride 2 (only `conv`/`conv2` cells may downsample). */
export interface CellSpec {
  op: CellOp;
  down: boolean;
}

/** Channel and cell plan of the FasterSeg-like student. */
export interface StudentPlan {
  /** Out channels of the three stride-2 stem convs (1/2, 1/4, 1/8). `stem[2]` is the 1/8 width. */
  stem: [number, number, number];
  /** Width of every 1/16 feature. */
  c16: number;
  /** Width of every 1/32 feature. */
  c32: number;
  /** Mid width of the head's (and the aux heads') 3×3 conv-BN-ReLU. */
  head: number;
  /** Branch A cells: 1/8 → 1/16 → 1/32 (exactly two downsampling cells). */
  branchA: CellSpec[];
  /** Branch B cells: 1/8 → 1/16 (exactly one downsampling cell). */
  branchB: CellSpec[];
}

export interface StudentArchitecture {
  model: 'seg-student';
  numClasses: number;
  inputHeight: number;
  inputWidth: number;
  upscale: UpscaleName;
  plan: StudentPlan;
}

/** The student plus a 1/4-resolution path (Yang et al. ISVC 2021, the §2 choice). */
export interface TutorArchitecture {
  model: 'seg-tutor';
  numClasses: number;
  inputHeight: number;
  inputWidth: number;
  upscale: UpscaleName;
  /** The embedded student's plan: the tutor holds every student layer under the same name. */
  plan: StudentPlan;
  /** Width of the 1/4 path (its two 3×3 cells, the 1/4 refine) . */
  hr: number;
}

/** HRNet-like teacher (Wang et al. 2019). */
export interface TeacherArchitecture {
  model: 'seg-teacher';
  numClasses: number;
  inputHeight: number;
  inputWidth: number;
  /** Out channels of the two stride-2 stem convs (to 1/4). */
  stem: number;
  /** Widths of the streams at 1/4, 1/8, 1/16, 1/32 (stream i joins at stage i + 1). */
  streams: [number, number, number, number];
  /** Basic residual blocks per stream in each module. */
  blocks: number;
  /** Modules (blocks + fusion) per stage, stages 1..4. */
  modules: [number, number, number, number];
  /**
   * Channels of the optional refinement head at 1/2 resolution (teacher.ts: the head's features joined with the first
   * stem conv's output, for thin structures a 1/4 head misplaces); absent for none.
   */
  refine?: number;
  /**
   * Channels of the optional full-resolution stage after the 1/2 refinement (teacher.ts: a 3×3 conv on the input image
   * joined with the 1/2 refinement's features upsampled ×2); needs `refine`; absent for none.
   */
  refineFull?: number;
}

/** Plain-JSON description from which a segmentation model can be rebuilt (registry `buildSegModel`). */
export type SegArchitecture = StudentArchitecture | TutorArchitecture | TeacherArchitecture;

/** One costed piece of a model, recorded while it is built. */
export interface SegLayerCost {
  /** Parameter-name prefix, e.g. `a.cell1.0.conv`, `up8`. */
  name: string;
  kind: 'conv' | 'bn' | 'bias' | 'upscale';
  /** Trainable scalars (conv kernel k·k·cin·cout, BN γ+β = 2c, bias c, upscale `upscaleParams`). */
  params: number;
  /** Multiply-accumulates per image (conv k·k·cin·cout·outH·outW, upscale `upscaleMacs`; BN, bias, ReLU and bilinear resizes count 0). */
  macs: number;
  /** Only used in training (auxiliary heads); absent from the deployed model. */
  aux: boolean;
}

/** What one forward pass returns; every tensor is new (the caller disposes it). */
export type SegOutput = {
  /** Class logits NHWC `[B, H, W, classes]` at the input resolution. */
  logits: tf.Tensor4D;
  /**
   * Auxiliary logits at the input resolution, training mode only (empty in inference):
   * student/tutor `[aux 1/16, aux 1/32]`, the tutor then its embedded student head (1/8 → upscale ×8); teacher none.
   */
  aux: tf.Tensor4D[];
  /** Intermediate NHWC features for feature distillation: `f8` (fused 1/8 map), `f16`, `f32`, and `f4` (tutor, teacher). */
  features: Record<string, tf.Tensor4D>;
};

export interface SegModel {
  readonly name: 'student' | 'tutor' | 'teacher';
  readonly store: ParamStore;
  readonly numClasses: number;
  /** The size the model was built (and costed) for; forward accepts any size divisible by 32. */
  readonly inputHeight: number;
  readonly inputWidth: number;
  readonly architecture: SegArchitecture;
  /** Costed layers in creation order. */
  readonly layers: readonly SegLayerCost[];
  /** Images NHWC `[B, H, W, 3]` → logits, aux logits and features (no intermediate tensor survives). */
  forward(x: tf.Tensor4D, mode: ForwardMode): SegOutput;
}

export interface SegCost {
  /** All trainable scalars of the store (aux heads included) = `countParams(model.store)`. */
  params: number;
  /** MACs per image of a training forward at the built input size (aux heads included). */
  macs: number;
  /** The deployed model: aux heads left out. */
  inference: { params: number; macs: number };
  /** Params and MACs of the upscale modules alone, the sub-pixel classifier included (0 for bilinear). */
  upscale: { params: number; macs: number };
}

/** Params and MACs (per NHWC image at the built input size) summed over the recorded layer list. */
export function segCost(model: Pick<SegModel, 'layers'>): SegCost {
  const sum = (pick: (l: SegLayerCost) => boolean) => {
    const ls = model.layers.filter(pick);
    return { params: ls.reduce((n, l) => n + l.params, 0), macs: ls.reduce((n, l) => n + l.macs, 0) };
  };
  return { ...sum(() => true), inference: sum((l) => !l.aux), upscale: sum((l) => l.kind === 'upscale') };
}
