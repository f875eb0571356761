/**
 * Segment lab (TECHNIQUES.md §2) run configuration: which model trains, through which distillation
 * chain, with which upscaling, at which input size, and the numeric settings (defaults + ranges = the
 * single source for every slider, the URL and worker-side validation).
 */
import { STREETS_REAL_DATASET_ID, type SegLabelFormat } from '../datasets';
import type { Outcome } from '../errors';
import { defineLab, extra, phantom, type ConfigOf, type LiveKeyOf, type NumberKeyOf, type RuleBreak } from './spec';

export const SEG_MODELS = ['teacher', 'tutor', 'student'] as const;
export type SegModelName = (typeof SEG_MODELS)[number];
/** Distillation chains: none; the teacher (frozen) → the trained model; teacher → tutor (frozen) → student. */
export const SEG_CHAINS = ['none', 'teacher-student', 'teacher-tutor-student'] as const;
export type SegChain = (typeof SEG_CHAINS)[number];
export const SEG_CHAIN_LABELS: Record<SegChain, string> = {
  none: 'none (labels only)',
  'teacher-student': 'teacher → student',
  'teacher-tutor-student': 'teacher → tutor → student',
};
/**
 * Upscaling variants of the student and tutor (TECHNIQUES.md §2; issue #13 item 1). 'bilinear': every ×2 aggregation
 * upsampling and the final ×r are bilinear. 'ps-agg' (a): depthwise conv + PixelShuffle modules in the ×2 aggregations,
 * the final ×r bilinear. 'ps-head' (b): a sub-pixel classifier for the final ×r (the head's 1×1 conv predicts
 * classes·r² channels → PixelShuffle, ICNR). 'ps-both' (c): both. 'ps-head4': a sub-pixel classifier ×4, then bilinear ×2
 * (the variant within +1 % params of the bilinear student). 'pixelshuffle': the first design (every upsampling, the final
 * ×r included, a module whose BN + ReLU act on the class logits), kept so models trained with it still load; superseded.
 */
export const UPSCALES = ['bilinear', 'ps-agg', 'ps-head', 'ps-both', 'ps-head4', 'pixelshuffle'] as const;
export type UpscaleName = (typeof UPSCALES)[number];
/** Form labels of the upscaling variants. */
export const UPSCALE_LABELS: Record<UpscaleName, string> = {
  bilinear: 'Bilinear',
  'ps-agg': '(a) PixelShuffle ×2 in aggregations',
  'ps-head': '(b) sub-pixel classifier ×8',
  'ps-both': '(c) both (a) and (b)',
  'ps-head4': 'sub-pixel ×4 + bilinear ×2',
  pixelshuffle: 'v1: BN + ReLU on logits',
};
/** Short names (tables, pivot headers). */
export const UPSCALE_SHORT: Record<UpscaleName, string> = {
  bilinear: 'bilinear',
  'ps-agg': 'PS agg (a)',
  'ps-head': 'sub-pixel ×8 (b)',
  'ps-both': 'PS both (c)',
  'ps-head4': 'sub-pixel ×4',
  pixelshuffle: 'PS v1',
};
export const SEG_SIZES = ['low', 'high'] as const;
export type SegSizeName = (typeof SEG_SIZES)[number];
/** Input sizes (height × width) of the two settings of §2's comparison. */
export const SEG_SIZE_PIXELS: Record<SegSizeName, { height: number; width: number }> = { low: { height: 64, width: 128 }, high: { height: 128, width: 256 } };
/** Width multiplier of each model at browser scale (teacher HRNet-W48 ×1/4, tutor and student FasterSeg ×1/2). */
export const SEG_MODEL_WIDTH: Record<SegModelName, number> = { teacher: 1 / 4, tutor: 1 / 2, student: 1 / 2 };
/**
 * The teacher's width multiplier choices (issue #15): 1/4 (§2's browser scale, 0.81 M params and 51 M MACs at the low
 * size) or 1/2 (3.2 M params, 200 M MACs: four times the cost, and the better teacher on the realistic scenes and on real
 * CamVid photos, README "A wider teacher, and milder class weights"). The tutor and students are always width 1/2.
 */
