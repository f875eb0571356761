/**
 * The Prune lab's session (TECHNIQUES.md §1): a PruneTrainer reporting loss, accuracy and the lr per
 * step, test accuracy on u (with w's BN statistics and, when set, with BN statistics recalibrated for u) and on w
 * per evaluation, and channel sparsity with the per-layer report
 * (`layers` extra) when the loop asks for an observation.
 */
import { TrainerSession } from '../trainerSession';
import type { LayerReport } from '../../../protocol/labs/prune';
import type { ImageDataset } from '../../data/dataset';
import type { PruneSessionOptions } from '../pruneOptions';
import { PruneTrainer } from '../pruneTrainer';
import type { Observation, StepReport, TrainingSession } from '../session';

export class PruneSession extends TrainerSession<PruneTrainer> implements TrainingSession {
  /** `trainer` is kept after the run for compaction and export. */
  constructor(opts: PruneSessionOptions, data: ImageDataset) {
    super(new PruneTrainer(opts, data));
  }

  async step(): Promise<StepReport> {
    const r = await this.trainer.step();
    return { loss: r.loss, batchSize: r.batchSize, values: { 'train.loss': r.loss, 'train.acc': r.accuracy, 'train.lr': r.lr } };
  }

  /**
   * Test accuracy of the delivered model at the last evaluation: RGSM's u with recalibrated BN statistics when
   * recalibration is on, else the `test.acc` value; null before the first evaluation.
   */
  deliveredAccuracy: number | null = null;

  /** Test accuracy and loss on u for RGSM (on w otherwise), accuracy on w, and on u with recalibrated BN statistics. */
  async evaluate(onProgress?: (fraction: number) => void): Promise<Observation> {
    const ev = await this.trainer.evaluate(onProgress);
    this.deliveredAccuracy = ev.accuracyURecal ?? ev.accuracy;
    return {
      values: {
        'test.acc': ev.accuracy,
        'test.loss': ev.loss,
        'test.accW': ev.accuracyW,
        ...(ev.accuracyURecal !== null ? { 'test.accURecal': ev.accuracyURecal } : {}),
      },
    };
  }

  /** Channel and weight sparsity (a pass over every kernel and a read-back), with the per-layer report. */
  async observe(): Promise<Observation> {
    const r = await this.trainer.sparsity();
    const report: LayerReport = {
      step: this.trainer.stepCount,
      names: r.layers,
      sparsity: r.layerSparsity,
      norms: r.norms,
      groups: r.groups,
      total: r.total,
      weightSparsity: r.weightSparsity,
      zeroThreshold: r.threshold,
      hardThreshold: r.hardThreshold,
      layerScales: r.layerScales,
      measuredOn: r.measuredOn,
    };
    return { values: { 'sparsity.channel': r.total, 'sparsity.weight': r.weightSparsity }, extras: [{ kind: 'layers', payload: report }] };
  }
}
