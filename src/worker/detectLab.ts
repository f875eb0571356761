/**
 * The Detect lab in the worker: a DetectConfig as a detector architecture and a run plan (the built-in person scenes with a
 * fixed data seed, or an imported COCO / VOC person set; a DetectSession; the finished detector goes into the model library
 * and, when its viewer slot is empty or it scored at least the held AP@0.5, into the zoo), and the viewer's predictions, the
 * built-in scenes of its picker and the per-encoder cost table. Images are NHWC uint8 RGB at DETECT_INPUT (128×256); boxes in
 * pixels are corners (x1, y1, x2, y2).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  DetectSession,
  buildDetector,
  detectArchitecture,
  detectCost,
  detectionAP,
  disposeParams,
  generateDetectDataset,
  measureDetectLatency,
  renderDetectScene,
  segImagesTensor,
  toPixels,
  type DetectArchitecture,
  type DetectDataset,
  type DetectModel,
  type DetectSplit,
  type Detection,
  type GroundTruth,
} from '../engine';
import type { RunStatus } from '../protocol/events';
import {
  DETECT_ENCODER_NAMES,
  DETECT_ENCODER_SHORT,
  DETECT_INPUT,
  DETECT_SCENE_STYLES,
  PEOPLE_NAMES,
  PEOPLE_STYLES,
  architectureDifferences,
  summaryOfConfig,
  type DetectSceneStyle,
  isBuiltinPeople,
  detectSlotOf,
  type DetectConfig,
  type DetectCostReport,
  type DetectEncoderName,
  type DetectPixelBox,
  type DetectPredictRequest,
  type DetectPredictResult,
  type DetectQueryOutput,
  type DetectScenes,
  type DetectZooInfo,
} from '../protocol/labs/detect';
import type { ModelInfo } from '../protocol/models';
import type { DatasetService } from './datasetService';
import { summaryOfArchitecture, type DetectZoo, type HeldDetector } from './detectZoo';
import { EngineFault } from './errors';
import type { RunPlan } from './labs/types';
import { SEG_NORMALIZATION, detectMeta, detectToKeep, type ModelToKeep } from './modelFormats';
import { yieldToEventLoop } from './yieldToEventLoop';

/** The data seed of the built-in person scenes: fixed (independent of the run seed), so every run and the viewer's picker see the same scenes. */
export const PEOPLE_DATA_SEED = 1;
/** Most scenes one `scenes` call returns. */
export const MAX_SCENES = 16;
/** Most images one `predict` call takes. */
export const MAX_PREDICT_IMAGES = 16;
/** Timed batch-1 inferences of a latency measurement (after one warm-up): the median is reported. */
const LATENCY_REPEATS = 5;

const pct = (v: number | null) => (v === null ? 'no AP (no person in its validation split)' : `${(100 * v).toFixed(1)} % AP@0.5`);

/**
 * The detector architecture of a config with the given encoder, at the viewer's input size: backbone width, d, encoder
 * {kind, layers, heads, FFN = ffnRatio·d}, decoder {layers, heads, FFN, queries}. Refuses (invalid-config) a d that the
 * heads do not divide, or any other architecture that cannot be built, with one sentence.
 */
export function detectArchitectureOf(config: DetectConfig, encoder: DetectEncoderName = config.encoder): DetectArchitecture {
  const { d, heads } = config;
  if (d % heads !== 0)
    throw new EngineFault(
      'invalid-config',
      `The transformer width d (${d}) must be divisible by the attention heads (${heads}): pick d and heads so that d ÷ heads is whole.`,
    );
  const s = summaryOfConfig({ ...config, encoder });
  try {
    return detectArchitecture({
      inputHeight: DETECT_INPUT.height,
      inputWidth: DETECT_INPUT.width,
      widthMultiplier: s.width,
      d: s.d,
      encoder: { kind: s.encoder, layers: s.encoderLayers, heads: s.encoderHeads, ffn: s.encoderFfn },
      decoder: { layers: s.decoderLayers, heads: s.heads, ffn: s.ffn, queries: s.queries },
    });
  } catch (err) {
    throw new EngineFault('invalid-config', err instanceof Error ? err.message : String(err));
  }
}

