/**
 * The Segment lab in the worker: turns a SegConfig into a run plan (data, frozen distillation source from
 * the zoo, a SegmentSession; the finished model goes into the model library, and into the zoo when its slot is empty or
 * it scored at least the held model's mIoU), the user's picks of a library model per slot (remembered across reloads)
 * and the viewer's predictions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SegmentSession, confusionMatrix, disposeParams, loadSegModel, segHyperparamsOf, segImagesTensor, segScores, type SegDataset } from '../engine';
import type { RunStatus } from '../protocol/events';
import { SHIPPED_MODEL_PREFIX, type ModelInfo } from '../protocol/models';
import {
  segModelWidth,
  segTeacherRefine,
  segTeacherRefineFull,
  SEG_SIZES,
  SEG_SIZE_PIXELS,
  SEG_SLOTS,
  distillSource,
  slotOf,
  type SegSizeName,
  type SegSlot,
  type SegConfig,
  sameClassSet,
  type SegPredictRequest,
  type SegPredictResult,
  type SegPrediction,
  type SegZooInfo,
} from '../protocol/labs/segment';
import type { DatasetService } from './datasetService';
import { EngineFault } from './errors';
import type { RunPlan } from './labs/types';
import { SEG_NORMALIZATION, segMeta, segToKeep, type ModelToKeep } from './modelFormats';
import type { Held as HeldSegModel, SegZoo } from './segZoo';

/** Where the zoo's picks are remembered and library models are read (the model store's database); null: nowhere. */
export interface ZooChoices {
  /** Every remembered pick: a library model's id, or null for the shipped weights. */
  all(): Promise<{ size: string; slot: string; modelId: string | null }[]>;
  set(size: SegSizeName, slot: SegSlot, modelId: string | null): Promise<void>;
  clear(): Promise<void>;
  /** A library model's record, JSON and weights; throws a sentence when it is missing or damaged. */
  load(id: string): Promise<{ info: ModelInfo; json: Record<string, unknown>; weights: ArrayBuffer }>;
}

const SLOT_NAMES: Record<SegSlot, string> = {
  teacher: 'teacher',
  tutor: 'tutor',
  'student-bilinear': 'student (bilinear)',
  'student-pixelshuffle': 'student (PixelShuffle)',
};
const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

export class SegLab {
  private cache: { key: string; data: SegDataset } | null = null;
  private restored: Promise<void> | null = null;

  constructor(
    private readonly datasets: Pick<DatasetService, 'loadSeg'>,
    readonly zoo: SegZoo,
    private readonly onZoo: (zoo: SegZooInfo) => void,
    /** Keep a finished run's model in the model library (never throws). */
    private readonly keep: (model: ModelToKeep) => Promise<ModelInfo | null> = async () => null,
    private readonly choices: ZooChoices | null = null,
    private readonly log: (message: string) => void = (m) => console.warn(m),
  ) {}

  /** The shipped weights, then (once) the remembered picks: a pick whose model is gone or does not fit leaves the shipped one. */
  private async ready(): Promise<void> {
    await this.zoo.ensureShipped();
    this.restored ??= this.restore();
    await this.restored;
  }

  private async restore(): Promise<void> {
    let picks: Awaited<ReturnType<ZooChoices['all']>> = [];
    try {
      picks = (await this.choices?.all()) ?? [];
    } catch (err) {
      this.log(`Segment zoo: the remembered picks could not be read (${err instanceof Error ? err.message : String(err)}).`);
    }
    for (const p of picks) {
      const size = SEG_SIZES.find((s) => s === p.size);
      const slot = SEG_SLOTS.find((s) => s === p.slot);
      if (!size || !slot || p.modelId === null) continue;
      try {
        await this.loadFromLibrary(size, slot, p.modelId);
      } catch (err) {
        this.log(
          `Segment zoo: the remembered pick for the ${slot} at the ${size} size was not restored, the shipped model (if any) stays (${err instanceof Error ? err.message : String(err)}).`,
        );
      }
    }
  }

