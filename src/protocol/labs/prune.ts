/**
 * The Prune lab (TECHNIQUES.md §1): RGSM channel pruning against penalty and proximal group Lasso on a
 * classifier. Its settings, series, per-layer sparsity payload, and the results of its lab-only calls
 * (compaction, export, loading a compact model back).
 */
import type { Outcome } from '../errors';
import { CLASSIFY_FIELDS, CLASSIFY_SERIES } from './classifyFields';
import { defineLab, extra, phantom, type ConfigOf } from './spec';

export const PRUNE_METHODS = ['none', 'gl-penalty', 'gl-prox', 'rgsm'] as const;
export type PruneMethodName = (typeof PRUNE_METHODS)[number];
export const PROX_KINDS = ['hard', 'soft'] as const;
export const GROUPINGS = ['input', 'output'] as const;
export const LR_SCHEDULES = ['step', 'cosine', 'constant'] as const;
/** RGSM prox thresholds: one global sqrt(2λ1/β), or scaled per layer by the initial group norms (ours). */
export const THRESHOLD_MODES = ['global', 'per-layer'] as const;

/** The zero threshold on group norms: a group whose ℓ2 norm is below it counts as a pruned channel. */
export const DEFAULT_ZERO_THRESHOLD = 1e-15;

const PRUNE_FIELDS = {
  model: CLASSIFY_FIELDS.model,
  dataset: CLASSIFY_FIELDS.dataset,
  augment: CLASSIFY_FIELDS.augment,
  method: {
    kind: 'enum',
    label: 'Method',
    options: PRUNE_METHODS,
    default: 'rgsm',
    optionLabels: {
      none: 'None (dense SGD)',
      'gl-penalty': 'Group Lasso, penalty (Wen et al. 2016)',
      'gl-prox': 'Group Lasso, proximal',
      rgsm: 'RGSM (relaxed group-wise splitting)',
    },
  },
  prox: { kind: 'enum', label: 'RGSM prox', options: PROX_KINDS, default: 'hard', optionLabels: { hard: 'hard (group ℓ0)', soft: 'soft (group ℓ1)' } },
  grouping: {
    kind: 'enum',
    label: 'Groups',
    options: GROUPINGS,
    default: 'input',
    optionLabels: { input: 'input channels (axes 0,1,3)', output: 'output channels (filters)' },
  },
  thresholds: {
    kind: 'enum',
    label: 'RGSM thresholds',
    options: THRESHOLD_MODES,
    default: 'global',
    optionLabels: { global: 'global √(2λ1/β) (paper)', 'per-layer': 'per layer, scaled by initial group norms (ours)' },
  },
  /** RGSM: re-estimate BN running statistics with u's weights over this many training batches before evaluating u; 0 = off. */
  bnRecalBatches: { label: 'BN recalibration batches for u (0 = off)', min: 0, max: 64, default: 8, scale: 'linear', integer: true },
  schedule: {
    kind: 'enum',
    label: 'Learning-rate schedule',
    options: LR_SCHEDULES,
    default: 'step',
    optionLabels: { step: 'step ×0.1 at 40/60/80 %', cosine: 'cosine', constant: 'constant' },
  },
  width: CLASSIFY_FIELDS.width,
  batchSize: CLASSIFY_FIELDS.batchSize,
  steps: CLASSIFY_FIELDS.steps,
  lr: CLASSIFY_FIELDS.lr,
  momentum: CLASSIFY_FIELDS.momentum,
  weightDecay: CLASSIFY_FIELDS.weightDecay,
  evalEvery: CLASSIFY_FIELDS.evalEvery,
  trainSize: CLASSIFY_FIELDS.trainSize,
  testSize: CLASSIFY_FIELDS.testSize,
  seed: CLASSIFY_FIELDS.seed,
  // All live. λ2 and β are the authors' defaults; λ1 = 0.9 (threshold √(2λ1/β) = 1.34, where He-initialised
  // groups sit at 1.4–2) instead of their 0.01, so that a short run shows sparsity (README, "Prune lab defaults").
  lambda1: { label: 'λ1 (RGSM sparsity)', min: 1e-6, max: 10, default: 0.9, scale: 'log', live: true },
  lambda2: { label: 'λ2 (RGSM group penalty)', min: 1e-9, max: 1e-1, default: 1e-5, scale: 'log', live: true },
  beta: { label: 'β (RGSM coupling)', min: 1e-3, max: 100, default: 1, scale: 'log', live: true },
  lambdaGL: { label: 'λ_GL (group Lasso)', min: 1e-7, max: 1, default: 1e-4, scale: 'log', live: true },
  zeroThreshold: { label: 'Zero threshold (group norm)', min: 1e-20, max: 1e-1, default: DEFAULT_ZERO_THRESHOLD, scale: 'log', live: true },
} as const;

export type PruneConfig = ConfigOf<typeof PRUNE_FIELDS>;

/** RGSM's hard-prox threshold on group norms, sqrt(2 λ1 / β) (TECHNIQUES.md §1). */
export function hardThreshold(lambda1: number, beta: number): number {
  return Math.sqrt((2 * lambda1) / beta);
}

/**
 * The range of per-layer hard thresholds s_l·sqrt(2λ1/β) for the layer scales s_l of the per-layer thresholds
 * option (ours); null without scales.
 */
