/**
 * Narrow selectors on the live runs: a view subscribes to what it draws (a few named series, the markers, the last
 * value of one series), not to the whole run, so an event that changes other series does not re-render it.
 */
import type { HyperparamChange, LabName, SeriesName } from '../protocol';
import type { Series, WorkbenchState } from './types';

const NO_CHANGES: readonly HyperparamChange[] = [];

/** The named series of a lab's live run, in the order asked (undefined where absent). Compare results with `sameItems`. */
export const selectSeries =
  (lab: LabName, names: readonly SeriesName[]) =>
  (s: WorkbenchState): (Series | undefined)[] => {
    const series = s.runs[lab]?.series;
    return names.map((n) => series?.[n]);
  };

/** The hyperparameter changes of a lab's live run (one shared empty list before its first). */
export const selectHpChanges =
  (lab: LabName) =>
  (s: WorkbenchState): readonly HyperparamChange[] =>
    s.runs[lab]?.hpChanges ?? NO_CHANGES;

/** The latest value of one series of a lab's live run. */
export const selectLast =
  (lab: LabName, name: SeriesName) =>
  (s: WorkbenchState): number | undefined =>
    s.runs[lab]?.series[name]?.values.at(-1);

/** Whether two selections hold the same items (by identity): a view re-renders only when one of its own items changed. */
export function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}
