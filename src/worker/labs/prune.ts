/**
 * The Prune lab in the worker: an RGSM / group-Lasso run whose finished session is kept for compaction
 * and export (until the next run starts), and loading a compact model back for evaluation.
 */
import * as Comlink from 'comlink';
import { PruneSession, pruneOptions, type ImageDataset } from '../../engine';
import { PRUNE_LAB, type PruneConfig } from '../../protocol/labs/prune';
import { CompactionService } from '../compactionService';
import { describeError } from '../errors';
import { yieldToEventLoop } from '../yieldToEventLoop';
import type { LabContext, WorkerLab } from './types';

/** Run `f`, turning a throw into a refused outcome with a code and a sentence. */
async function attempt<T extends object>(f: () => Promise<T>): Promise<({ ok: true } & T) | { ok: false; error: ReturnType<typeof describeError> }> {
  try {
    return { ok: true, ...(await f()) };
  } catch (err) {
    return { ok: false, error: describeError(err) };
  }
}

export function pruneLab(ctx: LabContext): WorkerLab<'prune'> {
  const compaction = new CompactionService();
  /** The last finished run's session, kept for compaction and export until the next run starts. */
  let kept: { runId: string; session: PruneSession; data: ImageDataset; config: PruneConfig } | null = null;
  const release = () => {
    kept?.session.dispose();
    kept = null;
    compaction.release();
  };

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
          return new PruneSession(pruneOptions(config), data);
        },
        finish: (session, status) => {
          if (status === 'error' || !data || !(session instanceof PruneSession)) return false;
          kept = { runId, session, data, config };
          return true;
        },
      };
    },
    calls: {
      async compact(runId) {
        const k = kept && kept.runId === runId && !ctx.runActive() ? kept : null;
        if (!k)
          return {
            ok: false as const,
            error: {
              code: 'invalid-config' as const,
              message: 'That run is not in memory any more (a newer run started, or the page reloaded); train it again to compact it.',
            },
          };
        return attempt(async () => ({ report: await compaction.compact(runId, k.session.trainer, k.data, k.config, ctx.backendName()) }));
      },
      async exportModel(runId) {
        const r = await attempt(async () => ({ model: await compaction.exportModel(runId) }));
        return r.ok ? Comlink.transfer(r, [r.model.weights]) : r;
      },
      async loadModel(modelJson, weights, config) {
        if (!PRUNE_LAB.schema.safeParse(config).success)
          return { ok: false as const, error: { code: 'invalid-config' as const, message: 'The dataset settings to evaluate the model on are invalid.' } };
        return attempt(async () => ({ report: await compaction.load(modelJson, weights, await ctx.datasets.load(config, () => undefined)) }));
      },
    },
    release,
  };
}