/** The first `n` images of a split (views, no copy). */
function firstOf(split: DetectSplit, n: number, height: number, width: number): DetectSplit {
  const count = Math.min(n, split.count);
  return count === split.count ? split : { images: split.images.subarray(0, count * height * width * 3), boxes: split.boxes.slice(0, count), count };
}

/** p_person from a query's two logits (person, no-object). */
function personProb(a: number, b: number): number {
  const m = Math.max(a, b);
  const ea = Math.exp(a - m);
  return ea / (ea + Math.exp(b - m));
}

const corners = ([x1, y1, x2, y2]: readonly number[]): DetectPixelBox => ({ x1: x1!, y1: y1!, x2: x2!, y2: y2! });
const clamp = (v: number, max: number) => Math.min(max, Math.max(0, v));
/** Pixel corners clipped to an H × W image (what the viewer draws; AP is scored on these). */
const clipped = (b: DetectPixelBox, height: number, width: number): DetectPixelBox => ({
  x1: clamp(b.x1, width),
  y1: clamp(b.y1, height),
  x2: clamp(b.x2, width),
  y2: clamp(b.y2, height),
});

/** A batch-1 inference-mode forward and read-back of the last decoder layer; `ms` times exactly those two. */
async function inferOne(model: DetectModel, x: tf.Tensor4D, attention: boolean) {
  const t0 = performance.now();
  const out = model.forward(x, { training: false }, { attention });
  try {
    const last = out.logits.length - 1;
    const [logits, boxes, weights] = await Promise.all([out.logits[last]!.data(), out.boxes[last]!.data(), out.attention?.data()]);
    return { ms: performance.now() - t0, logits, boxes, weights: weights as Float32Array | undefined };
  } finally {
    tf.dispose([...out.logits, ...out.boxes, ...(out.attention ? [out.attention] : [])]);
  }
}

export class DetectLab {
  /** The last dataset loaded: the built-in scenes at one size ('people:<train>:<test>'), or an imported set as stored (its id). */
  private cache: { key: string; data: DetectDataset } | null = null;
  /** Detectors that ran once already: the viewer times warmed-up inferences (the first pays for kernel compilation). */
  private readonly warmed = new WeakSet<DetectModel>();

  constructor(
    private readonly datasets: Pick<DatasetService, 'loadDetection'>,
    readonly zoo: DetectZoo,
    private readonly onZoo: (zoo: DetectZooInfo) => void,
    /** Keep a finished run's detector in the model library (never throws). */
    private readonly keep: (model: ModelToKeep) => Promise<ModelInfo | null> = async () => null,
  ) {}

  /**
   * The dataset of a config: the built-in scenes (data seed PEOPLE_DATA_SEED), or an imported set whose splits are capped at
   * trainSize / testSize images (their first ones). The last one loaded is cached across runs.
   */
  private async data(config: DetectConfig, onProgress: (f: number) => void): Promise<DetectDataset> {
    const { trainSize, testSize } = config;
    const people = isBuiltinPeople(config.dataset);
    const key = people ? `${config.dataset}:${trainSize}:${testSize}` : config.dataset;
    if (this.cache?.key !== key) {
      this.cache = null;
      const data = people
        ? {
            ...(await generateDetectDataset({ seed: PEOPLE_DATA_SEED, trainSize, testSize, style: PEOPLE_STYLES[config.dataset]!, onProgress })),
            name: PEOPLE_NAMES[config.dataset]!,
          }
        : await this.datasets.loadDetection(config.dataset, onProgress);
      this.cache = { key, data };
    }
    const d = this.cache.data;
    return people ? d : { ...d, train: firstOf(d.train, trainSize, d.height, d.width), test: firstOf(d.test, testSize, d.height, d.width) };
  }

  /** Forget a cached imported dataset (after it was deleted). */
  forgetDataset(id: string): void {
    if (this.cache?.key === id) this.cache = null;
  }

