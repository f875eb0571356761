/**
 * Parameter specs: the single source of defaults, ranges and slider scales for every numeric
 * setting of a run. UI sliders, URL-hash parsing and worker-side validation all read these.
 */
import type { SegLiveKey } from './segment';

/** The Segment lab's live keys (kept here, not imported, so params.ts and segment.ts do not import each other's values). */
const SEG_LIVE_KEY_NAMES: readonly SegLiveKey[] = ['alpha', 'temperature', 'auxWeight', 'ohemThreshold'];

export interface NumberSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly default: number;
  /** 'log' sliders move in log10 space; 'linear' in value space. */
  readonly scale: 'log' | 'linear';
  readonly integer?: boolean;
  /** When set, only these values are allowed (e.g. width multipliers). */
  readonly choices?: readonly number[];
  /** Changeable while a run is going (recorded as a hyperparameter change). */
  readonly live?: boolean;
  readonly unit?: string;
}

export const WIDTH_CHOICES = [1 / 16, 1 / 8, 1 / 4, 1 / 2, 1] as const;

const TRAIN_PARAM_SPECS = {
  width: { label: 'Width multiplier', min: 1 / 16, max: 1, default: 1 / 4, scale: 'log', choices: WIDTH_CHOICES },
  batchSize: { label: 'Batch size', min: 1, max: 256, default: 32, scale: 'log', integer: true },
  steps: { label: 'Training steps', min: 1, max: 100_000, default: 600, scale: 'log', integer: true },
  // 0.02, not §1's 0.1: in browser-scale runs (a few hundred steps, no warm-up) VGG-16 at lr 0.1 stalled at chance.
  lr: { label: 'Learning rate', min: 1e-5, max: 1, default: 0.02, scale: 'log', live: true },
  momentum: { label: 'Momentum', min: 0, max: 0.99, default: 0.9, scale: 'linear', live: true },
  weightDecay: { label: 'Weight decay', min: 0, max: 1e-2, default: 5e-4, scale: 'linear', live: true },
  evalEvery: { label: 'Evaluate every (steps)', min: 1, max: 10_000, default: 50, scale: 'log', integer: true },
  trainSize: { label: 'Training images', min: 64, max: 50_000, default: 5_000, scale: 'log', integer: true },
  testSize: { label: 'Test images', min: 16, max: 10_000, default: 1_000, scale: 'log', integer: true },
  seed: { label: 'Seed', min: 0, max: 2_147_483_647, default: 1, scale: 'linear', integer: true },
  // Prune lab (TECHNIQUES.md §1), all live. Defaults from the authors' code.
  lambda1: { label: 'λ1 (RGSM sparsity)', min: 1e-6, max: 10, default: 1e-2, scale: 'log', live: true },
  lambda2: { label: 'λ2 (RGSM group penalty)', min: 1e-9, max: 1e-1, default: 1e-5, scale: 'log', live: true },
  beta: { label: 'β (RGSM coupling)', min: 1e-3, max: 100, default: 1, scale: 'log', live: true },
  lambdaGL: { label: 'λ_GL (group Lasso)', min: 1e-7, max: 1, default: 1e-4, scale: 'log', live: true },
  zeroThreshold: { label: 'Zero threshold (group norm)', min: 1e-20, max: 1e-1, default: 1e-15, scale: 'log', live: true },
} as const satisfies Record<string, NumberSpec>;

export type TrainParamKey = keyof typeof TRAIN_PARAM_SPECS;
export const TRAIN_PARAMS: Readonly<Record<TrainParamKey, NumberSpec>> = TRAIN_PARAM_SPECS;

/** The keys that may change mid-run. */
export const LIVE_KEYS = [...((Object.keys(TRAIN_PARAMS) as TrainParamKey[]).filter((k) => TRAIN_PARAMS[k].live === true) as LiveKey[]), ...SEG_LIVE_KEY_NAMES];
export type LiveKey = 'lr' | 'momentum' | 'weightDecay' | PruneLiveKey | SegLiveKey;
/** The live keys only the Prune lab uses. */
export type PruneLiveKey = 'lambda1' | 'lambda2' | 'beta' | 'lambdaGL' | 'zeroThreshold';
export const PRUNE_LIVE_KEYS: readonly PruneLiveKey[] = ['lambda1', 'lambda2', 'beta', 'lambdaGL', 'zeroThreshold'];

/** RGSM's hard-prox threshold on group norms, sqrt(2 λ1 / β) (TECHNIQUES.md §1). */
export function hardThreshold(lambda1: number, beta: number): number {
  return Math.sqrt((2 * lambda1) / beta);
}

/** Format a width multiplier as a fraction (0.0625 → "1/16"). */
export function formatWidth(w: number): string {
  return w >= 1 ? String(w) : `1/${Math.round(1 / w)}`;
}
