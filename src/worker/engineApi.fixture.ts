/** Test-only helpers: an engine on the cpu backend whose events are collected in order, and tiny run configs. */
import { PRUNE_LAB, TRAIN_LAB, type PruneConfig, type TrainConfig } from '../protocol/labs';
import type { EngineEvent, RunStatus } from '../protocol/events';
import { createEngineApi } from './engineApi';

const TINY = { width: 1 / 16, batchSize: 4, steps: 6, trainSize: 64, testSize: 16, evalEvery: 3 };

/** A tiny Train-lab run: width 1/16, batch 4, 64 training and 16 test images, a few steps. */
export const tinyConfig = (over: Partial<TrainConfig> = {}): TrainConfig => ({ ...TRAIN_LAB.defaults(), ...TINY, ...over });

/** The same tiny run in the Prune lab (RGSM by default). */
export const tinyPruneConfig = (over: Partial<PruneConfig> = {}): PruneConfig => ({ ...PRUNE_LAB.defaults(), ...TINY, ...over });

/** An engine on the cpu backend (services as createEngineApi takes them) whose events are collected, with waits and readers by run. */
export async function testEngine(services: Parameters<typeof createEngineApi>[0] = {}) {
  const api = createEngineApi(services);
  const events: EngineEvent[] = [];
  api.subscribe((batch) => events.push(...batch));
  await api.init('cpu');
  const waitFor = async (pred: () => boolean, ms = 60_000) => {
    const t0 = Date.now();
    while (!pred()) {
      if (Date.now() - t0 > ms) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const statuses = () => events.flatMap((e) => (e.type === 'status' ? [e.status] : [])) as RunStatus[];
  const statusesOf = (runId: string) => events.flatMap((e) => (e.type === 'status' && e.runId === runId ? [e.status] : [])) as RunStatus[];
  /** Wait until run `runId` ends; its last status. */
  const waitEnd = async (runId: string, ms = 120_000) => {
    await waitFor(() => statusesOf(runId).some((s) => s === 'done' || s === 'error' || s === 'stopped'), ms);
    return statusesOf(runId).at(-1);
  };
  /** Every value run `runId` reported for a series, in order. */
  const seriesOf = (runId: string, name: string) =>
    events.flatMap((e) => (e.type === 'metrics' && e.runId === runId ? e.batches.filter((b) => b.series === name).flatMap((b) => b.values) : []));
  /** The error sentences of run `runId`. */
  const errorOf = (runId: string) => events.flatMap((e) => (e.type === 'error' && e.runId === runId ? [e.error.message] : [])).join(' ');
  return { api, events, waitFor, statuses, waitEnd, seriesOf, errorOf };
}