  /** The zoo, after the shipped weights were loaded (or failed to) and the remembered picks restored. */
  async zooInfo(): Promise<SegZooInfo> {
    await this.ready();
    return this.zoo.info();
  }

  /** Put the shipped demo weights back in every slot (trained models are dropped, the remembered picks forgotten). */
  async resetZoo(): Promise<SegZooInfo> {
    await this.restored?.catch(() => undefined);
    await this.choices?.clear().catch((err: unknown) => this.log(`Segment zoo: the picks could not be forgotten (${String(err)}).`));
    this.restored = Promise.resolve();
    await this.zoo.reset();
    const info = this.zoo.info();
    this.onZoo(info);
    return info;
  }

  /** Load a library model into a slot; throws a sentence when it is missing or does not fit the slot, the size or its classes. */
  private async loadFromLibrary(size: SegSizeName, slot: SegSlot, id: string): Promise<void> {
    if (!this.choices) throw new EngineFault('storage-failed', "This browser's storage (IndexedDB) is not available, so library models cannot be read.");
    const { info, json, weights } = await this.choices.load(id);
    const { height, width } = SEG_SIZE_PIXELS[size];
    const unfit = (why: string) =>
      new EngineFault('invalid-config', `The model "${info.name}" ${why}, so it cannot stand in the ${slot} slot at the ${size} size.`);
    if (info.lab !== 'segment') throw unfit(`comes from the ${info.lab} lab`);
    if (info.provenance.slot !== slot) throw unfit(`was trained for the ${info.provenance.slot ?? 'unknown'} slot`);
    if (info.inputSize.height !== height || info.inputSize.width !== width) throw unfit(`takes ${info.inputSize.height}×${info.inputSize.width} images`);
    let loaded;
    try {
      loaded = loadSegModel(json, weights);
    } catch (err) {
      throw new EngineFault(
        'storage-failed',
        `The stored model "${info.name}" cannot be rebuilt (${err instanceof Error ? err.message : String(err)}); delete it.`,
      );
    }
    const { model, provenance } = loaded;
    const fits =
      model.inputHeight === height &&
      model.inputWidth === width &&
      provenance.slot === slot &&
      model.numClasses === provenance.classNames.length &&
      sameClassSet(provenance.classNames, info.classNames);
    if (!fits) {
      disposeParams(model.store);
      throw unfit(
        `has a file whose slot, size or class set (${provenance.classNames.length} classes for ${model.numClasses} outputs) does not match its record`,
      );
    }
    this.zoo.put(size, slot, model, { ...provenance, size, mIoU: info.metric.value ?? provenance.mIoU }, id);
  }

  /** Put a library model (its id) or the shipped weights ('shipped') into a slot, and remember the pick. */
  async useInZoo(size: SegSizeName, slot: SegSlot, modelId: string): Promise<SegZooInfo> {
    if (!SEG_SIZES.includes(size)) throw new EngineFault('invalid-config', `There is no input size "${String(size)}": choose low or high.`);
    if (!SEG_SLOTS.includes(slot)) throw new EngineFault('invalid-config', `There is no zoo slot "${String(slot)}": choose ${SEG_SLOTS.join(', ')}.`);
    if (typeof modelId !== 'string' || modelId === '') throw new EngineFault('invalid-config', 'Choose a model from the library or "shipped".');
    if (modelId.startsWith(SHIPPED_MODEL_PREFIX)) modelId = 'shipped'; // the library lists the shipped models too
    await this.ready();
    if (modelId === 'shipped') {
      if (!this.zoo.hasShipped(size, slot))
        throw new EngineFault('invalid-config', `There are no shipped weights for the ${SLOT_NAMES[slot]} at the ${size} size: pick a model from the library.`);
      try {
        await this.zoo.putShipped(size, slot);
      } catch (err) {
        throw new EngineFault('storage-failed', `The shipped ${SLOT_NAMES[slot]} could not be loaded (${err instanceof Error ? err.message : String(err)}).`);
      }
    } else await this.loadFromLibrary(size, slot, modelId);
    this.zoo.notice = null;
    await this.remember(size, slot, modelId === 'shipped' ? null : modelId);
    const info = this.zoo.info();
    this.onZoo(info);
    return info;
  }