export function layerThresholdRange(lambda1: number, beta: number, scales: readonly number[] | null | undefined): [number, number] | null {
  if (!scales || scales.length === 0) return null;
  const t = hardThreshold(lambda1, beta);
  return [Math.min(...scales) * t, Math.max(...scales) * t];
}

/** Per-layer channel sparsity at one step (on u for RGSM, on w otherwise). */
export interface LayerReport {
  step: number;
  /** Conv kernel names in forward order. */
  names: string[];
  /** Share of zero groups per layer. */
  sparsity: number[];
  /** Group ℓ2 norms per layer (for the histogram). */
  norms: Float32Array[];
  /** Groups per layer. */
  groups: number[];
  total: number;
  weightSparsity: number;
  /** The zero threshold the sparsity was counted with. */
  zeroThreshold: number;
  /** RGSM's hard-prox threshold sqrt(2λ1/β). */
  hardThreshold: number;
  /**
   * RGSM per-layer thresholds (ours): the scale s_l of each layer (layer l's hard threshold is s_l·hardThreshold);
   * null in global mode, absent in runs saved before the option existed.
   */
  layerScales?: number[] | null;
  measuredOn: 'u' | 'w';
}

/** Per-layer channel sparsity over time (one column per report) for the layer × step heatmap. */
export interface LayerHistory {
  names: string[];
  steps: number[];
  /** rows[k][layer] = sparsity of `layer` at steps[k]. */
  rows: number[][];
}

/** What the UI keeps of the layer reports: the latest, and the history of per-layer sparsity. */
export interface LayerState {
  /** Null in runs saved before per-layer reports were kept (only their history was). */
  latest: LayerReport | null;
  history: LayerHistory;
}

/** Keep at most this many heatmap columns; older ones are thinned by dropping every other one. */
const MAX_HISTORY = 400;

/** Add a report to the per-layer history (a new layer list starts a new history). */
export function addLayerReport(h: LayerHistory | null | undefined, r: LayerReport): LayerHistory {
  const base = h && h.names.length === r.names.length ? h : { names: r.names, steps: [], rows: [] };
  let steps = [...base.steps, r.step];
  let rows = [...base.rows, r.sparsity];
  if (steps.length > MAX_HISTORY) {
    const keep = (_: unknown, i: number) => i % 2 === 1 || i === steps.length - 1;
    steps = steps.filter(keep);
    rows = rows.filter(keep);
  }
  return { names: r.names, steps, rows };
}

/** The Prune lab's lab-only calls (EngineApi.call('prune', …)). */
export interface PruneCalls {
  /**
   * Physically remove the dead channels of the finished run `runId` (its masked network: u for RGSM),
   * check the compact outputs against the masked ones, and measure both.
   */
  compact(runId: string): Promise<Outcome<{ report: CompactionReport }>>;
  /** The compact model of the last compaction in tfjs weights format (model.json + weights.bin). */
  exportModel(runId: string): Promise<Outcome<{ model: ExportedModel }>>;
  /** Load an exported model back and evaluate it on the test split of the config's dataset. */
  loadModel(modelJson: string, weights: ArrayBuffer, config: PruneConfig): Promise<Outcome<{ report: LoadedModelReport }>>;
}

export const PRUNE_LAB = defineLab({
  id: 'prune',
  title: 'Prune',
  fields: PRUNE_FIELDS,
  series: [...CLASSIFY_SERIES, 'train.lr', 'test.accW', 'test.accURecal', 'sparsity.channel', 'sparsity.weight'],
  extras: {
    /** The session's per-layer sparsity (measured at most every 250 ms and at every evaluation; each report is the whole picture). */
    layers: extra<LayerReport, LayerState>((prev, r) => ({ latest: r, history: addLayerReport(prev?.history, r) }), { latestOnly: true }),
  },
  calls: phantom<PruneCalls>(),
  pushes: phantom<Record<never, never>>(),
  attachments: phantom<{ compaction: CompactionReport }>(),
});

export interface ModelFigures {
  params: number;
  /** Multiply-accumulates per image (convs + dense). */
  macs: number;
  /** Median inference time of one batch, measured on the engine's backend. */
  latencyMs: number;
}

export interface CompactionReport {
  runId: string;
  /** The masked network: the trained model with its zero groups (u for RGSM). */
  before: ModelFigures;
  /** The physically smaller network. */
  after: ModelFigures;
  /** Max |compact − masked| over the logits of one test batch (eval mode). */
  maxAbsDiff: number;
  batchSize: number;
  /** Channels per conv layer before and after. */
  layers: { name: string; before: number; after: number }[];
  /** Test accuracy of the compact network over the whole test split. */
  testAccuracy: number;
  backend: string;
}

/** A compact model in tfjs weights format: model.json text and weights.bin bytes. */
export interface ExportedModel {
  fileBase: string;
  modelJson: string;
  weights: ArrayBuffer;
}

/** What loading a model back reports. */
export interface LoadedModelReport {
  name: string;
  params: number;
  macs: number;
  convChannels: number[];
  /** Test accuracy on the dataset it was evaluated on, or null when the class count does not match. */
  testAccuracy: number | null;
  datasetName: string;
  note?: string;
}
