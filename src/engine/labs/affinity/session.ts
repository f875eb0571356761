/**
 * The Affinity lab's session (TECHNIQUES.md §3): an AffinityTrainer reporting the loss terms, the
 * affinity loss per stage and the step time per step, the exact FA beside FFA every few steps (the
 * "shadow", with the estimator's relative error), and per evaluation the test accuracy, the teacher's
 * as a reference, and the affinity matrices of one test image per stage (`affinityMaps` extra).
 */
import type { AffinityMaps, AffinityTap } from '../../../protocol/labs/affinity';
import type { ImageDataset } from '../../data/dataset';
import type { AffinityNet } from '../../models/affinity/affinityNet';
import type { Observation, SeriesValues, StepReport, TrainingSession } from '../session';
import { TrainerSession } from '../trainerSession';
import { mapScale } from './mapScale';
import { AffinityTrainer, type AffinityTrainerOptions } from './trainer';

export interface AffinitySessionOptions extends AffinityTrainerOptions {
  /** Steps between two exact-FA shadows of an FFA run. */
  shadowEvery: number;
  /** The teacher's test accuracy, drawn as a reference line (null without a teacher). */
  teacherAccuracy: number | null;
  /** The test image whose affinity matrices are shown. */
  imageIndex: number;
}

export class AffinitySession extends TrainerSession<AffinityTrainer> implements TrainingSession {
  /** Called with the test accuracy after each evaluation (the worker keeps a trained teacher's). */
  onEvaluated: ((accuracy: number) => void) | null = null;
  private imageIndex = 0;

  constructor(
    private readonly options: AffinitySessionOptions,
    private readonly data: ImageDataset,
  ) {
    super(new AffinityTrainer(options, data));
    this.setImage(options.imageIndex);
  }

  async step(): Promise<StepReport> {
    const shadow = this.options.lossType === 'ffa' && this.trainer.stepCount % Math.max(1, this.options.shadowEvery) === 0;
    const t0 = performance.now();
    const r = await this.trainer.step(shadow);
    const ms = performance.now() - t0;
    const values: SeriesValues = {
      'train.loss': r.loss,
      'train.acc': r.accuracy,
      'train.lr': r.lr,
      'step.ms': ms,
      'affinity.loss.ce': r.ce,
      'affinity.loss.kd': r.kd,
      'affinity.loss.fa': r.fa,
    };
    for (const [size, v] of Object.entries(r.stages)) values[`affinity.stage.${size as `${AffinityTap}`}`] = v;
    if (r.exact) {
      let est = 0;
      let exact = 0;
      for (const [size, v] of Object.entries(r.exact)) {
        values[`affinity.exact.${size as `${AffinityTap}`}`] = v;
        exact += v;
        est += r.stages[Number(size)] ?? 0;
      }
      if (exact > 0) values['affinity.relError'] = Math.abs(est - exact) / exact;
    }
    return { loss: r.loss, batchSize: r.batchSize, values };
  }

  async evaluate(onProgress?: (fraction: number) => void): Promise<Observation> {
    const ev = await this.trainer.evaluate(onProgress);
    this.onEvaluated?.(ev.accuracy);
    const values: SeriesValues = { 'test.acc': ev.accuracy, 'test.loss': ev.loss };
    if (this.options.teacherAccuracy !== null) values['teacher.acc'] = this.options.teacherAccuracy;
    const payload = await this.maps();
    return payload.length === 0 ? { values } : { values, extras: [{ kind: 'affinityMaps', payload }] };
  }

  /** Show test image `index` from now on (clamped to the test split). */
  setImage(index: number): void {
    this.imageIndex = Math.max(0, Math.min(Math.round(index), this.data.test.count - 1));
  }

  /** Teacher and student affinity matrices of the chosen test image at every tapped stage (none without a teacher). */
  async maps(): Promise<AffinityMaps[]> {
    const maps = await this.trainer.affinityMaps(this.imageIndex);
    const px = this.data.height * this.data.width * 3;
    const i = this.imageIndex;
    const image = this.data.test.images.slice(i * px, (i + 1) * px);
    // The colour scales are worked out here, in the worker, so the page's redraw only samples the maps.
    return maps.map((m) => ({
      step: this.trainer.stepCount,
      size: m.size as AffinityTap,
      imageIndex: i,
      image,
      teacher: m.teacher,
      student: m.student,
      ...mapScale(m.teacher, m.student),
    }));
  }

  /** Hand the trained network over (the caller disposes it); the session is unusable after. */
  releaseModel(): AffinityNet {
    return this.trainer.releaseModel();
  }
}