export const SEG_TEACHER_WIDTHS = ['1/4', '1/2'] as const;
export type SegTeacherWidth = (typeof SEG_TEACHER_WIDTHS)[number];
export const SEG_TEACHER_WIDTH_VALUE: Record<SegTeacherWidth, number> = { '1/4': 1 / 4, '1/2': 1 / 2 };
/** The width multiplier a config trains its model at: the teacher's chosen width, the tutor's and students' fixed one. */
export function segModelWidth(c: { model: SegModelName; teacherWidth: SegTeacherWidth }): number {
  return c.model === 'teacher' ? SEG_TEACHER_WIDTH_VALUE[c.teacherWidth] : SEG_MODEL_WIDTH[c.model];
}
/**
 * The teacher's head (issue #15, thin classes): 'plain', HRNet's head at 1/4 resolution; 'refined', that head plus a
 * 1/2-resolution refinement (engine models/seg/teacher.ts: the 1/4 head's features joined with the first stem conv's,
 * SEG_TEACHER_REFINE channels, classified at 1/2 and added to the 1/4 logits); 'full', the refined head plus a
 * full-resolution stage (the 1/2 refinement's features joined with a conv of the input image, SEG_TEACHER_REFINE_FULL
 * channels, its logits added). Each added classifier starts at zero, so a teacher can start from the weights of one with
 * fewer of these heads (in this order), never from one with more. README "A refinement head at 1/2 for the teacher" and
 * "A full-resolution stage for the teacher".
 */
export const SEG_TEACHER_HEADS = ['plain', 'refined', 'full'] as const;
export type SegTeacherHead = (typeof SEG_TEACHER_HEADS)[number];
/** Channels of the refined teacher's 1/2-resolution head. */
export const SEG_TEACHER_REFINE = 32;
/** Channels of the full-resolution stage of the 'full' head. */
export const SEG_TEACHER_REFINE_FULL = 16;
/** The 1/2 refinement's channels a config's model is built with: SEG_TEACHER_REFINE for a refined or full-head teacher, else 0 (none). */
export function segTeacherRefine(c: { model: SegModelName; teacherHead: SegTeacherHead }): number {
  return c.model === 'teacher' && c.teacherHead !== 'plain' ? SEG_TEACHER_REFINE : 0;
}
/** The full-resolution stage's channels a config's model is built with: SEG_TEACHER_REFINE_FULL for the 'full' head, else 0. */
export function segTeacherRefineFull(c: { model: SegModelName; teacherHead: SegTeacherHead }): number {
  return c.model === 'teacher' && c.teacherHead === 'full' ? SEG_TEACHER_REFINE_FULL : 0;
}
/**
 * The shipped low-size zoo's mIoU on the 20 real CamVid photos of ../shared/realdata (npm run eval:segment:real), and the
 * layout prior's on the same photos: what the viewer tells a user about models trained on generated scenes. From
 * SHIPPED_SEG_CAMVID_RESULTS, which a unit test reads back, so re-shipping without re-measuring fails a test.
 */
export const SHIPPED_SEG_CAMVID = { teacher: 0.384, tutor: 0.333, 'student-bilinear': 0.317, 'student-pixelshuffle': 0.335, layoutPrior: 0.272 } as const;
export const SHIPPED_SEG_CAMVID_RESULTS = 'results/seg-real-shipped-t6400.jsonl';
/** The optional affinity term of a distilled Segment-lab model (TECHNIQUES.md §3; FA or FFA at the 1/8 features). */
export const SEG_AFFINITY_LOSSES = ['none', 'fa', 'ffa'] as const;
export type SegAffinityLoss = (typeof SEG_AFFINITY_LOSSES)[number];
/** Class balancing of the label cross-entropy: none, or median frequency balancing (Eigen & Fergus 2015; SegNet on CamVid). */
export const SEG_CLASS_BALANCES = ['none', 'median-frequency', 'sqrt-median-frequency'] as const;
export type SegClassBalance = (typeof SEG_CLASS_BALANCES)[number];
/** The id of the built-in procedural street scenes (classic style). */
export const STREETS_ID = 'streets';

