/** The final figures of a saved classification run, as the Prune lab's run table and scatter show them. */
import { lastValue } from '../../../store';
import type { ClassifyRunRecord } from './runExport';

export interface RunSummary {
  /** Last test accuracy (on u for RGSM), null if never evaluated. */
  testAccuracy: number | null;
  /** Last test accuracy on w (RGSM), null otherwise. */
  testAccuracyW: number | null;
  /** Last test accuracy on u with BN statistics recalibrated for u (RGSM with recalibration on), null otherwise. */
  testAccuracyURecal: number | null;
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

/** The last value of each series, the params and the compaction figures of a run. */
export function runSummary(r: ClassifyRunRecord): RunSummary {
  const compaction = r.lab === 'prune' ? (r.attachments.compaction ?? null) : null;
  return {
    testAccuracy: lastValue(r.series['test.acc']),
    testAccuracyW: lastValue(r.series['test.accW']),
    testAccuracyURecal: r.lab === 'prune' ? lastValue(r.series['test.accURecal']) : null,
    channelSparsity: lastValue(r.series['sparsity.channel']),
    weightSparsity: lastValue(r.series['sparsity.weight']),
    params: r.params ?? compaction?.before.params ?? null,
    compactParams: compaction?.after.params ?? null,
    compactMacs: compaction?.after.macs ?? null,
    denseMacs: compaction?.before.macs ?? null,
    steps: r.stepsDone,
  };
}
