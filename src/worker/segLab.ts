/**
 * The Segment lab in the worker: turns a SegConfig into a run plan (data, frozen distillation source from
 * the zoo, a SegmentSession; the finished model goes back into the zoo and into the model library) and runs
 * the viewer's predictions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SegmentSession, confusionMatrix, segHyperparamsOf, segImagesTensor, segScores, type SegDataset } from '../engine';
import type { RunStatus } from '../protocol/events';
import {
  SEG_MODEL_WIDTH,
  SEG_SIZE_PIXELS,
  distillSource,
  slotOf,
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
import type { SegZoo } from './segZoo';

export class SegLab {
  private cache: { key: string; data: SegDataset } | null = null;

  constructor(
    private readonly datasets: Pick<DatasetService, 'loadSeg'>,
    readonly zoo: SegZoo,
    private readonly onZoo: (zoo: SegZooInfo) => void,
    /** Keep a finished run's model in the model library (never throws). */
    private readonly keep: (model: ModelToKeep) => Promise<unknown> = async () => null,
  ) {}

  /** The zoo, after the shipped weights were loaded (or failed to). */
  async zooInfo(): Promise<SegZooInfo> {
    await this.zoo.ensureShipped();
    return this.zoo.info();
  }

  /** Put the shipped demo weights back in every slot (trained models are dropped). */
  async resetZoo(): Promise<SegZooInfo> {
    await this.zoo.reset();
    const info = this.zoo.info();
    this.onZoo(info);
    return info;
  }

  /** The frozen model a config distils from, or a fault saying what to train first. */
  private async source(config: SegConfig) {
    const kind = distillSource(config);
    if (!kind) return null;
    await this.zoo.ensureShipped();
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

  /** The run plan of a config: on 'done' the trained model replaces its zoo slot. */
  plan(config: SegConfig, runId: string): RunPlan {
    let data: SegDataset | null = null;
    const startedAt = performance.now();
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
        onBuilding();
        return new SegmentSession(
          {
            kind: config.model,
            upscale: config.upscale,
            width: SEG_MODEL_WIDTH[config.model],
            seed: config.seed,
            batchSize: config.batchSize,
            totalSteps: config.steps,
            flip: config.flip,
            hyperparams: segHyperparamsOf(config),
            source,
            affinity: source && config.affinityLoss !== 'none' ? { loss: config.affinityLoss, order: config.affinityOrder === '1' ? 1 : 2 } : null,
          },
          data,
        );
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
          steps: config.steps,
          seed: config.seed,
          mIoU: session.lastMIoU,
          seconds: (performance.now() - startedAt) / 1000,
          origin: runId,
        };
        this.zoo.put(config.size, provenance.slot, model, provenance);
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
          provenance: { runId, steps: config.steps, seed: config.seed, slot: provenance.slot, chain: provenance.chain },
        });
        void this.keep(segToKeep(model, provenance, meta));
        return true;
      },
    };
  }

  /** Every zoo model of the size on every image: class maps, agreement with the teacher, scores against labels. */
  async predict(req: SegPredictRequest): Promise<SegPredictResult> {
    await this.zoo.ensureShipped();
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