const SEG_FIELDS = {
  model: {
    kind: 'enum',
    label: 'Model to train',
    options: SEG_MODELS,
    default: 'student',
    optionLabels: { teacher: 'Teacher (HRNet-like)', tutor: 'Tutor (student + high-res path)', student: 'Student (FasterSeg-like)' },
  },
  /** The teacher's width multiplier (the tutor and students are width 1/2): see SEG_TEACHER_WIDTHS; 1/2 as the shipped teacher. */
  teacherWidth: {
    kind: 'enum',
    label: 'Teacher width',
    options: SEG_TEACHER_WIDTHS,
    default: '1/2',
    optionLabels: { '1/4': 'width 1/4 (0.81 M params)', '1/2': 'width 1/2 (3.2 M params)' },
  },
  /** The teacher's head: see SEG_TEACHER_HEADS; refined as the shipped teacher. */
  teacherHead: {
    kind: 'enum',
    label: 'Teacher head',
    options: SEG_TEACHER_HEADS,
    default: 'refined',
    optionLabels: { plain: 'at 1/4 (HRNet’s)', refined: '1/4 + a refinement at 1/2', full: '1/4 + 1/2 + a full-resolution stage' },
  },
  chain: { kind: 'enum', label: 'Distillation chain', options: SEG_CHAINS, default: 'teacher-tutor-student', optionLabels: SEG_CHAIN_LABELS },
  upscale: {
    kind: 'enum',
    label: 'Upscaling',
    options: UPSCALES,
    default: 'ps-agg',
    optionLabels: UPSCALE_LABELS,
  },
  size: { kind: 'enum', label: 'Input size', options: SEG_SIZES, default: 'low' },
  /**
   * 'streets-real' (built-in realistic scenes, the shipped zoo's data: the default), 'streets' (the classic scenes) or the
   * id of an imported segmentation dataset.
   */
  dataset: {
    kind: 'id',
    label: 'Dataset',
    default: STREETS_REAL_DATASET_ID,
    pattern: /^(streets|streets-real|ds-[a-z0-9-]{1,40})$/,
    what: 'a segmentation dataset id',
    message: 'must be "streets", "streets-real" or an imported dataset id',
  },
  /**
   * 'fresh': seeded initial weights; 'zoo': train on from the zoo's model of this run's slot and size (its weights and BN
   * statistics; same architecture and class set), a fresh poly schedule from the form's lr — the shipped teacher's second
   * phase. A chain's stages start fresh, but for the teacher's second phase (ui chain.ts).
   */
  startFrom: {
    kind: 'enum',
    label: 'Start from',
    options: ['fresh', 'zoo'],
    default: 'fresh',
    optionLabels: { fresh: 'fresh weights (seeded)', zoo: 'the zoo’s model of this slot (train on)' },
  },
  /** Random horizontal flip of every training image and its labels. */
  flip: { kind: 'boolean', label: 'Random horizontal flip (image and labels)', default: true },
  batchSize: { label: 'Batch size', min: 1, max: 64, default: 8, scale: 'log', integer: true },
  steps: { label: 'Training steps', min: 1, max: 100_000, default: 300, scale: 'log', integer: true },
  lr: { label: 'Learning rate', min: 1e-5, max: 1, default: 0.05, scale: 'log', live: true },
  momentum: { label: 'Momentum', min: 0, max: 0.99, default: 0.9, scale: 'linear', live: true },
  weightDecay: { label: 'Weight decay', min: 0, max: 1e-2, default: 5e-4, scale: 'linear', live: true },
  alpha: { label: 'KD weight α', min: 0, max: 10, default: 1, scale: 'linear', live: true },
  temperature: { label: 'Temperature T', min: 0.5, max: 10, default: 1, scale: 'log', live: true },
  auxWeight: { label: 'Aux-head weight', min: 0, max: 1, default: 0.2, scale: 'linear', live: true },
  ohemThreshold: { label: 'OHEM threshold (1 = off)', min: 0.05, max: 1, default: 0.7, scale: 'linear', live: true },
  /** Weight of the Lovász-softmax IoU surrogate added to the label CE (0 = off; engine/techniques/lovasz.ts). */
  lovaszWeight: { label: 'Lovász-softmax weight (0 = off)', min: 0, max: 5, default: 0, scale: 'linear', live: true },
  /** Weights of the label CE terms per class, from the training labels (thin, rare classes such as person and pole count more). */
  classBalance: {
    kind: 'enum',
    label: 'Class balancing',
    options: SEG_CLASS_BALANCES,
    default: 'median-frequency',
    optionLabels: {
      none: 'none (plain mean)',
      'median-frequency': 'median frequency (≤ 10×)',
      'sqrt-median-frequency': '√ median frequency (≤ 3.2×)',
    },
  },
  /** Optional affinity term (TECHNIQUES.md §3) between the source's and the student's 1/8-resolution features. */
  affinityLoss: {
    kind: 'enum',
    label: 'Affinity term (1/8 features)',
    options: SEG_AFFINITY_LOSSES,
    default: 'none',
    optionLabels: { none: 'none', fa: 'FA: exact feature affinity, O(N²)', ffa: 'FFA: fast feature affinity, O(N·k)' },
  },
  affinityOrder: {
    kind: 'enum',
    label: 'Affinity order',
    options: ['2', '1'],
    default: '2',
    optionLabels: { '2': 'order 2 (Frobenius)', '1': 'order 1 (entrywise ℓ1)' },
  },
  affinityWeight: { label: 'Affinity weight', min: 0, max: 10, default: 1, scale: 'linear', live: true },
  affinityK: { label: 'FFA probes k', min: 1, max: 256, default: 15, scale: 'log', integer: true, live: true },
  evalEvery: { label: 'Evaluate every (steps)', min: 1, max: 10_000, default: 50, scale: 'log', integer: true },
  trainSize: { label: 'Training images', min: 16, max: 20_000, default: 400, scale: 'log', integer: true },
  testSize: { label: 'Validation images', min: 4, max: 5_000, default: 64, scale: 'log', integer: true },
  seed: { label: 'Seed', min: 0, max: 2_147_483_647, default: 1, scale: 'linear', integer: true },
} as const;

