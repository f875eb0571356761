/**
 * What the classification labs (Train, Prune) share in the worker: a run plan that loads the config's image
 * set and builds the lab's session, a session that remembers its last test accuracy (a kept model's metric),
 * and the library metadata of a finished classifier.
 */
import type { ImageDataset, Observation, TrainingSession } from '../../engine';
import type { RunStatus } from '../../protocol/events';
import type { TrainConfig } from '../../protocol/labs/train';
import { classifierMeta, type MetaOf } from '../modelFormats';
import type { ModelMeta, ModelNormalization } from '../../protocol/models';
import { yieldToEventLoop } from '../yieldToEventLoop';
import type { LabContext, RunPlan } from './types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the mixin pattern needs an any-args constructor
type SessionClass = new (...args: any[]) => TrainingSession;

/** A session class whose instances remember the test accuracy of their last evaluation (null before the first). */
export function keepingAccuracy<B extends SessionClass>(Base: B) {
  return class extends Base {
    lastAccuracy: number | null = null;

    override async evaluate(onProgress?: (fraction: number) => void): Promise<Observation> {
      const o = await super.evaluate(onProgress);
      this.lastAccuracy = o.values['test.acc'] ?? this.lastAccuracy;
      return o;
    }
  };
}

type ImageConfig = Pick<TrainConfig, 'steps' | 'evalEvery' | 'dataset' | 'seed' | 'trainSize' | 'testSize'>;

/** The plan of a classification run: the config's image set, then `build`; `finish` gets the data too (null if it never loaded). */
export function classifyPlan<S extends TrainingSession>(
  ctx: LabContext,
  config: ImageConfig,
  build: (data: ImageDataset) => S,
  finish: (session: S, status: RunStatus, data: ImageDataset) => boolean,
): RunPlan {
  let data: ImageDataset | null = null;
  let built: S | null = null;
  return {
    steps: config.steps,
    evalEvery: config.evalEvery,
    dataset: config.dataset,
    prepare: async (onData, onBuilding) => {
      data = await ctx.images.get(config, onData);
      onBuilding();
      await yieldToEventLoop();
      built = build(data);
      return built;
    },
    finish: (session, status) => (data !== null && session === built ? finish(built, status, data) : false),
  };
}

/** The library metadata of a finished classifier: its last test accuracy, dataset, classes and normalisation. */
export function finishedClassifierMeta(
  trainer: { model: Parameters<typeof classifierMeta>[0]; stats: ModelNormalization },
  data: ImageDataset,
  base: Pick<MetaOf, 'lab' | 'dataset' | 'provenance'> & { accuracy: number | null },
): ModelMeta {
  return classifierMeta(trainer.model, {
    lab: base.lab,
    metric: { name: 'test accuracy', value: base.accuracy },
    dataset: base.dataset,
    datasetName: data.name,
    classNames: [...data.classNames],
    normalization: { mean: [...trainer.stats.mean], std: [...trainer.stats.std] },
    provenance: base.provenance,
  });
}
