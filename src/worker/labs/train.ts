/** The Train lab in the worker: a classification run on the config's dataset. */
import { TrainSession } from '../../engine';
import { yieldToEventLoop } from '../yieldToEventLoop';
import type { LabContext, WorkerLab } from './types';

export function trainLab(ctx: LabContext): WorkerLab<'train'> {
  return {
    plan: (config) => ({
      steps: config.steps,
      evalEvery: config.evalEvery,
      dataset: config.dataset,
      prepare: async (onData, onBuilding) => {
        const data = await ctx.images.get(config, onData);
        onBuilding();
        await yieldToEventLoop();
        return new TrainSession(config, data);
      },
      finish: () => false,
    }),
    calls: {},
  };
}