export type SegConfig = ConfigOf<typeof SEG_FIELDS>;
/** The Segment lab's numeric settings and those that may change mid-run. */
export type SegParamKey = NumberKeyOf<typeof SEG_FIELDS>;
export type SegLiveKey = LiveKeyOf<typeof SEG_FIELDS>;

/** The chain a model kind may actually use (the teacher: none; the tutor: at most teacher → tutor). */
export function allowedChains(model: SegModelName): readonly SegChain[] {
  return model === 'teacher' ? ['none'] : model === 'tutor' ? ['none', 'teacher-student'] : SEG_CHAINS;
}

/** Which trained model a run distils from: null for none. */
export function distillSource(c: Pick<SegConfig, 'model' | 'chain'>): 'teacher' | 'tutor' | null {
  if (c.chain === 'none' || c.model === 'teacher') return null;
  return c.chain === 'teacher-tutor-student' && c.model === 'student' ? 'tutor' : 'teacher';
}

/** The model-zoo slot a model occupies: teacher, tutor, student-bilinear or student-pixelshuffle (per input size; every PixelShuffle variant fills the latter). */
export type SegSlot = 'teacher' | 'tutor' | 'student-bilinear' | 'student-pixelshuffle';
export const SEG_SLOTS: readonly SegSlot[] = ['teacher', 'tutor', 'student-bilinear', 'student-pixelshuffle'];
export function slotOf(model: SegModelName, upscale: UpscaleName): SegSlot {
  return model === 'student' ? (upscale === 'bilinear' ? 'student-bilinear' : 'student-pixelshuffle') : model;
}

/** A model held by the worker's model zoo (one per slot and input size). */
export interface SegZooEntry {
  slot: SegSlot;
  size: SegSizeName;
  /** Trainable scalars of the deployed model (aux heads left out) and of the whole training graph. */
  params: number;
  trainingParams: number;
  /** Multiply-accumulates per image at the size (deployed model). */
  macs: number;
  /** The upscaling variant of a student or tutor (absent for the teacher). */
  upscale?: UpscaleName;
  /** Params and MACs of the upscale modules alone, a sub-pixel classifier included (0 for bilinear). */
  upscaleParams: number;
  upscaleMacs: number;
  /** How it was trained. */
  chain: SegChain | string;
  steps: number;
  seed: number;
  /** Validation mIoU (0–1) when it was trained. */
  mIoU: number;
  dataset: string;
  classNames: string[];
  palette: [number, number, number][];
  /** 'shipped' (npm run pretrain:segment) or the id of the run that trained it. */
  origin: string;
  /**
   * How a shipped model was trained, from its manifest entry (absent for a run's model, whose config is in the runs
   * table, and for manifests older than these fields): the class balancing of its label CE and its affinity term; for the
   * teacher its width, its head and, when it had one, its second phase (`finetune`: that many more steps from its own
   * weights, a fresh poly schedule from that lr, with that Lovász-softmax weight; `addsRefine` when that phase gave a plain
   * teacher the refinement head, `addsRefineFull` when it added the full-resolution stage), which a chain runs as its
   * teacher's second phase; and its seed (the entry's `seed`; absent when the entry names none).
   */
  recipe?: {
    seed?: number;
    classBalance?: SegClassBalance;
    affinityLoss?: SegAffinityLoss;
    teacherWidth?: SegTeacherWidth;
    teacherHead?: SegTeacherHead;
    finetune?: { steps: number; lr: number; lovaszWeight: number; addsRefine?: boolean; addsRefineFull?: boolean };
  };
  /** The model library's id of the held model (null or absent: the shipped one, or a run's model not kept yet). */
  modelId?: string | null;
}

