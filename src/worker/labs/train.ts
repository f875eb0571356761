/** The Train lab in the worker: a classification run on the config's dataset; a finished run's model is kept in the model library. */
import { TrainSession, type ImageDataset, type Observation } from '../../engine';
import { classifierMeta, classifierToKeep } from '../modelFormats';
import { yieldToEventLoop } from '../yieldToEventLoop';
import type { LabContext, WorkerLab } from './types';

/** A Train session that remembers its last test accuracy (the kept model's metric). */
class KeptTrainSession extends TrainSession {
  lastAccuracy: number | null = null;

  override async evaluate(onProgress?: (fraction: number) => void): Promise<Observation> {
    const o = await super.evaluate(onProgress);
    this.lastAccuracy = o.values['test.acc'] ?? this.lastAccuracy;
    return o;
  }
}

export function trainLab(ctx: LabContext): WorkerLab<'train'> {
  return {
    plan: (config, runId) => {
      let data: ImageDataset | null = null;
      return {
        steps: config.steps,
        evalEvery: config.evalEvery,
        dataset: config.dataset,
        prepare: async (onData, onBuilding) => {
          data = await ctx.images.get(config, onData);
          onBuilding();
          await yieldToEventLoop();
          return new KeptTrainSession(config, data);
        },
        // A finished run's model goes to the library; the session is disposed once its weights were read.
        finish: (session, status) => {
          if (status !== 'done' || !data || !(session instanceof KeptTrainSession)) return false;
          const { model, stats } = session.trainer;
          const meta = classifierMeta(model, {
            lab: 'train',
            metric: { name: 'test accuracy', value: session.lastAccuracy },
            dataset: config.dataset,
            datasetName: data.name,
            classNames: [...data.classNames],
            normalization: { mean: [...stats.mean], std: [...stats.std] },
            provenance: { runId, steps: config.steps, seed: config.seed },
          });
          void ctx.keep(classifierToKeep(model, meta, () => session.dispose()));
          return true;
        },
      };
    },
    calls: {},
  };
}
