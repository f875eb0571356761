/** The Train lab in the worker: a classification run on the config's dataset; a finished run's model is kept in the model library. */
import { TrainSession } from '../../engine';
import { classifierToKeep } from '../modelFormats';
import { classifyPlan, finishedClassifierMeta, keepingAccuracy } from './classifyPlan';
import type { LabContext, WorkerLab } from './types';

const KeptTrainSession = keepingAccuracy(TrainSession);

export function trainLab(ctx: LabContext): WorkerLab<'train'> {
  return {
    plan: (config, runId) =>
      classifyPlan(
        ctx,
        config,
        (data) => new KeptTrainSession(config, data),
        // A finished run's model goes to the library; the session is disposed once its weights were read.
        (session, status, data) => {
          if (status !== 'done') return false;
          const { trainer } = session;
          const meta = finishedClassifierMeta(trainer, data, {
            lab: 'train',
            accuracy: session.lastAccuracy,
            dataset: config.dataset,
            provenance: { runId, steps: config.steps, seed: config.seed },
          });
          void ctx.keep(classifierToKeep(trainer.model, meta, () => session.dispose()));
          return true;
        },
      ),
    calls: {},
  };
}
