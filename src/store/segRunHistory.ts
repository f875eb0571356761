/** Finished Segment-lab runs in IndexedDB (database 'pdw-seg-runs', store 'runs', keyed by run id). */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { SegConfig } from '../protocol/segment';
import type { HyperparamChange, RunStatus } from '../protocol/events';

/** One row of the Segment lab's run table. */
export interface SegRunRecord {
  id: string;
  config: SegConfig;
  status: RunStatus;
  startedAt: number;
  endedAt: number;
  stepsDone: number;
  params: number | null;
  /** The last evaluation (null when the run ended before its first). */
  mIoU: number | null;
  pixelAccuracy: number | null;
  perClassIoU: (number | null)[];
  classNames: string[];
  hpChanges: HyperparamChange[];
  error: string | null;
  miouSeries: { steps: number[]; values: number[] };
}

interface SegRunDb extends DBSchema {
  runs: { key: string; value: SegRunRecord };
}

export const SEG_RUN_DB_NAME = 'pdw-seg-runs';
let db: Promise<IDBPDatabase<SegRunDb>> | null = null;

function open(): Promise<IDBPDatabase<SegRunDb>> {
  if (!db) {
    const opening = Promise.resolve().then(() =>
      openDB<SegRunDb>(SEG_RUN_DB_NAME, 1, {
        upgrade(d) {
          if (!d.objectStoreNames.contains('runs')) d.createObjectStore('runs', { keyPath: 'id' });
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
}

/** Every saved segmentation run, newest first. */
export async function loadSegRuns(): Promise<SegRunRecord[]> {
  const all = await (await open()).getAll('runs');
  return all.sort((a, b) => b.startedAt - a.startedAt);
}

/** Insert or replace a run. */
export async function saveSegRun(r: SegRunRecord): Promise<void> {
  await (await open()).put('runs', r);
}

/** Delete a run. */
export async function deleteSegRun(id: string): Promise<void> {
  await (await open()).delete('runs', id);
}
