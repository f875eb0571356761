/**
 * The run history in IndexedDB: one database ('pdw-runs', store 'runs', keyed by run id) for the ended
 * runs of every lab, each with its `lab`. Version 2 converted the version-1 records and the Segment
 * lab's old database ('pdw-seg-runs') into this shape (runMigration.ts); nothing saved is lost.
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { DatasetInfo } from '../protocol/datasets';
import type { SeriesName } from '../protocol/events';
import { isLabName, labSpec } from '../protocol/labs';
import { runDivergence } from './divergence';
import { legacyRunToRecord, legacySegRunToRecord, LEGACY_SEG_RUN_DB_NAME } from './runMigration';
import type { AnyRunRecord, RunState, Series } from './types';

export const RUN_DB_NAME = 'pdw-runs';
const STORE = 'runs';
const VERSION = 2;

interface RunDb extends DBSchema {
  runs: { key: string; value: AnyRunRecord };
}

export interface RunHistory {
  /** Every saved run, newest (by start time) first. */
  list(): Promise<AnyRunRecord[]>;
  /** Insert or replace (same id) a run. */
  put(r: AnyRunRecord): Promise<void>;
  remove(id: string): Promise<void>;
  clear(): Promise<void>;
}

/**
 * Settings whose default today is not what a run saved before the setting existed ran with: such a run is filled
 * in with the value it ran under (a Prune run from before BN recalibration never recalibrated: 0 batches).
 */
export const RAN_WITHOUT: Partial<Record<string, Record<string, unknown>>> = {
  prune: { bnRecalBatches: 0 },
  // Segment runs from before the dataset menu and class balancing trained on the classic scenes, unweighted; from before
  // the teacher width setting, a width-1/4 teacher; from before the teacher head setting, the plain head.
  segment: { dataset: 'streets', classBalance: 'none', teacherWidth: '1/4', teacherHead: 'plain' },
};

/**
 * A stored run with the settings its lab gained since it was saved filled in (with what it ran under, RAN_WITHOUT,
 * else the default: e.g. the Segment lab's affinity term, off), so every record has a complete config; the
 * settings it ran with are kept exactly as saved (not clamped or re-checked).
 */
export function withNewSettings(r: AnyRunRecord): AnyRunRecord {
  if (!isLabName(r.lab)) return r;
  const defaults = labSpec(r.lab).defaults() as Record<string, unknown>;
  const config = r.config as Record<string, unknown>;
  if (Object.keys(defaults).every((k) => k in config)) return r;
  return { ...r, config: { ...defaults, ...RAN_WITHOUT[r.lab], ...config } } as AnyRunRecord;
}

/** Newest first; ties (same start time) by id so the order is stable. */
export function newestFirst(a: { id: string; startedAt: number }, b: { id: string; startedAt: number }): number {
  return b.startedAt - a.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Move the runs of the Segment lab's old database into the history, then delete that database. */
async function absorbLegacySegRuns(db: IDBPDatabase<RunDb>, legacyName: string): Promise<void> {
  let created = false;
  const old = await openDB(legacyName, undefined, {
    upgrade() {
      created = true; // it did not exist: opening made an empty one, deleted below
    },
  });
  try {
    if (!created && old.objectStoreNames.contains(STORE)) {
      const records = (await old.getAll(STORE)) as unknown[];
      const tx = db.transaction(STORE, 'readwrite');
      for (const r of records) {
        const rec = legacySegRunToRecord(r);
        if (rec && !(await tx.store.getKey(rec.id))) await tx.store.put(rec);
      }
      await tx.done;
    }
  } finally {
    old.close();
  }
  await deleteDB(legacyName);
}

/**
 * Open (lazily, on first use) the run history. Failures (no IndexedDB, quota, a blocked upgrade)
 * reject the returned promises; a failed open is retried on the next call.
 */
export function openRunHistory(name: string = RUN_DB_NAME, legacySegName: string = LEGACY_SEG_RUN_DB_NAME): RunHistory {
  let db: Promise<IDBPDatabase<RunDb>> | null = null;
  const get = (): Promise<IDBPDatabase<RunDb>> => {
    if (!db) {
      // Promise.resolve().then: a missing `indexedDB` global rejects instead of throwing synchronously.
      const opening = Promise.resolve()
        .then(() =>
          openDB<RunDb>(name, VERSION, {
            async upgrade(d, oldVersion, _newVersion, tx) {
              if (!d.objectStoreNames.contains(STORE)) d.createObjectStore(STORE, { keyPath: 'id' });
              if (oldVersion === 1) {
                // Version 1 held Train/Prune runs with a summary; convert each in place.
                for (let c = await tx.objectStore(STORE).openCursor(); c; c = await c.continue()) {
                  const rec = legacyRunToRecord(c.value);
                  if (rec) await c.update(rec);
                  else await c.delete();
                }
              }
            },
            terminated() {
              db = null;
            },
          }),
        )
        .then(async (d) => {
          await absorbLegacySegRuns(d, legacySegName);
          return d;
        });
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
      return all.map(withNewSettings).sort(newestFirst);
    },
    async put(r) {
      const tx = (await get()).transaction(STORE, 'readwrite');
      const written = Promise.all([tx.store.put(r), tx.done]);
      // Commit at once rather than when the task ends: a checkpoint written as the page unloads has little time.
      tx.commit();
      await written;
    },
    async remove(id) {
      await (await get()).delete(STORE, id);
    },
    async clear() {
      await (await get()).clear(STORE);
    },
  };
}

/** The last finite value of a series, or null. */
export function lastValue(s: Series | undefined): number | null {
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

/**
 * The record of an ended run for the run history: its config, series, changes, extras, how far it got and
 * whether it diverged (with `datasets`, the store's list, the chance rule knows the classes of its dataset).
 */
export function summarizeRun(run: RunState, extra: { datasetName: string; endedAt?: number; datasets?: readonly DatasetInfo[] }): AnyRunRecord {
  return {
    id: run.id,
    lab: run.lab,
    config: { ...run.config },
    status: run.status,
    startedAt: run.startedAt,
    endedAt: extra.endedAt ?? Date.now(),
    datasetName: extra.datasetName,
    stepsDone: Math.max(run.progress?.step ?? 0, lastStep(run.series)),
    params: run.params,
    error: run.error?.message ?? null,
    diverged: runDivergence(run, extra.datasets ?? []),
    series: run.series,
    hpChanges: run.hpChanges,
    extras: run.extras,
    attachments: {},
  } as AnyRunRecord;
}
