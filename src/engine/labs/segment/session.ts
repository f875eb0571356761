/**
 * The Segment lab's session (TECHNIQUES.md §2): a SegTrainer reporting the loss terms and the lr per
 * step, and validation mIoU, pixel accuracy and per-class IoU (`segEval` extra) per evaluation.
 */
import { TrainerSession } from '../trainerSession';
import type { SegDataset } from '../../data/segDataset';
import type { SegModel } from '../../models/seg/segModel';
import { SegTrainer, type SegSessionOptions } from '../segTrainer';
import type { Observation, StepReport, TrainingSession } from '../session';

export class SegmentSession extends TrainerSession<SegTrainer> implements TrainingSession {
  private steps = 0;

  constructor(opts: SegSessionOptions, data: SegDataset) {
    super(new SegTrainer(opts, data));
  }

  /** Validation mIoU of the latest evaluation (NaN before the first). */
  get lastMIoU(): number {
    return this.trainer.lastMIoU;
  }

  async step(): Promise<StepReport> {
    const r = await this.trainer.step();
    this.steps++;
    return {
      loss: r.loss,
      batchSize: r.batchSize,
      values: {
        'train.loss': r.loss,
        'train.acc': r.accuracy,
        'train.lr': r.lr,
        'seg.loss.ce': r.parts.ce,
        'seg.loss.aux': r.parts.aux,
        'seg.loss.kd': r.parts.kd,
        'seg.loss.affinity': r.parts.affinity,
        'seg.loss.lovasz': r.parts.lovasz,
      },
    };
  }

  async evaluate(onProgress?: (fraction: number) => void): Promise<Observation> {
    const ev = await this.trainer.evaluate(onProgress);
    const { mIoU, perClassIoU, classNames } = ev.seg;
    return {
      values: { 'test.acc': ev.accuracy, 'test.loss': ev.loss, 'seg.miou': mIoU, 'seg.pixelAcc': ev.accuracy },
      extras: [{ kind: 'segEval', payload: { step: this.steps, mIoU, pixelAccuracy: ev.accuracy, classNames, perClassIoU } }],
    };
  }

  /** Hand the trained model over (the caller disposes it); the session is unusable after. */
  releaseModel(): SegModel {
    return this.trainer.releaseModel();
  }
}