  /**
   * The run plan of a config: on 'done' the detector goes into the library, and into its viewer slot (detectSlotOf(encoder);
   * an encoder-less detector has none) when the slot is empty, its detector's AP@0.5 is unknown, or the new AP@0.5 is at least
   * the held one; otherwise the zoo keeps its detector and its `notice` says so.
   */
  plan(config: DetectConfig, runId: string): RunPlan {
    let data: DetectDataset | null = null;
    let priorSteps = 0;
    return {
      steps: config.steps,
      evalEvery: config.evalEvery,
      dataset: config.dataset,
      prepare: async (onData, onBuilding) => {
        const architecture = detectArchitectureOf(config); // refused before any data is loaded
        data = await this.data(config, onData);
        if (data.height !== DETECT_INPUT.height || data.width !== DETECT_INPUT.width)
          throw new EngineFault(
            'invalid-config',
            `${data.name} holds ${data.height}×${data.width} images; the Detect lab trains at ${DETECT_INPUT.height}×${DETECT_INPUT.width}: import it again.`,
          );
        onBuilding();
        await yieldToEventLoop();
        const start = config.fineTune ? await this.viewerDetector(config, architecture) : null;
        priorSteps = start?.provenance.steps ?? 0;
        const initBackbone = !start && config.pretrainedBackbone ? await this.pretrainedBackbone(architecture) : null;
        const { lr, clip, wCE, wL1, wGIoU, eosCoef, scoreThreshold, costClass, costBbox, costGiou } = config;
        try {
          return new DetectSession(
            {
              architecture,
              seed: config.seed,
              batchSize: config.batchSize,
              flip: config.flip,
              letterbox: config.letterbox,
              zoom: config.zoom,
              hyperparams: { lr, clip, wCE, wL1, wGIoU, eosCoef, scoreThreshold, costClass, costBbox, costGiou },
              backboneLrMultiplier: config.backboneLr,
              weightDecay: config.weightDecay,
              previewCount: 4,
              initBackbone,
              init: start?.model ?? null,
            },
            data,
          );
        } finally {
          if (initBackbone) disposeParams(initBackbone.store);
        }
      },
      finish: (session, status: RunStatus) => {
        if (status !== 'done' || !data || !(session instanceof DetectSession)) return false;
        this.finished(config, runId, session, data, priorSteps);
        return true;
      },
    };
  }

  /**
   * The viewer's detector of the config's encoder, for a fine-tuning run (config.fineTune): the held one (shipped or trained),
   * of the same architecture as the form's; a sentence when the pane is empty or its detector is built otherwise. The zoo keeps
   * ownership (the session copies the weights while it is built).
   */
  private async viewerDetector(config: DetectConfig, architecture: DetectArchitecture): Promise<HeldDetector> {
    const slot = detectSlotOf(config.encoder);
    if (!slot)
      throw new EngineFault(
        'invalid-config',
        'A detector without an encoder has no viewer pane to start from: untick "Start from the viewer’s detector", or pick an encoder.',
      );
    await this.zoo.ensureShipped();
    const held = this.zoo.get(slot);
    if (!held)
      throw new EngineFault(
        'invalid-config',
        `The viewer’s ${slot} pane is empty, so there is no detector to fine-tune: train one first, or untick "Start from the viewer’s detector".`,
      );
    const differences = architectureDifferences(summaryOfArchitecture(held.model.architecture), summaryOfArchitecture(architecture));
    if (differences.length > 0)
      throw new EngineFault(
        'invalid-config',
        `The viewer’s ${slot} detector is built otherwise than the form says (${differences.join('; ')}): set the form to match it, or untick "Start from the viewer’s detector".`,
      );
    return held;
  }

  /** The shipped pretrained backbone for a run of this architecture; a sentence when it is missing or of another width. */
  private async pretrainedBackbone(architecture: DetectArchitecture): Promise<DetectModel> {
    let model: DetectModel | null;
    try {
      model = await this.zoo.readBackbone();
    } catch (err) {
      throw new EngineFault(
        'invalid-config',
        `The pretrained backbone could not be loaded (${err instanceof Error ? err.message : String(err)}); untick "Start from the pretrained backbone".`,
      );
    }
    if (!model)
      throw new EngineFault(
        'invalid-config',
        'There is no pretrained backbone (public/models/detect/backbone.json: run `npm run pretrain:detect`); untick "Start from the pretrained backbone" to train from random weights.',
      );
    if (model.architecture.widthMultiplier !== architecture.widthMultiplier) {
      const w = model.architecture.widthMultiplier;
      disposeParams(model.store);
      throw new EngineFault(
        'invalid-config',
        `The pretrained backbone has width ${w}; set the backbone width multiplier to ${w}, or untick "Start from the pretrained backbone".`,
      );
    }
    return model;
  }

