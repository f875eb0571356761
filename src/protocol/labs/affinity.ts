/**
 * The Affinity lab (TECHNIQUES.md §3): an EfficientNet-like student distilled from a frozen teacher with
 * KD on logits plus Feature Affinity (FA, Wang et al. CVPR 2020) or Fast Feature Affinity (FFA, Li, Yang,
 * Yin, Qi, Xin 2023) between stage features, plus CE on labels. Or the teacher itself, trained on labels.
 */
import type { Outcome } from '../errors';
import { CLASSIFY_FIELDS } from './classifyFields';
import { defineLab, extra, phantom, type ConfigOf } from './spec';

export const AFFINITY_ROLES = ['student', 'teacher'] as const;
export type AffinityRoleName = (typeof AFFINITY_ROLES)[number];
export const AFFINITY_LOSSES = ['none', 'fa', 'ffa'] as const;
export type AffinityLossName = (typeof AFFINITY_LOSSES)[number];
/** Stage taps by their map size in pixels (the stage outputs at 32, 16, 8 and 4 px of a 32×32 input). */
export const AFFINITY_TAPS = [32, 16, 8, 4] as const;
export type AffinityTap = (typeof AFFINITY_TAPS)[number];

const AFFINITY_FIELDS = {
  role: {
    kind: 'enum',
    label: 'Model to train',
    options: AFFINITY_ROLES,
    default: 'student',
    optionLabels: { student: 'Student, distilled from the teacher', teacher: 'Teacher, on labels (replaces the teacher slot)' },
  },
  dataset: CLASSIFY_FIELDS.dataset,
  augment: CLASSIFY_FIELDS.augment,
  lossType: {
    kind: 'enum',
    label: 'Affinity loss',
    options: AFFINITY_LOSSES,
    default: 'ffa',
    optionLabels: { none: 'none (KD and CE only)', fa: 'FA: exact feature affinity, O(N²)', ffa: 'FFA: fast feature affinity, O(N·k)' },
  },
  order: { kind: 'enum', label: 'Order', options: ['2', '1'], default: '2', optionLabels: { '2': 'order 2 (Frobenius)', '1': 'order 1 (entrywise ℓ1)' } },
  kdMode: {
    kind: 'enum',
    label: 'KD on logits',
    options: ['mse', 'kl'],
    default: 'mse',
    optionLabels: { mse: 'MSE on logits', kl: 'KL with temperature T (× T²)' },
  },
  zMode: {
    kind: 'enum',
    label: 'FFA probe matrix Z',
    options: ['fixed', 'resample'],
    default: 'fixed',
    optionLabels: { fixed: 'fixed per map size (seeded)', resample: 'resampled every step' },
  },
  tap32: { kind: 'boolean', label: 'Stage at 32×32 (N = 1024)', default: false },
  tap16: { kind: 'boolean', label: 'Stage at 16×16 (N = 256)', default: true },
  tap8: { kind: 'boolean', label: 'Stage at 8×8 (N = 64)', default: true },
  tap4: { kind: 'boolean', label: 'Stage at 4×4 (N = 16)', default: true },
  width: CLASSIFY_FIELDS.width,
  batchSize: CLASSIFY_FIELDS.batchSize,
  steps: CLASSIFY_FIELDS.steps,
  kdWeight: { label: 'KD weight', min: 0, max: 10, default: 1, scale: 'linear', live: true },
  faWeight: { label: 'Affinity weight FA_w', min: 0, max: 10, default: 0.1, scale: 'linear', live: true },
  ceWeight: { label: 'CE weight (0 = label-free)', min: 0, max: 10, default: 0.3, scale: 'linear', live: true },
  temperature: { label: 'Temperature T (KL)', min: 0.5, max: 20, default: 4, scale: 'log', live: true },
  k: { label: 'FFA probes k', min: 1, max: 256, default: 15, scale: 'log', integer: true, live: true },
  lr: { label: 'Learning rate', min: 1e-5, max: 1, default: 0.01, scale: 'log', live: true },
  momentum: { label: 'Momentum (Nesterov)', min: 0, max: 0.99, default: 0.9, scale: 'linear', live: true },
  weightDecay: { label: 'Weight decay', min: 0, max: 1e-2, default: 1e-4, scale: 'linear', live: true },
  clipNorm: { label: 'Gradient-norm clip', min: 0.01, max: 1000, default: 20, scale: 'log', live: true },
  evalEvery: CLASSIFY_FIELDS.evalEvery,
  shadowEvery: { label: 'Exact FA beside FFA every (steps)', min: 1, max: 10_000, default: 10, scale: 'log', integer: true },
  trainSize: CLASSIFY_FIELDS.trainSize,
  testSize: CLASSIFY_FIELDS.testSize,
  seed: CLASSIFY_FIELDS.seed,
} as const;

export type AffinityConfig = ConfigOf<typeof AFFINITY_FIELDS>;

