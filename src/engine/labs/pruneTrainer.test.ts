import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { PRUNE_LAB } from '../../protocol/labs/prune';
import { optionsOver, tinyDataset } from './pruneTrainer.fixture';
import { pruneOptions, scheduledLr } from './pruneOptions';
import { PruneTrainer } from './pruneTrainer';

const options = optionsOver(pruneOptions(PRUNE_LAB.defaults()).hyperparams);

const snapshot = async (t: PruneTrainer) => Promise.all([...t.kernels.values()].map(async (w) => Array.from(await w.data())));

describe('PruneTrainer', () => {
  it('RGSM steps and evaluations leave the tensor count unchanged; dispose frees everything', async () => {
    const start = tf.memory().numTensors;
    const t = new PruneTrainer(options(), tinyDataset(4, 4));
    await t.step(); // creates the momentum buffers
    const before = tf.memory().numTensors;
    const r = await t.step();
    await t.evaluate();
    await t.sparsity();
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(r.loss) && Number.isFinite(r.objective)).toBe(true);
    t.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('RGSM with a huge λ1 makes channels exactly zero in u after one step; w stays dense', async () => {
    const t = new PruneTrainer(options({}, { lambda1: 10 }), tinyDataset(4, 4));
    await t.step();
    const s = await t.sparsity();
    expect(s.measuredOn).toBe('u');
    expect(s.hardThreshold).toBeCloseTo(Math.sqrt(20), 12);
    expect(s.total).toBeGreaterThan(0);
    expect(s.layers).toHaveLength(13);
    expect(s.norms[0]).toHaveLength(3); // conv0 has 3 input channels
    expect((await snapshot(t)).flat().some((v) => v !== 0)).toBe(true);
    t.dispose();
  });

  it('evaluates on u and on w, then restores w exactly', async () => {
    const t = new PruneTrainer(options({}, { lambda1: 0.05 }), tinyDataset(4, 4));
    await t.step();
    const w = await snapshot(t);
    const spy = vi.spyOn(t.rgsm!, 'withU');
    const r = await t.evaluate();
    expect(spy).toHaveBeenCalledTimes(1);
    expect(await snapshot(t)).toEqual(w);
    expect(r.count).toBe(4);
    expect(r.accuracyW).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(r.lossW)).toBe(true);
    t.dispose();
  });

  it("method 'none' leaves channel and weight sparsity at 0 and has no u", async () => {
    const t = new PruneTrainer(options({ method: 'none' }), tinyDataset(4, 4));
    await t.step();
    const s = await t.sparsity();
    expect(t.rgsm).toBeNull();
    expect(s.measuredOn).toBe('w');
    expect(s.total).toBe(0);
    expect(s.weightSparsity).toBe(0);
    const r = await t.evaluate();
    expect(r.accuracyW).toBe(r.accuracy);
    t.dispose();
  });

  it('proximal group Lasso makes exact zeros; the penalty form does not (ResNet-18, output groups)', async () => {
    const prox = new PruneTrainer(options({ model: 'resnet18', method: 'gl-prox', grouping: 'output' }, { lr: 0.1, lambdaGL: 50 }), tinyDataset(4, 4));
    await prox.step();
    const sp = await prox.sparsity();
    expect(sp.total).toBeGreaterThan(0);
    expect(sp.layers).toContain('layer2.0.shortcut.conv.kernel');
    prox.dispose();
    const pen = new PruneTrainer(options({ model: 'resnet18', method: 'gl-penalty', grouping: 'output' }, { lambdaGL: 1e-2 }), tinyDataset(4, 4));
    const r = await pen.step();
    expect(r.objective).toBeGreaterThan(r.loss); // CE + λ_GL·Σ norms
    expect((await pen.sparsity()).total).toBe(0);
    pen.dispose();
  });

  it('re-initialises u at every epoch start and applies the live lr through the schedule', async () => {
    const t = new PruneTrainer(options({ totalSteps: 5, schedule: 'step' }), tinyDataset(2, 4));
    const reinit = vi.spyOn(t.rgsm!, 'reinit');
    const lrs: number[] = [];
    for (let i = 0; i < 3; i++) lrs.push((await t.step()).lr); // one batch per epoch: epochs start at steps 2 and 3
    expect(reinit).toHaveBeenCalledTimes(2);
    expect(lrs[0]).toBe(0.01);
    expect(lrs[1]).toBe(0.01);
    expect(lrs[2]).toBeCloseTo(0.001, 12); // step index 2 = 40 % of 5
    t.setHyperparams({ lr: 0.5, lambda1: 0.2, zeroThreshold: 1e-3 });
    expect(t.currentLr).toBeCloseTo(0.005, 12); // the new base; step index 3 = 60 % of 5: ×0.01
    expect(t.hyperparams).toMatchObject({ lr: 0.5, lambda1: 0.2, zeroThreshold: 1e-3, momentum: 0.9 });
    expect((await t.sparsity()).threshold).toBe(1e-3);
    t.dispose();
  });
});

describe('scheduledLr', () => {
  it('step: ×0.1 at 40 %, 60 %, 80 %; cosine; constant', () => {
    const at = (s: number) => scheduledLr(1, 'step', s, 100);
    expect([at(0), at(39), at(40), at(59), at(60), at(80), at(99)].map((v) => +v.toPrecision(6))).toEqual([1, 1, 0.1, 0.1, 0.01, 0.001, 0.001]);
    expect(scheduledLr(0.2, 'cosine', 0, 100)).toBeCloseTo(0.2, 12);
    expect(scheduledLr(0.2, 'cosine', 50, 100)).toBeCloseTo(0.1, 12);
    expect(scheduledLr(0.2, 'cosine', 100, 100)).toBeCloseTo(0, 12);
    expect(scheduledLr(0.3, 'constant', 77, 100)).toBe(0.3);
  });
});