  /** A finished run's detector: into its slot when it is at least as good, and into the library either way. */
  private finished(config: DetectConfig, runId: string, session: DetectSession, data: DetectDataset, priorSteps: number): void {
    const model = session.releaseModel();
    const provenance = {
      dataset: config.dataset,
      datasetName: data.name,
      // A fine-tuned detector counts the steps of the one it started from.
      steps: priorSteps + config.steps,
      seed: config.seed,
      ap50: session.lastAP50,
      ap: session.lastAP,
      scoreThreshold: session.lastBestF1?.threshold ?? null,
      f1: session.lastBestF1?.f1 ?? null,
      origin: runId,
    };
    const slot = detectSlotOf(config.encoder);
    let fills = false;
    if (slot) {
      const held = this.zoo.get(slot);
      fills = !held || held.provenance.ap50 === null || (provenance.ap50 !== null && provenance.ap50 >= held.provenance.ap50);
      if (fills) {
        this.zoo.put(slot, model, provenance);
        this.zoo.notice = null;
      } else {
        this.zoo.notice = `The new ${DETECT_ENCODER_SHORT[config.encoder]}-encoder detector scored ${pct(provenance.ap50)}, below the ${pct(held!.provenance.ap50)} of the one in the ${slot} pane, so the zoo keeps that one; pick the new one from the model library to use it.`;
      }
      this.onZoo(this.zoo.info());
    }
    const meta = detectMeta(model, {
      lab: 'detect',
      metric: { name: 'AP@0.5', value: provenance.ap50 },
      dataset: config.dataset,
      datasetName: data.name,
      classNames: ['person'],
      normalization: SEG_NORMALIZATION,
      provenance: { runId, steps: provenance.steps, seed: config.seed, encoder: config.encoder },
    });
    // The zoo's detector is read while the zoo holds it (a new run or a lab call waits for the library's saves); one the zoo did not take is freed once read.
    const release = fills ? undefined : () => disposeParams(model.store);
    void this.keep(detectToKeep(model, provenance, meta, release)).then((kept) => {
      if (fills && slot && kept && this.zoo.setModelId(slot, model, kept.id)) this.onZoo(this.zoo.info());
    });
  }

  /** Every zoo detector on every image (batch 1 each, warmed up, timed): all queries (boxes clipped to the image), AP@0.5 against the truth when given. */
  async predict(req: DetectPredictRequest): Promise<DetectPredictResult> {
    const { height, width } = DETECT_INPUT;
    const held = this.zoo.all();
    if (held.length === 0)
      throw new EngineFault('invalid-config', 'There are no detectors in the zoo yet: train one in the lab (or run `npm run pretrain:detect`).');
    if (!req || !Array.isArray(req.images) || req.images.length === 0 || req.images.length > MAX_PREDICT_IMAGES)
      throw new EngineFault('invalid-config', `Give from 1 to ${MAX_PREDICT_IMAGES} images to detect people in.`);
    const map = { height: Math.ceil(height / 32), width: Math.ceil(width / 32) };
    const tokens = map.height * map.width;
    const images: DetectPredictResult['images'] = [];
    for (const [i, im] of req.images.entries()) {
      if (!(im.rgb instanceof Uint8Array) || im.rgb.length !== height * width * 3)
        throw new EngineFault(
          'invalid-config',
          `Image ${i + 1} has ${im.rgb?.length ?? 0} bytes, not the ${height * width * 3} of a ${height}×${width} RGB image.`,
        );
      const truth = im.truth ?? null;
      if (truth && !truth.every((b) => [b.x1, b.y1, b.x2, b.y2].every(Number.isFinite)))
        throw new EngineFault('invalid-config', `The truth boxes of image ${i + 1} must be finite pixel corners.`);
      const x = segImagesTensor(im.rgb, 1, height, width);
      const predictions = [];
      try {
        for (const h of held) {
          const n = h.model.architecture.decoder.queries;
          if (!this.warmed.has(h.model)) {
            await inferOne(h.model, x, req.attention);
            this.warmed.add(h.model);
          }
          const r = await inferOne(h.model, x, req.attention);
          const queries: DetectQueryOutput[] = [];
          for (let q = 0; q < n; q++) {
            const box = clipped(
              corners(toPixels([r.boxes[4 * q]!, r.boxes[4 * q + 1]!, r.boxes[4 * q + 2]!, r.boxes[4 * q + 3]!], height, width)),
              height,
              width,
            );
            const out: DetectQueryOutput = { query: q, score: personProb(r.logits[2 * q]!, r.logits[2 * q + 1]!), box };
            if (r.weights) out.attention = r.weights.slice(q * tokens, (q + 1) * tokens);
            queries.push(out);
          }
          queries.sort((a, b) => b.score - a.score || a.query - b.query);
          predictions.push({ slot: h.slot, encoder: h.model.architecture.encoder.kind, queries, ms: r.ms, ap50: truth ? imageAP50(queries, truth) : null });
        }
      } finally {
        x.dispose();
      }
      images.push({ predictions });
    }
    return { height, width, map, images };
  }