/** What the zoo holds now, and whether the shipped demo weights loaded. */
export interface SegZooInfo {
  entries: SegZooEntry[];
  /** Why shipped weights are missing, if they are (null when they loaded or are still loading). */
  shippedError: string | null;
  loading: boolean;
  /** The sizes and slots that have shipped weights (the slot menu's "shipped" choice). */
  shipped?: { size: SegSizeName; slot: SegSlot }[];
  /**
   * A sentence about the latest finished run whose model the zoo did not take (its validation mIoU was below the held
   * model's): the model is in the library, and the slot menu can put it in. Null once the zoo changes again.
   */
  notice?: string | null;
}

/** One image for the viewer: RGB uint8 at exactly the size's height × width (the UI fits it). */
export interface SegViewerImage {
  rgb: Uint8Array;
  /** Per-pixel class ids at the same size (255 = ignore), from a built-in sample or a label PNG decoded by the UI. */
  labels?: Uint8Array | null;
}

export interface SegPredictRequest {
  size: SegSizeName;
  images: SegViewerImage[];
  /**
   * The class set to compare (a model's class names): only the size's models trained on it predict. Absent:
   * the teacher's at the size, else the first model's.
   */
  classNames?: string[];
}

/** Whether two models (or a model and a dataset) name the same classes in the same order. */
export function sameClassSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** One model's output on one image. */
export interface SegPrediction {
  slot: SegSlot;
  /** Class id per pixel, height × width. */
  classMap: Uint8Array;
  /** Share of pixels where this model's class equals the teacher's (null when there is no teacher). */
  agreement: number | null;
  /** mIoU against the image's labels (null without labels). */
  mIoU: number | null;
  pixelAccuracy: number | null;
  /** Milliseconds of this model's forward pass. */
  ms: number;
}

export interface SegPredictResult {
  height: number;
  width: number;
  /** Per image: the predictions of every model in the zoo at this size, and the labels actually used. */
  images: { predictions: SegPrediction[] }[];
  classNames: string[];
  palette: [number, number, number][];
  /** The size's models trained on another class set: not run, never compared with these. */
  skipped: { slot: SegSlot; dataset: string; classCount: number }[];
}

/** A label PNG read the way the importer read a dataset's labels (its label format), at the PNG's own size. */
export interface SegLabelsRequest {
  bytes: Uint8Array;
  /** The file name, for messages (and, for 'auto', format detection: `_labelIds`, `_labelTrainIds`, `_P`). */
  name: string;
  /** The imported dataset whose label format applies. */
  dataset?: string;
  /** When no dataset is named: the importer's label format to read it in, or 'auto' (default) to detect it as the importer does. */
  format?: SegLabelFormat | 'auto';
}

/** A label PNG read in a real dataset's format: its ids in that format's classes, and how they map onto the street classes. */
export interface SegLabelsRead {
  width: number;
  height: number;
  /** Class ids of the format (row-major, 255 = ignore). */
  ids: Uint8Array;
  /** The format it was read in: the dataset's, the one asked for, or the detected one. */
  format: SegLabelFormat;
  /** The format's class names (the ids' meaning). */
  classNames: string[];
  /**
   * The mapping onto the 8 street classes by class name (engine/metrics/realSeg.ts): `table` maps each format id to a
   * street id (255 = ignored), or is null with `refusal` saying why the format cannot score street models (VOC).
   */
  street: { classNames: string[]; table: Uint8Array | null; refusal: string | null };
}

/** An image's pixels (RGBA, row-major), to be fitted to a model input size as the real-photo evaluator fits photos. */
export interface SegFitRequest {
  rgba: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** The model input size. */
  outWidth: number;
  outHeight: number;
}

