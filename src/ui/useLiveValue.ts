import { useEffect, useState } from 'react';
import { flushSync } from 'react-dom';
import type { LabName } from '../protocol';
import { useWorkbench, type RunState, type WorkbenchState } from '../store';
import { afterInput } from './inputActivity';
import { markRender } from './perfMarks';

/**
 * A value selected from the store, read again at most every `ms` milliseconds after the store changed (the
 * latest always lands) and kept while `equal` says it is the same: the view that uses it re-renders only when
 * its own data changed, and not once per engine event; never while a slider is dragged (inputActivity.ts). `select`
 * must be stable (module level or memoised).
 */
export function useLiveValue<T>(select: (s: WorkbenchState) => T, ms: number, equal: (a: T, b: T) => boolean = Object.is): T {
  const [shown, setShown] = useState(() => select(useWorkbench.getState()));
  useEffect(() => {
    let last = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let cancel: (() => void) | null = null;
    /** Read the store; later reads (not the first, inside this effect) render in their own task (flushSync in a timer). */
    const read = (ownTask: boolean) => {
      cancel = null;
      last = Date.now();
      const next = select(useWorkbench.getState());
      const update = () => setShown((prev) => (equal(prev, next) ? prev : next));
      if (!ownTask) return update();
      markRender('live');
      flushSync(update);
    };
    read(false);
    const unsubscribe = useWorkbench.subscribe(() => {
      if (timer !== null || cancel !== null) return;
      timer = setTimeout(
        () => {
          timer = null;
          cancel = afterInput(() => read(true));
        },
        Math.max(0, last + ms - Date.now()),
      );
    });
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
      cancel?.();
    };
  }, [select, ms, equal]);
  return shown;
}

const seriesOf = new Map<LabName, (s: WorkbenchState) => RunState['series'] | undefined>();

/** The series of a lab's live run for its charts: read again at most every `ms` (4 times a second by default). */
export function useLiveRunSeries(lab: LabName, ms = 250): RunState['series'] | undefined {
  let select = seriesOf.get(lab);
  if (!select) {
    select = (s) => s.runs[lab]?.series;
    seriesOf.set(lab, select);
  }
  return useLiveValue(select, ms);
}
