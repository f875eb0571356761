import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../protocol/events';
import type { TrainingSession } from '../engine';
import { RunController } from './runController';
import { testEngine, tinyConfig, tinyPruneConfig } from './engineApi.fixture';

const tiny = tinyConfig;
const engine = testEngine;

describe('EngineApi (worker seam, cpu backend)', () => {
  it('runs to the end and reports metrics, evaluations, progress and statuses in order', async () => {
    const { api, events, waitFor, statuses } = await engine();
    expect((await api.start('train', tiny(), 'r1')).ok).toBe(true);
    await waitFor(() => statuses().includes('done'));
    expect(statuses()).toEqual(['preparing', 'running', 'done']);
    const steps = (series: string) => events.flatMap((e) => (e.type === 'metrics' ? e.batches.filter((b) => b.series === series).flatMap((b) => b.steps) : []));
    expect(steps('train.loss')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(steps('test.acc')).toEqual([3, 6]);
    const model = events.find((e) => e.type === 'model');
    expect(model?.type === 'model' && model.params).toBeGreaterThan(50_000);
    const snap = await api.status();
    expect(snap).toMatchObject({ runId: 'r1', status: 'done', step: 6, totalSteps: 6 });
  });

  it('pause holds the step count, a live change is recorded at the step it takes effect, stop ends the run', async () => {
    const { api, events, waitFor, statuses } = await engine();
    await api.start('train', tiny({ steps: 1000, evalEvery: 1000 }), 'r2');
    await waitFor(() => events.some((e) => e.type === 'metrics'));
    await api.pause();
    await waitFor(() => statuses().includes('paused'));
    const held = (await api.status()).step;
    await new Promise((r) => setTimeout(r, 300));
    expect((await api.status()).step).toBe(held);

    expect((await api.setHyperparams('train', { lr: 0.003 })).ok).toBe(true);
    await api.resume();
    await waitFor(() => events.some((e) => e.type === 'hpChange'));
    const change = events.find((e) => e.type === 'hpChange');
    expect(change?.type === 'hpChange' && change.change).toEqual({ step: held + 1, key: 'lr', from: 0.02, to: 0.003 });
    expect((await api.status()).hyperparams?.lr).toBe(0.003);

    await api.stop();
    expect(statuses().at(-1)).toBe('stopped');
    const stoppedAt = (await api.status()).step;
    await new Promise((r) => setTimeout(r, 200));
    expect((await api.status()).step).toBe(stoppedAt);
  });

  it('refuses bad hyperparameters and configs with a coded error, and the run goes on', async () => {
    const { api, events, waitFor, statuses } = await engine();
    const bad = await api.start('train', { ...tiny(), lr: -1 }, 'bad');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.code).toBe('invalid-config');

    await api.start('train', tiny({ steps: 1000, evalEvery: 1000 }), 'r3');
    await waitFor(() => statuses().includes('running'));
    const r = await api.setHyperparams('train', { lr: Number.NaN });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.code).toBe('invalid-hyperparams');
    const r2 = await api.setHyperparams('train', { batchSize: 8 } as never);
    expect(r2.ok).toBe(false);
    const step = (await api.status()).step;
    await waitFor(() => events.filter((e) => e.type === 'metrics').length > 0);
    await new Promise((res) => setTimeout(res, 300));
    expect((await api.status()).step).toBeGreaterThan(step);
    expect((await api.status()).status).toBe('running');
    await api.stop();
  });
});

describe('RunController', () => {
  it('reports a diverging run as an error with advice instead of training on NaN', async () => {
    const events: EngineEvent[] = [];
    let n = 0;
    const fake: TrainingSession = {
      numParams: 1,
      numLayers: 1,
      epoch: 0,
      hyperparams: { lr: 0.1, momentum: 0.9, weightDecay: 0 },
      setHyperparams: () => undefined,
      step: async () => {
        const loss = ++n < 3 ? 2.3 : Number.NaN;
        return { loss, batchSize: 4, values: { 'train.loss': loss, 'train.acc': 0.1 } };
      },
      evaluate: async () => ({ values: { 'test.loss': 2.3, 'test.acc': 0.1 } }),
      dispose: () => undefined,
    };
    const rc = new RunController((e) => events.push(e));
    const config = tiny({ steps: 50 });
    await rc.start('nan', 'train', {
      steps: config.steps,
      evalEvery: config.evalEvery,
      dataset: config.dataset,
      prepare: async () => fake,
      finish: () => false,
    });
    for (let i = 0; i < 500 && rc.active; i++) await new Promise((r) => setTimeout(r, 10));
    const err = events.find((e) => e.type === 'error');
    expect(err?.type === 'error' && err.error.code).toBe('diverged');
    expect(err?.type === 'error' && err.error.message).toMatch(/NaN at step 3.*Lower the learning rate/);
    expect(rc.snapshot()).toMatchObject({ status: 'error', step: 3 });
  });
});

describe('loading an uploaded model (Prune lab loadModel)', () => {
  const crafted = (architecture: Record<string, unknown>) =>
    JSON.stringify({
      format: 'prune-distill-workbench',
      architecture,
      weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'fc.kernel', shape: [2], dtype: 'float32' }] }],
    });

  it('refuses absurd sizes before building anything, at once and in a sentence naming the limit and the value', async () => {
    const { api } = await engine();
    const channels = Array.from({ length: 13 }, () => 1);
    const t0 = Date.now();
    const huge = await api.call('prune', 'loadModel', [
      crafted({ model: 'vgg16', numClasses: 10, inputSize: 100_000, channels }),
      new ArrayBuffer(8),
      tinyPruneConfig(),
    ]);
    expect(huge.ok).toBe(false);
    expect(!huge.ok && huge.error.message).toBe('The model.json declares an input size of 100000×100000; the workbench loads models of at most 1024×1024.');

    const wide = Array.from({ length: 13 }, () => 4096);
    const big = await api.call('prune', 'loadModel', [
      crafted({ model: 'vgg16', numClasses: 1000, inputSize: 1024, channels: wide }),
      new ArrayBuffer(8),
      tinyPruneConfig(),
    ]);
    expect(big.ok).toBe(false);
    expect(!big.ok && big.error.message).toMatch(/^The architecture in model\.json has [\d,]+ weights; the workbench loads models of at most 32,000,000\.$/);

    // Sizes within the limits but a weight file that cannot match its manifest: refused before building too.
    const small = await api.call('prune', 'loadModel', [
      crafted({ model: 'vgg16', numClasses: 10, inputSize: 32, channels }),
      new ArrayBuffer(4),
      tinyPruneConfig(),
    ]);
    expect(!small.ok && small.error.message).toBe('The weight file has 4 bytes but the manifest describes 8.');
    expect(Date.now() - t0).toBeLessThan(3_000);
  });
});
