/**
 * The Detect lab's session (TECHNIQUES.md §4, issue #12): a DetectTrainer reporting per step the minimised loss, the lr, the step
 * time, the unweighted loss terms (CE, L1, GIoU) of every decoder layer, the matched queries and the gradient norm before
 * clipping; per evaluation COCO-style AP@0.5, AP@[.5:.95], recall@20 and the mean count above the score threshold on the
 * validation split, and every query's output on its first images (`detectPreview` extra). Boxes in the preview are pixel corners
 * (x1, y1, x2, y2) of the dataset's H × W images, clipped to the image.
 */
import type { SeriesName } from '../../../protocol/labs';
import type { DETECT_MAX_DECODER_LAYERS, DetectPixelBox, DetectPreview } from '../../../protocol/labs/detect';
import type { DetectDataset } from '../../data/detectDataset';
import type { Box } from '../../detect/boxes';
import { boxTuple } from '../../detect/detectBatch';
import type { DetectModel } from '../../models/detect/detector';
import { DetectTrainer, predictDetections, toPixels, type DetectTrainerOptions } from '../detectTrainer';
import type { Observation, SeriesValues, StepReport, TrainingSession } from '../session';
import { TrainerSession } from '../trainerSession';

export interface DetectSessionOptions extends DetectTrainerOptions {
  /** Validation images shown in the `detectPreview` extra at every evaluation (default 4; 0: none). */
  previewCount?: number;
}

/** Decoder layers the spec has loss series for (typed as the protocol's constant, a value engine code may not import). */
const SERIES_LAYERS: typeof DETECT_MAX_DECODER_LAYERS = 4;
type LayerSeries = Extract<SeriesName, `detect.loss.${string}`>;

/** Pixel corners (x1, y1, x2, y2) as a DetectPixelBox, clipped to an H × W image. */
function corners([x1, y1, x2, y2]: Box, height: number, width: number): DetectPixelBox {
  const clamp = (v: number, max: number) => Math.min(max, Math.max(0, v));
  return { x1: clamp(x1, width), y1: clamp(y1, height), x2: clamp(x2, width), y2: clamp(y2, height) };
}

export class DetectSession extends TrainerSession<DetectTrainer> implements TrainingSession {
  /** Validation AP@0.5 and AP@[.5:.95] of the latest evaluation (null before one, or when the split has no non-ignored box). */
  lastAP50: number | null = null;
  lastAP: number | null = null;
  /** The latest evaluation's best-F1 score threshold and that F1 (null before one, or without a true positive). */
  lastBestF1: { threshold: number; f1: number } | null = null;
  private readonly previewCount: number;

  constructor(
    options: DetectSessionOptions,
    private readonly data: DetectDataset,
  ) {
    // The live keys (lr, clip, wCE, wL1, wGIoU, eosCoef, scoreThreshold) are DetectHyperparams' own names: TrainerSession passes them through.
    super(new DetectTrainer(options, data));
    this.previewCount = Math.max(0, Math.min(options.previewCount ?? 4, data.test.count));
  }

  async step(): Promise<StepReport> {
    const r = await this.trainer.step();
    const values: SeriesValues = {
      'train.loss': r.loss,
      'train.lr': r.lr,
      'step.ms': r.ms,
      'detect.matched': r.matched,
      'detect.gradNorm': r.gradNorm,
    };
    r.layers.forEach((t, l) => {
      if (l >= SERIES_LAYERS) return; // deeper than the series the spec declares
      values[`detect.loss.ce.${l}` as LayerSeries] = t.ce;
      values[`detect.loss.l1.${l}` as LayerSeries] = t.l1;
      values[`detect.loss.giou.${l}` as LayerSeries] = t.giou;
    });
    return { loss: r.loss, batchSize: r.batchSize, values };
  }

  async evaluate(onProgress?: (fraction: number) => void): Promise<Observation> {
    const ev = await this.trainer.evaluate(onProgress);
    this.lastAP50 = ev.ap50;
    this.lastAP = ev.ap;
    this.lastBestF1 = ev.bestF1 ? { threshold: ev.bestF1.threshold, f1: ev.bestF1.f1 } : null;
    const values: SeriesValues = { 'test.aboveThreshold': ev.meanAboveThreshold };
    if (ev.ap50 !== null) values['test.ap50'] = ev.ap50;
    if (ev.ap !== null) values['test.ap'] = ev.ap;
    if (ev.recall20 !== null) values['test.recall20'] = ev.recall20;
    // AP@0.5 per person height band (PERSON_HEIGHT_BANDS: < 1/8, 1/8–1/3, ≥ 1/3 of the frame), when the band holds anyone.
    ev.byHeight.forEach((b, i) => {
      if (b.ap50 !== null) values[`test.ap50.band${i}` as 'test.ap50.band0'] = b.ap50;
    });
    if (ev.bestF1) {
      values['test.bestF1'] = ev.bestF1.f1;
      values['test.f1Threshold'] = ev.bestF1.threshold;
    }
    if (this.previewCount === 0) return { values };
    return { values, extras: [{ kind: 'detectPreview', payload: await this.preview() }] };
  }

  /** Every query's p_person and pixel box (clipped to the image) on the first validation images, with their truth boxes (ignore regions flagged). */
  async preview(): Promise<DetectPreview> {
    const { height, width, test } = this.data;
    const n = this.previewCount;
    const px = height * width * 3;
    const pred = await predictDetections(this.trainer.model, test.images.subarray(0, n * px), n, Number.NEGATIVE_INFINITY, { batch: n });
    const images = pred.images.map((queries, i) => ({
      rgb: test.images.slice(i * px, (i + 1) * px),
      truth: test.boxes[i]!.map((b) => ({ ...corners(toPixels(boxTuple(b), height, width), height, width), ...(b.ignore ? { ignore: true } : {}) })),
      queries: queries.map((q) => ({ query: q.query, score: q.score, box: corners(q.pixels, height, width) })),
    }));
    return { step: this.trainer.steps, height, width, images };
  }

  /** Hand the trained detector over (the caller disposes it); the session is unusable after. */
  releaseModel(): DetectModel {
    return this.trainer.releaseModel();
  }
}