/** The affinity matrices of one test image at one stage, for the heatmaps (row-major N×N, N = size²). */
export interface AffinityMaps {
  step: number;
  /** The stage's map size (pixels per side). */
  size: AffinityTap;
  /** Index of the test image, and its RGB pixels (uint8, 32×32×3) for display. */
  imageIndex: number;
  image: Uint8Array;
  teacher: Float32Array;
  student: Float32Array;
  /** The shared colour scale of both matrices (min and max of their finite entries), worked out in the worker. */
  lo: number;
  hi: number;
  /** max |A_S − A_T| over finite entries: the top of the difference map's scale. */
  diffMax: number;
}

/** The teacher slot: the frozen teacher a distillation run reads. */
export interface AffinityTeacherInfo {
  width: number;
  params: number;
  macs: number;
  /** The dataset it was trained on; a student must train on the same one. */
  dataset: string;
  datasetName: string;
  classNames: string[];
  testAccuracy: number;
  steps: number;
  /** 'shipped' (npm run pretrain:affinity) or the id of the run that trained it. */
  origin: string;
}

export interface AffinityTeacherState {
  teacher: AffinityTeacherInfo | null;
  /** Why there is no teacher yet (null while loading or when there is one). */
  missing: string | null;
}

/** One measured (or skipped) point of the cost panel. */
export interface AffinityCostPoint {
  side: number;
  n: number;
  method: 'fa' | 'ffa';
  ms: number | null;
  peakBytes: number | null;
  note: string | null;
}

export interface AffinityCostReport {
  rows: AffinityCostPoint[];
  backend: string;
  k: number;
  order: 1 | 2;
  batch: number;
  studentChannels: number;
}

/** Mean, standard deviation and the 10th / 90th percentiles of some draws. */
export interface DrawSummary {
  mean: number;
  std: number;
  p10: number;
  p90: number;
}

export interface EstimatorPoint {
  k: number;
  ffa2: DrawSummary;
  ffa1: DrawSummary;
}

/** The FFA estimator studied on a finished student's features at one stage (the estimator panel). */
export interface EstimatorStudy {
  size: number;
  n: number;
  images: number;
  draws: number;
  exact2: number;
  exact1: number;
  /** √(2/π)·Σ_b Σ_i ‖row_i(A_S − A_T)‖₂ / N²: the quantity FFA order 1 estimates. */
  rowL21: number;
  points: EstimatorPoint[];
}

/** The Affinity lab's lab-only calls (EngineApi.call('affinity', …)). */
export interface AffinityCalls {
  /** The teacher slot (loads the shipped teacher on the first call). */
  teacher(): Promise<AffinityTeacherState>;
  /**
   * Put a kept Affinity teacher from the model library (its id) into the teacher slot, or the shipped one back
   * ('shipped'); refused while a run is going, or for a model that is not an Affinity teacher. Not remembered across reloads.
   */
  useTeacher(modelId: string): Promise<Outcome<{ teacher: AffinityTeacherState }>>;
  /**
   * Time (forward + backward of the loss alone) and peak memory of FA vs FFA with k probes as the map grows
   * (N = 8² … 128²), on the current backend; refused while a run is going (it would time both).
   */
  cost(k: number, order: 1 | 2): Promise<Outcome<{ report: AffinityCostReport }>>;
  /**
   * The FFA estimator on the last finished student run's features at stage `size` (the first test images):
   * FFA of both orders for k = 1 … 64 over `draws` draws of Z, beside the exact FA and the row-ℓ2,1 quantity.
   */
  estimator(size: AffinityTap, draws: number): Promise<Outcome<{ study: EstimatorStudy }>>;
  /** Show test image `index` (0-based) in the affinity views of the running or last student run: its matrices now, and at every later evaluation. */
  maps(index: number): Promise<Outcome<{ maps: AffinityMaps[] }>>;
}

export const AFFINITY_LAB = defineLab({
  id: 'affinity',
  title: 'Affinity',
  fields: AFFINITY_FIELDS,
  series: [
    'train.loss',
    'train.acc',
    'train.lr',
    'test.acc',
    'test.loss',
    'step.ms',
    'affinity.loss.ce',
    'affinity.loss.kd',
    'affinity.loss.fa',
    'affinity.stage.32',
    'affinity.stage.16',
    'affinity.stage.8',
    'affinity.stage.4',
    'affinity.exact.32',
    'affinity.exact.16',
    'affinity.exact.8',
    'affinity.exact.4',
    'affinity.relError',
    'teacher.acc',
  ],
  extras: {
    /** Teacher and student affinity matrices of one test image per tapped stage, refreshed at each evaluation. */
    affinityMaps: extra<AffinityMaps[], AffinityMaps[]>((_prev, maps) => maps, { latestOnly: true }),
  },
  calls: phantom<AffinityCalls>(),
  pushes: phantom<{ teacher: AffinityTeacherState }>(),
});
