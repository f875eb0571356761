/** A finished (or stopped) run as it is kept in the run table and in IndexedDB. */
import type { LabName, TrainConfig } from '../protocol/config';
import type { HyperparamChange, SeriesName } from '../protocol/events';
import type { CompactionReport } from '../protocol/prune';
import type { LayerHistory, RunState, Series } from './runSlice';

export interface RunSummary {
  /** Last test accuracy (on u for RGSM), null if never evaluated. */
  testAccuracy: number | null;
  /** Last test accuracy on w (RGSM), null otherwise. */
  testAccuracyW: number | null;
  /** Last total channel sparsity (share of zero groups over all conv layers). */
  channelSparsity: number | null;
  weightSparsity: number | null;
  /** Trainable parameters of the (dense) network trained. */
  params: number | null;
  /** Params and MACs after compaction, when the run was compacted. */
  compactParams: number | null;
  compactMacs: number | null;
  denseMacs: number | null;
  steps: number;
}

export interface RunRecord {
  id: string;
  lab: LabName;
  config: TrainConfig;
  status: RunState['status'];
  startedAt: number;
  endedAt: number;
  datasetName: string;
  summary: RunSummary;
  series: Partial<Record<SeriesName, Series>>;
  hpChanges: HyperparamChange[];
  layerHistory: LayerHistory | null;
  compaction: CompactionReport | null;
}