  /**
   * Built-in validation scenes `start … start + count − 1` (count capped at MAX_SCENES) with their truth boxes in pixels, of
   * the classic (default) or the realistic set.
   */
  async scenes(start: number, count: number, style: DetectSceneStyle = 'classic'): Promise<DetectScenes> {
    if (!Number.isInteger(start) || start < 0 || start > 1_000_000 || !Number.isInteger(count) || count < 1)
      throw new EngineFault('invalid-config', `Ask for scenes from a whole start of at least 0 and a whole count of at least 1 (got ${start} and ${count}).`);
    if (!DETECT_SCENE_STYLES.includes(style))
      throw new EngineFault('invalid-config', `The built-in scenes are ${DETECT_SCENE_STYLES.join(' or ')}, not "${String(style)}".`);
    const { height, width } = DETECT_INPUT;
    const images: DetectScenes['images'] = [];
    for (let index = start; index < start + Math.min(count, MAX_SCENES); index++) {
      const rgb = new Uint8Array(height * width * 3);
      const people = renderDetectScene(PEOPLE_DATA_SEED, 1, index, rgb, 0, {}, style); // split 1: the validation split of the built-in set
      images.push({ index, rgb, truth: people.map((b) => corners(toPixels([b.cx, b.cy, b.w, b.h], height, width))) });
    }
    return { height, width, images };
  }

  /**
   * Params and MACs per part of every encoder kind at the config's sizes (built with the config's seed, then freed), and when
   * `measure`, the median of LATENCY_REPEATS batch-1 inferences (forward + read-back) after one warm-up on the current backend.
   */
  async costs(config: DetectConfig, measure: boolean, backend: string): Promise<DetectCostReport> {
    const rows: DetectCostReport['rows'] = [];
    for (const encoder of DETECT_ENCODER_NAMES) {
      const model = buildDetector(detectArchitectureOf(config, encoder), config.seed);
      try {
        const c = detectCost(model);
        rows.push({
          encoder,
          params: c.params,
          macs: c.macs,
          parts: c.parts,
          latencyMs: measure ? (await measureDetectLatency(model, { warmup: 1, runs: LATENCY_REPEATS })).msPerBatch : null,
        });
      } finally {
        disposeParams(model.store);
      }
      await yieldToEventLoop();
    }
    return { backend, inputHeight: DETECT_INPUT.height, inputWidth: DETECT_INPUT.width, rows };
  }
}

/** AP@0.5 of one image's queries (all of them, COCO ranking) against its truth boxes (ignore boxes as crowd regions); null without a non-ignored box. */
function imageAP50(queries: readonly DetectQueryOutput[], truth: readonly DetectPixelBox[]): number | null {
  const dets: Detection[] = queries.map((q) => ({ imageId: 0, box: [q.box.x1, q.box.y1, q.box.x2, q.box.y2], score: q.score }));
  const gts: GroundTruth[] = truth.map((b) => ({ imageId: 0, box: [b.x1, b.y1, b.x2, b.y2], ...(b.ignore ? { crowd: true } : {}) }));
  return detectionAP(dets, gts, 100).ap50;
}
