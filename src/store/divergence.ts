/**
 * Whether a run diverged, read from its series alone: a loss that became NaN/Infinity or grew 100× over its
 * best so far, or a test accuracy that stays below chance. Pure, so the live warning and the saved record
 * agree, and so the rules can be checked on hand-made series.
 */
import { isSegmentation, type DatasetInfo } from '../protocol/datasets';
import type { SeriesName } from '../protocol/events';
import type { Series } from './types';

/** A loss at least this many times its minimum so far has diverged. */
export const LOSS_GROWTH = 100;
/**
 * The minimum a growth is measured from is at least this: a loss that fell to 1e-4 and came back to 0.02
 * is noise around zero, not a divergence (from the floor, the loss must reach LOSS_GROWTH × 0.01 = 1).
 */
export const LOSS_FLOOR = 0.01;
/** Training losses are per batch (noisy with small batches): the growth rule reads their mean over this many points. */
export const TRAIN_LOSS_WINDOW = 5;
/** The chance rule needs at least this many evaluations, the latest this many all below chance. */
export const CHANCE_EVALS = 2;

export interface DivergenceContext {
  /** Classes of a classification dataset (chance = 1 / classes); unknown (null) skips the chance rule. */
  classes?: number | null;
  /**
   * Test images per evaluation, when known: an accuracy counts as below chance only when it is more than two
   * standard errors of a chance-level guesser under 1 / classes, so a 16-image test set at chance does not fire.
   */
  testSize?: number | null;
}

const fmt = (v: number) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(1) : String(Number(v.toPrecision(3))));

/** The first non-finite value of a series, as a sentence. */
function nonFinite(s: Series, what: string): string | null {
  const i = s.values.findIndex((v) => !Number.isFinite(v));
  return i < 0 ? null : `The ${what} became ${String(s.values[i])} at step ${s.steps[i]}.`;
}

/** The first point whose mean over the last `window` values is ≥ LOSS_GROWTH × the lowest such mean before it (floored). */
function growth(s: Series, what: string, window: number): string | null {
  let sum = 0;
  let min = Infinity;
  for (let i = 0; i < s.values.length; i++) {
    sum += s.values[i]!;
    if (i >= window) sum -= s.values[i - window]!;
    const mean = sum / Math.min(i + 1, window);
    if (min < Infinity && mean >= LOSS_GROWTH * Math.max(min, LOSS_FLOOR)) {
      const avg = window > 1 ? ` (mean of the last ${Math.min(i + 1, window)})` : '';
      return `The ${what} rose to ${fmt(mean)}${avg} at step ${s.steps[i]}, ${LOSS_GROWTH}× its lowest ${fmt(min)}.`;
    }
    min = Math.min(min, mean);
  }
  return null;
}

/** Whether the latest CHANCE_EVALS test accuracies all lie below chance (less a margin for small test sets). */
function belowChance(s: Series, ctx: DivergenceContext): string | null {
  const classes = ctx.classes ?? 0;
  if (classes < 2 || s.values.length < CHANCE_EVALS) return null;
  const chance = 1 / classes;
  const margin = ctx.testSize && ctx.testSize > 0 ? 2 * Math.sqrt((chance * (1 - chance)) / ctx.testSize) : 0;
  const limit = chance - margin;
  if (limit <= 0) return null;
  const latest = s.values.slice(-CHANCE_EVALS);
  if (!latest.every((v) => v < limit)) return null;
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  return `The test accuracy stayed below chance (${pct(chance)} for ${classes} classes) for the last ${CHANCE_EVALS} evaluations: ${latest.map(pct).join(', ')}.`;
}

/**
 * Why a run's series say it diverged, or null: the training or test loss became NaN/±Infinity; the training
 * loss (mean of the last TRAIN_LOSS_WINDOW points) or the test loss grew to LOSS_GROWTH× its lowest so far
 * (the lowest floored at LOSS_FLOOR); or, with the number of classes known, the latest CHANCE_EVALS test
 * accuracies are all below chance. The first rule that fires gives the reason.
 */
export function divergence(series: Partial<Record<SeriesName, Series>>, ctx: DivergenceContext = {}): string | null {
  const train = series['train.loss'];
  const test = series['test.loss'];
  const acc = series['test.acc'];
  return (
    (train && nonFinite(train, 'training loss')) ??
    (test && nonFinite(test, 'test loss')) ??
    (train && growth(train, 'training loss', TRAIN_LOSS_WINDOW)) ??
    (test && growth(test, 'test loss', 1)) ??
    (acc && belowChance(acc, ctx)) ??
    null
  );
}

/**
 * The context of a run's config: the classes of its dataset (a classification dataset from the store's list,
 * by the config's `dataset` id; segmentation datasets and unknown ids skip the chance rule) and its test size
 * (the config's `testSize`, at most the dataset's test images).
 */
export function divergenceContext(config: object, datasets: readonly DatasetInfo[]): DivergenceContext {
  const c = config as { dataset?: unknown; testSize?: unknown };
  const ds = typeof c.dataset === 'string' ? datasets.find((d) => d.id === c.dataset) : undefined;
  if (!ds || isSegmentation(ds) || ds.classNames.length < 2) return { classes: null };
  const sizes = [typeof c.testSize === 'number' ? c.testSize : Infinity, ds.testCount > 0 ? ds.testCount : Infinity];
  const testSize = Math.min(...sizes);
  return { classes: ds.classNames.length, testSize: Number.isFinite(testSize) ? testSize : null };
}

/** Why a run (live or saved) diverged, or null: `divergence` of its series in the context of its config. */
export function runDivergence(run: { config: object; series: Partial<Record<SeriesName, Series>> }, datasets: readonly DatasetInfo[]): string | null {
  return divergence(run.series, divergenceContext(run.config, datasets));
}
