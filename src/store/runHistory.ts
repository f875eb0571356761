/** Saved runs in IndexedDB (database 'pdw-runs', store 'runs', keyed by run id), and the record a finished run becomes. */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { SeriesName } from '../protocol/events';
import type { CompactionReport } from '../protocol/prune';
import type { RunRecord, RunSummary } from './runRecord';
import type { RunState, Series } from './runSlice';

export const RUN_DB_NAME = 'pdw-runs';
const STORE = 'runs';
const VERSION = 1;

/** What every saved run has: an id and a start time (the list order). */
export interface SavedRun {
  id: string;
  startedAt: number;
}

interface RunDb<R extends SavedRun> extends DBSchema {
  runs: { key: string; value: R };
}

export interface RunHistory<R extends SavedRun = RunRecord> {
  /** Every saved run, newest (by start time) first. */
  list(): Promise<R[]>;
  /** Insert or replace (same id) a run. */
  put(r: R): Promise<void>;
  remove(id: string): Promise<void>;
  clear(): Promise<void>;
}

/** Newest first; ties (same start time) by id so the order is stable. */
export function newestFirst(a: SavedRun, b: SavedRun): number {
  return b.startedAt - a.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Open (lazily, on first use) the run history. Failures (no IndexedDB, quota, a blocked upgrade)
 * reject the returned promises; a failed open is retried on the next call.
 */
export function openRunHistory<R extends SavedRun = RunRecord>(name: string = RUN_DB_NAME): RunHistory<R> {
  let db: Promise<IDBPDatabase<RunDb<R>>> | null = null;
  const get = (): Promise<IDBPDatabase<RunDb<R>>> => {
    if (!db) {
      // Promise.resolve().then: a missing `indexedDB` global rejects instead of throwing synchronously.
      const opening = Promise.resolve().then(() =>
        openDB<RunDb<R>>(name, VERSION, {
          upgrade(d) {
            if (!d.objectStoreNames.contains(STORE)) d.createObjectStore(STORE, { keyPath: 'id' });
          },
          terminated() {
            db = null;
          },
        }),
      );
      db = opening;
      opening.catch(() => {
        if (db === opening) db = null;
      });
    }
    return db;
  };
  return {
    async list() {
      const all = await (await get()).getAll(STORE);
      return all.sort(newestFirst);
    },
    async put(r) {
      await (await get()).put(STORE, r);
    },
    async remove(id) {
      await (await get()).delete(STORE, id);
    },
    async clear() {
      await (await get()).clear(STORE);
    },
  };
}

function last(s: Series | undefined): number | null {
  const v = s?.values.at(-1);
  return v === undefined || !Number.isFinite(v) ? null : v;
}

function lastStep(series: Partial<Record<SeriesName, Series>>): number {
  let max = 0;
  for (const s of Object.values(series)) {
    const step = s?.steps.at(-1);
    if (step !== undefined && step > max) max = step;
  }
  return max;
}

/** The record of a run for the run table: its config, history and a summary of its final values. */
export function summarizeRun(run: RunState, extra: { datasetName: string; compaction: CompactionReport | null; endedAt?: number }): RunRecord {
  const { compaction } = extra;
  const summary: RunSummary = {
    testAccuracy: last(run.series['test.acc']),
    testAccuracyW: last(run.series['test.accW']),
    channelSparsity: last(run.series['sparsity.channel']),
    weightSparsity: last(run.series['sparsity.weight']),
    params: run.params ?? compaction?.before.params ?? null,
    compactParams: compaction?.after.params ?? null,
    compactMacs: compaction?.after.macs ?? null,
    denseMacs: compaction?.before.macs ?? null,
    steps: Math.max(run.progress?.step ?? 0, lastStep(run.series)),
  };
  return {
    id: run.id,
    lab: run.lab,
    config: { ...run.config },
    status: run.status,
    startedAt: run.startedAt,
    endedAt: extra.endedAt ?? Date.now(),
    datasetName: extra.datasetName,
    summary,
    series: run.series,
    hpChanges: run.hpChanges,
    layerHistory: run.layerHistory,
    compaction,
  };
}
