/** Finished Segment-lab runs in IndexedDB (database 'pdw-seg-runs', store 'runs', keyed by run id). */
import type { SegConfig } from '../protocol/segment';
import type { HyperparamChange, RunStatus } from '../protocol/events';
import { openRunHistory, type RunHistory } from './runHistory';

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

export const SEG_RUN_DB_NAME = 'pdw-seg-runs';
let history: RunHistory<SegRunRecord> | null = null;
const db = (): RunHistory<SegRunRecord> => (history ??= openRunHistory<SegRunRecord>(SEG_RUN_DB_NAME));

/** Every saved segmentation run, newest first. */
export function loadSegRuns(): Promise<SegRunRecord[]> {
  return db().list();
}

/** Insert or replace a run. */
export function saveSegRun(r: SegRunRecord): Promise<void> {
  return db().put(r);
}

/** Delete a run. */
export function deleteSegRun(id: string): Promise<void> {
  return db().remove(id);
}