/** Per-class IoU of a Segment-lab evaluation. */
export interface SegEvalReport {
  step: number;
  mIoU: number;
  pixelAccuracy: number;
  classNames: string[];
  perClassIoU: (number | null)[];
}

/** The Segment lab's lab-only calls (EngineApi.call('segment', …)). */
export interface SegmentCalls {
  /** The model zoo (loads the shipped demo weights on the first call). */
  zoo(): Promise<SegZooInfo>;
  /** Drop the models trained in this session and load the shipped demo weights again (refused while a run is going). */
  resetZoo(): Promise<Outcome<{ zoo: SegZooInfo }>>;
  /**
   * Put a model-library model (its id) or the shipped weights ('shipped') into a slot at a size, and remember the choice
   * across reloads; refused with a sentence while a run is going, or when the model's slot, input size or class set does
   * not fit.
   */
  useInZoo(size: SegSizeName, slot: SegSlot, modelId: string): Promise<Outcome<{ zoo: SegZooInfo }>>;
  /** Run every zoo model of the size (of one class set) on the images: class maps, agreement with the teacher, mIoU against labels. */
  predict(request: SegPredictRequest): Promise<Outcome<{ result: SegPredictResult }>>;
  /**
   * Class ids (255 = ignore) of a label PNG in an imported dataset's label format (e.g. CamVid's void 11 → ignore), or,
   * with no dataset named, in the format asked for or detected (the importer's decoders), with its street-class mapping.
   */
  readLabels(request: SegLabelsRequest): Promise<Outcome<SegLabelsRead>>;
  /**
   * An image fitted to a model input size exactly as `npm run eval:segment:real` fits a photo (protocol/fit.ts's centred
   * crop, then the engine's antialiased bilinear resize): RGB, outHeight × outWidth × 3.
   */
  fitImage(request: SegFitRequest): Promise<Outcome<{ rgb: Uint8Array }>>;
}

/**
 * The cross-field rules of a segmentation config: the teacher trains alone; a tutor is never distilled through
 * a tutor; the affinity term needs a source to distil from.
 */
function segRules(c: SegConfig): RuleBreak<SegConfig>[] {
  const breaks: RuleBreak<SegConfig>[] = [];
  let chain = c.chain;
  if (c.model === 'teacher' && c.chain !== 'none') {
    breaks.push({ key: 'chain', message: 'the teacher trains on labels only (chain none)', fix: { chain: 'none' } });
    chain = 'none';
  } else if (c.model === 'tutor' && c.chain === 'teacher-tutor-student') {
    breaks.push({
      key: 'chain',
      message: 'a tutor is distilled from the teacher (teacher → student chain) or trained alone',
      fix: { chain: 'teacher-student' },
    });
    chain = 'teacher-student';
  }
  if (c.affinityLoss !== 'none' && distillSource({ model: c.model, chain }) === null)
    breaks.push({
      key: 'affinityLoss',
      message: 'the affinity term compares features with a source model: choose a distillation chain',
      fix: { affinityLoss: 'none' },
    });
  return breaks;
}

/**
 * The Segment lab: teacher / tutor / student through a distillation chain. Defaults: the PixelShuffle
 * student distilled through the tutor at the low size. A finished run's model goes into the zoo when its slot is
 * empty or its validation mIoU is at least the held model's (else the zoo's `notice` says so), and always into the model
 * library; the worker pushes the zoo as `zoo` whenever it changes.
 */
export const SEGMENT_LAB = defineLab({
  id: 'segment',
  title: 'Segment',
  fields: SEG_FIELDS,
  series: [
    'train.loss',
    'train.acc',
    'train.lr',
    'test.acc',
    'test.loss',
    'seg.miou',
    'seg.pixelAcc',
    'seg.loss.ce',
    'seg.loss.aux',
    'seg.loss.kd',
    'seg.loss.affinity',
    'seg.loss.lovasz',
  ],
  extras: {
    /** Every evaluation's per-class IoU, oldest first. */
    segEval: extra<SegEvalReport, SegEvalReport[]>((prev, r) => [...(prev ?? []), r]),
  },
  rules: segRules,
  calls: phantom<SegmentCalls>(),
  pushes: phantom<{ zoo: SegZooInfo }>(),
});
