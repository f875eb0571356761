/**
 * Prune lab after a run: compaction of the kept session's masked network (u for RGSM), export of the
 * compact model in tfjs weights format, and loading such a model back for evaluation.
 */
import { z } from 'zod';
import {
  PruneTrainer,
  channelStats,
  compactModel,
  evaluateSplit,
  loadModel,
  logitsOf,
  maxAbsDiff,
  measureLatency,
  modelCost,
  disposeParams,
  serializeModel,
  type ChannelStats,
  type Classifier,
  type ImageDataset,
} from '../engine';
import type { PruneConfig } from '../protocol/labs/prune';
import type { CompactionReport, ExportedModel, LoadedModelReport, ModelFigures } from '../protocol/labs/prune';
import { EngineFault } from './errors';
import { classifierMeta, classifierToKeep, type ModelToKeep } from './modelFormats';

/** Images in the equivalence check and in each latency run. */
const CHECK_BATCH = 32;
const LATENCY = { warmup: 2, runs: 7 };

interface Compacted {
  runId: string;
  model: Classifier;
  stats: ChannelStats;
  classNames: readonly string[];
  config: PruneConfig;
  datasetName: string;
  testAccuracy: number;
}

const convChannels = (m: Classifier) => m.convs.map((c) => c.kernelShape[3]);

async function figures(model: Classifier, side: number): Promise<ModelFigures> {
  const cost = modelCost(model);
  const latency = await measureLatency(model, CHECK_BATCH, side, LATENCY);
  return { params: cost.params, macs: cost.macs, latencyMs: latency.msPerBatch };
}

export class CompactionService {
  private last: Compacted | null = null;

  /** Compact the finished session: the masked network's dead channels go; outputs are compared and both nets measured. */
  async compact(runId: string, session: unknown, data: ImageDataset, config: PruneConfig, backend: string): Promise<CompactionReport> {
    if (!(session instanceof PruneTrainer)) throw new EngineFault('invalid-config', 'Only a finished Prune-lab run can be compacted.');
    this.release();
    const side = data.height;
    const masked = session.model;
    const run = async () => {
      const result = await compactModel(masked, { threshold: config.zeroThreshold });
      const before = await figures(masked, side);
      const a = logitsOf(masked, data.test, side, session.stats, CHECK_BATCH);
      const b = logitsOf(result.model, data.test, side, session.stats, CHECK_BATCH);
      const diff = await maxAbsDiff(a, b);
      a.dispose();
      b.dispose();
      return { result, before, diff, batch: Math.min(CHECK_BATCH, data.test.count) };
    };
    // RGSM delivers u (with BN statistics recalibrated for u when that is on): compaction and the comparison run
    // on it (w and its BN statistics are restored after).
    const { result, before, diff, batch } = await session.withDelivered(run);
    const after = await figures(result.model, side);
    const test = await evaluateSplit(result.model, data.test, side, session.stats);
    this.last = { runId, model: result.model, stats: session.stats, classNames: data.classNames, config, datasetName: data.name, testAccuracy: test.accuracy };
    const beforeChannels = convChannels(masked);
    const afterChannels = convChannels(result.model);
    return {
      runId,
      before,
      after,
      maxAbsDiff: diff,
      batchSize: batch,
      layers: masked.convs.map((c, i) => ({ name: c.name.replace(/\.kernel$/, ''), before: beforeChannels[i]!, after: afterChannels[i]! })),
      testAccuracy: test.accuracy,
      backend,
    };
  }

  /** The last compact model as model.json (architecture, manifest, normalisation, class names) + weights.bin. */
  async exportModel(runId: string): Promise<ExportedModel> {
    const c = this.last;
    if (!c || c.runId !== runId) throw new EngineFault('invalid-config', 'Compact this run first; the export is the compact network.');
    const { modelJson, weightData } = await serializeModel(c.model);
    const json = { ...modelJson, normalization: c.stats, classNames: c.classNames, trainedOn: c.datasetName, config: c.config };
    const a = c.model.architecture;
    return { fileBase: `${a.model}-${c.config.method}-compact`, modelJson: JSON.stringify(json, null, 1), weights: weightData };
  }

  /** The last compact net of run `runId` for the model library (serialised from the held model; null if another run's is held). */
  toKeep(runId: string): ModelToKeep | null {
    const c = this.last;
    if (!c || c.runId !== runId) return null;
    const meta = classifierMeta(c.model, {
      lab: 'prune',
      metric: { name: 'test accuracy', value: c.testAccuracy },
      dataset: c.config.dataset,
      datasetName: c.datasetName,
      classNames: [...c.classNames],
      normalization: { mean: [...c.stats.mean], std: [...c.stats.std] },
      provenance: { runId, steps: c.config.steps, seed: c.config.seed, compact: true, method: c.config.method },
    });
    return classifierToKeep(c.model, meta);
  }

  /** Rebuild an exported model and evaluate it on `data`'s test split (with the normalisation it was trained with). */
  async load(modelJsonText: string, weights: ArrayBuffer, data: ImageDataset): Promise<LoadedModelReport> {
    let raw: unknown;
    try {
      raw = JSON.parse(modelJsonText);
    } catch {
      throw new EngineFault('invalid-config', 'The model file is not JSON: choose the model.json the workbench exported.');
    }
    let model: Classifier;
    try {
      model = loadModel(raw, weights);
    } catch (err) {
      throw new EngineFault('invalid-config', err instanceof Error ? err.message : String(err));
    }
    try {
      const extra = extrasSchema.safeParse(raw);
      const stats = extra.success && extra.data.normalization ? extra.data.normalization : channelStats(data.train.images);
      const a = model.architecture;
      const cost = modelCost(model);
      const base = {
        name: `${a.model} (${a.numClasses} classes, ${a.inputSize}×${a.inputSize})`,
        params: cost.params,
        macs: cost.macs,
        convChannels: convChannels(model),
        datasetName: data.name,
      };
      if (a.numClasses !== data.classNames.length || a.inputSize !== data.height) {
        return {
          ...base,
          testAccuracy: null,
          note: `It has ${a.numClasses} classes at ${a.inputSize}×${a.inputSize}; the selected dataset has ${data.classNames.length} at ${data.height}×${data.width}, so it was not evaluated.`,
        };
      }
      const test = await evaluateSplit(model, data.test, data.height, stats);
      const note = extra.success && extra.data.normalization ? undefined : 'The file has no normalisation statistics; those of the selected dataset were used.';
      return { ...base, testAccuracy: test.accuracy, ...(note ? { note } : {}) };
    } finally {
      disposeModel(model);
    }
  }

  release(): void {
    if (this.last) disposeModel(this.last.model);
    this.last = null;
  }
}

const triple = z.tuple([z.number(), z.number(), z.number()]);
const extrasSchema = z.object({ normalization: z.object({ mean: triple, std: triple }).optional() });

const disposeModel = (m: Classifier) => disposeParams(m.store);