  /** Record a pick (a failure is logged: the zoo itself changed fine). */
  private async remember(size: SegSizeName, slot: SegSlot, modelId: string | null): Promise<void> {
    try {
      await this.choices?.set(size, slot, modelId);
    } catch (err) {
      this.log(`Segment zoo: the pick for the ${slot} at the ${size} size could not be remembered (${err instanceof Error ? err.message : String(err)}).`);
    }
  }

  /** The frozen model a config distils from, or a fault saying what to train first. */
  private async source(config: SegConfig) {
    const kind = distillSource(config);
    if (!kind) return null;
    await this.ready();
    const held = this.zoo.get(config.size, kind);
    const { height, width } = SEG_SIZE_PIXELS[config.size];
    if (!held) {
      const how = kind === 'teacher' ? 'model teacher, chain none' : 'model tutor, chain teacher → student';
      throw new EngineFault(
        'invalid-config',
        `There is no ${kind} for the ${config.size} input size (${height}×${width}) yet: train one first (${how}) or switch the size.`,
      );
    }
    if (kind === 'tutor' && held.provenance.chain !== 'teacher-student') {
      throw new EngineFault(
        'invalid-config',
        `The tutor at the ${config.size} size was trained without the teacher (chain ${held.provenance.chain}), so it cannot stand in a teacher → tutor → student chain: train the tutor with chain teacher → student first.`,
      );
    }
    return held.model;
  }

  /** The zoo's model a Start-from-the-zoo run trains on: this run's slot and size, the dataset's class set. */
  private startModel(config: SegConfig, data: SegDataset): HeldSegModel {
    const slot = slotOf(config.model, config.upscale);
    const held = this.zoo.get(config.size, slot);
    if (!held) {
      throw new EngineFault(
        'invalid-config',
        `The zoo holds no ${SLOT_NAMES[slot]} at the ${config.size} size to train on: train one first, or start from fresh weights.`,
      );
    }
    if (!sameClassSet(held.provenance.classNames, data.classNames)) {
      throw new EngineFault(
        'invalid-config',
        `The zoo's ${SLOT_NAMES[slot]} at the ${config.size} size knows other classes (${classList(held.provenance.classNames)}) than ${data.name} (${classList(data.classNames)}): start from fresh weights, or put a ${SLOT_NAMES[slot]} trained on ${data.name} in its slot.`,
      );
    }
    return held;
  }

  private async data(config: SegConfig, onProgress: (f: number) => void): Promise<SegDataset> {
    const key = `${config.dataset}:${config.size}:${config.seed}:${config.trainSize}:${config.testSize}`;
    if (this.cache?.key === key) return this.cache.data;
    this.cache = null;
    const data = await this.datasets.loadSeg(config.dataset, config.size, {
      seed: config.seed,
      trainSize: config.trainSize,
      testSize: config.testSize,
      onProgress,
    });
    this.cache = { key, data };
    return data;
  }

  /** Forget a cached dataset (after it was deleted). */
  forgetDataset(id: string): void {
    if (this.cache?.key.startsWith(`${id}:`)) this.cache = null;
  }

