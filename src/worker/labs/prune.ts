/**
 * The Prune lab in the worker: an RGSM / group-Lasso run whose finished session is kept for compaction
 * and export (until the next run starts), and loading a compact model back for evaluation. A finished run's
 * dense model as delivered (for RGSM: u in the kernels and, with BN recalibration on, u's recalibrated BN
 * statistics; `PruneTrainer.withDelivered`) and its compact net go to the model library.
 */
import * as Comlink from 'comlink';
import { PruneSession, pruneOptions, type ImageDataset } from '../../engine';
import { PRUNE_LAB, type PruneConfig } from '../../protocol/labs/prune';
import { CompactionService } from '../compactionService';
import { describeError } from '../errors';
import { classifierToKeep } from '../modelFormats';
import { classifyPlan, finishedClassifierMeta, keepingAccuracy } from './classifyPlan';
import type { LabContext, WorkerLab } from './types';

/** Run `f`, turning a throw into a refused outcome with a code and a sentence. */
async function attempt<T extends object>(f: () => Promise<T>): Promise<({ ok: true } & T) | { ok: false; error: ReturnType<typeof describeError> }> {
  try {
    return { ok: true, ...(await f()) };
  } catch (err) {
    return { ok: false, error: describeError(err) };
  }
}

const KeptPruneSession = keepingAccuracy(PruneSession);

export function pruneLab(ctx: LabContext): WorkerLab<'prune'> {
  const compaction = new CompactionService();
  /** The run whose compact net was kept in the library (compacting it again keeps no copy). */
  let keptCompact: string | null = null;
  /** The last finished run's session, kept for compaction and export until the next run starts. */
  let kept: { runId: string; session: PruneSession; data: ImageDataset; config: PruneConfig } | null = null;
  const release = () => {
    kept?.session.dispose();
    kept = null;
    compaction.release();
  };

  return {
    plan: (config, runId) =>
      classifyPlan(
        ctx,
        config,
        (data) => new KeptPruneSession(pruneOptions(config), data),
        (session, status, data) => {
          if (status === 'error') return false;
          kept = { runId, session, data, config };
          if (status === 'done') {
            // The delivered model: RGSM's u with its recalibrated BN statistics when recalibration is on (w and
            // w's statistics are restored after the read), with the accuracy measured on exactly that model.
            const { trainer } = session;
            const meta = finishedClassifierMeta(trainer, data, {
              lab: 'prune',
              accuracy: session.deliveredAccuracy ?? session.lastAccuracy,
              dataset: config.dataset,
              provenance: { runId, steps: config.steps, seed: config.seed, compact: false, method: config.method },
            });
            void ctx.keep(classifierToKeep(trainer.model, meta, undefined, trainer.rgsm ? (f) => trainer.withDelivered(f) : undefined));
          }
          return true;
        },
      ),
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
        const r = await attempt(async () => ({ report: await compaction.compact(runId, k.session.trainer, k.data, k.config, ctx.backendName()) }));
        // The compact net goes to the library once per run (it is disposed when the next compaction or run starts).
        const toKeep = r.ok && keptCompact !== runId ? compaction.toKeep(runId) : null;
        if (toKeep && (await ctx.keep(toKeep))) keptCompact = runId;
        return r;
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
