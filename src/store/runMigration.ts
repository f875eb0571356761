/**
 * The run records of the first two formats, read into today's shape: version 1 of 'pdw-runs' (Train and
 * Prune runs with a summary, a layer history and a compaction) and the Segment lab's own database
 * 'pdw-seg-runs' (its last evaluation and mIoU series). Configs go through their lab's normaliser, so
 * keys a lab no longer has are dropped and missing ones get their defaults.
 */
import type { HyperparamChange, RunStatus, SeriesName } from '../protocol/events';
import { isLabName, labSpec, type LabConfig } from '../protocol/labs';
import type { CompactionReport, LayerHistory } from '../protocol/labs/prune';
import type { AnyRunRecord, RunRecord, Series } from './types';

export const LEGACY_SEG_RUN_DB_NAME = 'pdw-seg-runs';

/** A 'pdw-runs' version-1 record. */
export interface LegacyRunRecord {
  id: string;
  lab: 'train' | 'prune';
  config: Record<string, unknown>;
  status: RunStatus;
  startedAt: number;
  endedAt: number;
  datasetName: string;
  summary: { params: number | null; steps: number };
  series: Partial<Record<SeriesName, Series>>;
  hpChanges: HyperparamChange[];
  layerHistory: LayerHistory | null;
  compaction: CompactionReport | null;
}

/** A 'pdw-seg-runs' record. */
export interface LegacySegRunRecord {
  id: string;
  config: Record<string, unknown>;
  status: RunStatus;
  startedAt: number;
  endedAt: number;
  stepsDone: number;
  params: number | null;
  mIoU: number | null;
  pixelAccuracy: number | null;
  perClassIoU: (number | null)[];
  classNames: string[];
  hpChanges: HyperparamChange[];
  error: string | null;
  miouSeries: Series;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Today's record of a version-1 record (null for something that is not one, or already converted). */
export function legacyRunToRecord(v: unknown): AnyRunRecord | null {
  if (!isObject(v) || !isLabName(v.lab) || !isObject(v.config)) return null;
  if ('extras' in v && 'attachments' in v) return v as unknown as AnyRunRecord; // already today's shape
  const old = v as unknown as LegacyRunRecord;
  const base = {
    id: old.id,
    status: old.status,
    startedAt: old.startedAt,
    endedAt: old.endedAt,
    datasetName: old.datasetName,
    stepsDone: old.summary?.steps ?? 0,
    params: old.summary?.params ?? null,
    error: null,
    series: old.series ?? {},
    hpChanges: old.hpChanges ?? [],
  };
  if (old.lab === 'prune') {
    const rec: RunRecord<'prune'> = {
      ...base,
      lab: 'prune',
      config: labSpec('prune').normalize(old.config).config,
      extras: old.layerHistory ? { layers: { latest: null, history: old.layerHistory } } : {},
      attachments: old.compaction ? { compaction: old.compaction } : {},
    };
    return rec;
  }
  const rec: RunRecord<'train'> = { ...base, lab: 'train', config: labSpec('train').normalize(old.config).config, extras: {}, attachments: {} };
  return rec;
}

/** Today's record of a 'pdw-seg-runs' record (null for something that is not one). */
export function legacySegRunToRecord(v: unknown): RunRecord<'segment'> | null {
  if (!isObject(v) || typeof v.id !== 'string' || !isObject(v.config)) return null;
  const old = v as unknown as LegacySegRunRecord;
  const config: LabConfig<'segment'> = labSpec('segment').normalize(old.config).config;
  const lastEval =
    old.mIoU === null || old.mIoU === undefined
      ? []
      : [
          {
            step: old.stepsDone,
            mIoU: old.mIoU,
            pixelAccuracy: old.pixelAccuracy ?? NaN,
            classNames: old.classNames ?? [],
            perClassIoU: old.perClassIoU ?? [],
          },
        ];
  return {
    id: old.id,
    lab: 'segment',
    config,
    status: old.status,
    startedAt: old.startedAt,
    endedAt: old.endedAt,
    datasetName: config.dataset,
    stepsDone: old.stepsDone ?? 0,
    params: old.params ?? null,
    error: old.error ?? null,
    series: old.miouSeries ? { 'seg.miou': old.miouSeries } : {},
    hpChanges: old.hpChanges ?? [],
    extras: { segEval: lastEval },
    attachments: {},
  };
}