  /**
   * The run plan of a config: on 'done' the trained model goes into the library, and into its zoo slot when the slot is
   * empty, holds a model of another dataset or class set, or holds one whose validation mIoU is not above the new one's;
   * otherwise the zoo keeps its model and its `notice` says so. A model that fills its slot is remembered as the pick.
   */
  plan(config: SegConfig, runId: string): RunPlan {
    let data: SegDataset | null = null;
    const startedAt = performance.now();
    /** With Start from the zoo: the steps and seconds the model it trains on had had (its provenance counts them too). */
    let before = { steps: 0, seconds: 0 };
    return {
      steps: config.steps,
      evalEvery: config.evalEvery,
      dataset: config.dataset,
      prepare: async (onData, onBuilding) => {
        const source = await this.source(config);
        data = await this.data(config, onData);
        const kind = distillSource(config);
        const held = kind ? this.zoo.get(config.size, kind) : null;
        if (held && !sameClassSet(held.provenance.classNames, data.classNames)) {
          throw new EngineFault(
            'invalid-config',
            `The ${kind} at the ${config.size} size knows other classes (${classList(held.provenance.classNames)}) than ${data.name} (${classList(data.classNames)}): train a ${kind} on ${data.name} first (${kind === 'teacher' ? 'model teacher, chain none' : 'model tutor, chain teacher → student'}).`,
          );
        }
        const start = config.startFrom === 'zoo' ? this.startModel(config, data) : null;
        before = start ? { steps: start.provenance.steps, seconds: start.provenance.seconds } : { steps: 0, seconds: 0 };
        onBuilding();
        try {
          return new SegmentSession(
            {
              kind: config.model,
              upscale: config.upscale,
              width: segModelWidth(config),
              refine: segTeacherRefine(config),
              refineFull: segTeacherRefineFull(config),
              seed: config.seed,
              batchSize: config.batchSize,
              totalSteps: config.steps,
              flip: config.flip,
              hyperparams: segHyperparamsOf(config),
              source,
              affinity: source && config.affinityLoss !== 'none' ? { loss: config.affinityLoss, order: config.affinityOrder === '1' ? 1 : 2 } : null,
              classBalance: config.classBalance,
              init: start?.model ?? null,
            },
            data,
          );
        } catch (err) {
          if (!start) throw err;
          throw new EngineFault(
            'invalid-config',
            `The zoo's ${SLOT_NAMES[slotOf(config.model, config.upscale)]} at the ${config.size} size was built with other settings than this run's (teacher width or head, or upscaling), so its weights cannot start it (${err instanceof Error ? err.message : String(err)}): set them as it was trained, or start from fresh weights.`,
          );
        }
      },
      finish: (session, status: RunStatus) => {
        if (status !== 'done' || !data || !(session instanceof SegmentSession)) return false;
        const model = session.releaseModel();
        const d = data;
        const provenance = {
          slot: slotOf(config.model, config.upscale),
          chain: config.model === 'teacher' ? 'none' : config.chain,
          size: config.size,
          dataset: config.dataset,
          classNames: [...d.classNames],
          palette: d.palette.map((c) => [c[0], c[1], c[2]] as [number, number, number]),
          steps: before.steps + config.steps,
          seed: config.seed,
          mIoU: session.lastMIoU,
          seconds: before.seconds + (performance.now() - startedAt) / 1000,
          origin: runId,
        };
        const held = this.zoo.get(config.size, provenance.slot);
        const comparable = held && held.provenance.dataset === provenance.dataset && sameClassSet(held.provenance.classNames, provenance.classNames);
        const fills = !comparable || !Number.isFinite(held.provenance.mIoU) || provenance.mIoU >= held.provenance.mIoU;
        if (fills) {
          this.zoo.put(config.size, provenance.slot, model, provenance);
          this.zoo.notice = null;
        } else {
          this.zoo.notice = `The new ${SLOT_NAMES[provenance.slot]} scored ${pct(provenance.mIoU)} mIoU, below the ${pct(held.provenance.mIoU)} of the one in the zoo, so the zoo keeps that one; pick the new one in the zoo's slot menu to use it.`;
        }
        this.onZoo(this.zoo.info());
        session.dispose();
        // The zoo model is read while the zoo holds it (a new run or a zoo reset waits for the library's saves).
        const meta = segMeta(model, {
          lab: 'segment',
          metric: { name: 'mIoU', value: provenance.mIoU },
          dataset: config.dataset,
          datasetName: d.name,
          classNames: [...d.classNames],
          normalization: SEG_NORMALIZATION,
          provenance: { runId, steps: provenance.steps, seed: config.seed, slot: provenance.slot, chain: provenance.chain },
        });
        // A model the zoo did not take is freed once the library has read it.
        const release = fills ? undefined : () => disposeParams(model.store);
        void this.keep(segToKeep(model, provenance, meta, release)).then(async (kept) => {
          if (!fills || !kept) return;
          if (!this.zoo.setModelId(config.size, provenance.slot, model, kept.id)) return;
          await this.remember(config.size, provenance.slot, kept.id);
          this.onZoo(this.zoo.info());
        });
        return true;
      },
    };
  }

