/**
 * The runs followed live, one per lab: config, status, series, progress, hyperparameter changes and the
 * lab's extras, updated by one event reducer. An ended run is saved in the run history.
 */
import type { StateCreator } from 'zustand';
import { ENDED_STATUSES as ENDED, type EngineError, type EngineEvent } from '../protocol/events';
import { LAB_NAMES, reduceExtra, type LabExtrasState, type LabName } from '../protocol/labs';
import { PEOPLE_NAMES } from '../protocol/labs/detect';
import { interruptedMessage } from './checkpoint';
import { summarizeRun } from './runHistory';
import type { AnyRunRecord, LiveRunsSlice, RunsByLab, RunState, Series, WorkbenchState } from './types';

const noRuns = (): RunsByLab => Object.fromEntries(LAB_NAMES.map((l) => [l, null])) as RunsByLab;

/**
 * A series with points appended: a new Series object (so a chart that compares series by identity sees the change)
 * over the same arrays, grown in place. Copying both arrays on every event made each event cost O(length): past
 * ~15,000 points a copy is a large-object allocation, and one event took ~8 ms in Node instead of 0.06 (README, #18).
 * The arrays only ever grow, and only the run's live state appends to them; a Series object read earlier still
 * holds the same arrays (the latest points, not a snapshot).
 */
export function appendPoints(old: Series | undefined, steps: readonly number[], values: readonly number[]): Series {
  if (!old) return { steps: [...steps], values: [...values] };
  for (let i = 0; i < steps.length; i++) old.steps.push(steps[i]!);
  for (let i = 0; i < values.length; i++) old.values.push(values[i]!);
  return { steps: old.steps, values: old.values };
}

/** Apply one event of a run to it (events of other kinds leave it unchanged). */
export function applyRunEvent<R extends RunState>(run: R, e: EngineEvent): R {
  switch (e.type) {
    case 'status':
      return { ...run, status: e.status };
    case 'progress':
      return { ...run, progress: e.progress };
    case 'hpChange':
      return { ...run, hpChanges: [...run.hpChanges, e.change] };
    case 'model':
      return { ...run, params: e.params };
    case 'error':
      return { ...run, error: e.error };
    case 'extra':
      return { ...run, extras: reduceExtra(run.lab, run.extras, e.extra) as LabExtrasState<LabName> };
    case 'metrics': {
      const series = { ...run.series };
      for (const b of e.batches) series[b.series] = appendPoints(series[b.series], b.steps, b.values);
      return { ...run, series };
    }
    default:
      return run;
  }
}

const datasetName = (get: () => WorkbenchState, run: RunState) => {
  const id = (run.config as { dataset?: string }).dataset ?? '';
  return get().datasets.find((d) => d.id === id)?.name ?? PEOPLE_NAMES[id] ?? id;
};

/** Put an ended run into the run history (and IndexedDB), keeping what was attached to an earlier save. */
function saveEnded(get: () => WorkbenchState, run: RunState): void {
  const old = get().savedRuns.find((r) => r.id === run.id);
  const rec = summarizeRun(run, { datasetName: datasetName(get, run), datasets: get().datasets });
  void get().saveRun({ ...rec, attachments: old?.attachments ?? rec.attachments } as AnyRunRecord);
}

/** The record a run in progress leaves if the page dies now: status 'interrupted', at the step it reached. */
export function checkpointRecord(get: () => WorkbenchState, run: RunState): AnyRunRecord {
  const rec = summarizeRun({ ...run, status: 'interrupted' }, { datasetName: datasetName(get, run), datasets: get().datasets });
  return { ...rec, error: interruptedMessage(run, rec.stepsDone) };
}

export const createLiveRunsSlice: StateCreator<WorkbenchState, [], [], LiveRunsSlice> = (set, get) => ({
  runs: noRuns(),
  labData: {},
  beginRun: (lab, id, config) =>
    set((s) => ({
      runs: {
        ...s.runs,
        [lab]: {
          id,
          lab,
          config,
          status: 'preparing',
          progress: null,
          series: {},
          hpChanges: [],
          params: null,
          error: null,
          startedAt: Date.now(),
          extras: {},
        },
      },
    })),
  applyEvents: (events) => {
    const before = get().runs;
    const runs: Record<string, RunState | null> = { ...before };
    const labOf = new Map<string, LabName>();
    for (const lab of LAB_NAMES) if (before[lab]) labOf.set(before[lab].id, lab);
    for (const e of events) {
      if (e.type === 'backend') get().setBackend(e.info);
      else if (e.type === 'import') get().setImportProgress(e.progress);
      else if (e.type === 'datasets') get().setDatasets(e.list);
      else if (e.type === 'models') get().setModels(e.list);
      else if (e.type === 'push') get().setPush(e.push);
      else if ('runId' in e) {
        const lab = e.runId === null ? undefined : labOf.get(e.runId);
        if (lab) runs[lab] = applyRunEvent(runs[lab]!, e);
        else if (e.type === 'error') get().addNotice('error', e.error.message);
      }
    }
    if (LAB_NAMES.every((l) => runs[l] === before[l])) return;
    set({ runs: runs as RunsByLab });
    for (const lab of LAB_NAMES) {
      const was = before[lab];
      const now = runs[lab];
      if (now && was && was.id === now.id && !ENDED.includes(was.status) && ENDED.includes(now.status)) saveEnded(get, now);
    }
  },
  abortRun: (lab, error: EngineError, status = 'error') => {
    const run = get().runs[lab];
    if (!run || ENDED.includes(run.status)) return;
    const ended = { ...run, status, error };
    set((s) => ({ runs: { ...s.runs, [lab]: ended } }));
    saveEnded(get, ended);
  },
  abortRuns: (error) => {
    for (const lab of LAB_NAMES) get().abortRun(lab, error);
  },
  interruptRuns: (reason) => {
    for (const lab of LAB_NAMES) get().abortRun(lab, { code: 'internal', message: reason }, 'interrupted');
  },
  setPush: (push) => set((s) => ({ labData: { ...s.labData, [push.lab]: { ...s.labData[push.lab], [push.name]: push.value } } })),
});