  /** Every zoo model of the size on every image: class maps, agreement with the teacher, scores against labels. */
  async predict(req: SegPredictRequest): Promise<SegPredictResult> {
    await this.ready();
    const { height, width } = SEG_SIZE_PIXELS[req.size];
    const all = this.zoo.atSize(req.size);
    if (all.length === 0)
      throw new EngineFault('invalid-config', `There are no trained models for the ${req.size} input size yet: train one, or switch the size.`);
    const ref = req.classNames ? all.find((h) => sameClassSet(h.provenance.classNames, req.classNames!)) : (all.find((h) => h.slot === 'teacher') ?? all[0]!);
    if (!ref) throw new EngineFault('invalid-config', `No model at the ${req.size} size was trained on the ${req.classNames!.length} classes asked for.`);
    // One class set per comparison: models trained on other classes are listed, never run against these.
    const held = all.filter((h) => sameClassSet(h.provenance.classNames, ref.provenance.classNames));
    const skipped = all
      .filter((h) => !held.includes(h))
      .map((h) => ({ slot: h.slot, dataset: h.provenance.dataset, classCount: h.provenance.classNames.length }));
    const k = ref.model.numClasses;
    const images = [];
    for (const [i, im] of req.images.entries()) {
      if (im.rgb.length !== height * width * 3)
        throw new EngineFault('invalid-config', `Image ${i + 1} has ${im.rgb.length} bytes, not the ${height * width * 3} of a ${height}×${width} RGB image.`);
      if (im.labels) checkLabels(im.labels, height * width, k, i);
      const x = segImagesTensor(im.rgb, 1, height, width);
      const predictions: SegPrediction[] = [];
      let teacherMap: Uint8Array | null = null;
      try {
        for (const h of held) {
          const t0 = performance.now();
          const pred = tf.tidy(() => tf.cast(tf.argMax(h.model.forward(x, { training: false }).logits, 3), 'int32'));
          const classMap = Uint8Array.from((await pred.data()) as Int32Array);
          pred.dispose();
          const ms = performance.now() - t0;
          if (h.slot === 'teacher') teacherMap = classMap;
          const scores = im.labels && h.model.numClasses === k ? segScores(confusionMatrix(classMap, im.labels, k), k) : null;
          predictions.push({
            slot: h.slot,
            classMap,
            ms,
            agreement: null,
            mIoU: scores ? scores.mIoU : null,
            pixelAccuracy: scores ? scores.pixelAccuracy : null,
          });
        }
      } finally {
        x.dispose();
      }
      if (teacherMap) for (const p of predictions) p.agreement = agreement(p.classMap, teacherMap);
      images.push({ predictions });
    }
    return { height, width, images, classNames: ref.provenance.classNames, palette: ref.provenance.palette, skipped };
  }
}

function checkLabels(labels: Uint8Array, pixels: number, k: number, i: number): void {
  if (labels.length !== pixels) throw new EngineFault('invalid-config', `The labels of image ${i + 1} have ${labels.length} pixels, not ${pixels}.`);
  for (let p = 0; p < labels.length; p++) {
    const v = labels[p]!;
    if (v !== 255 && v >= k)
      throw new EngineFault(
        'invalid-config',
        `The labels of image ${i + 1} hold class ${v} at pixel ${p}, but the models know ${k} classes (0–${k - 1}, 255 = ignore).`,
      );
  }
}

/** "8 classes: sky, building, road, …" for messages. */
function classList(names: readonly string[]): string {
  return `${names.length} classes: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}`;
}

/** Share of pixels where two class maps agree. */
export function agreement(a: Uint8Array, b: Uint8Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return a.length > 0 ? same / a.length : NaN;
}
