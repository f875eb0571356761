import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { evaluateSplit } from '../metrics/evaluate';
import { PRUNE_LAB } from '../../protocol/labs/prune';
import { optionsOver, tinyDataset } from './pruneTrainer.fixture';
import { pruneOptions } from './pruneOptions';
import { PruneTrainer } from './pruneTrainer';

const options = optionsOver(pruneOptions(PRUNE_LAB.defaults()).hyperparams);

const read = async (ts: Iterable<tf.Tensor>) => Promise.all([...ts].map(async (t) => Array.from(await t.data())));
/** Every trainable variable and every BN running statistic, as plain arrays. */
const everything = async (t: PruneTrainer) => ({ trainable: await read(t.model.store.trainable.values()), state: await read(t.model.store.state.values()) });

/** Float64 input-group norms of an HWIO kernel read back as a flat array. */
function inputGroupNorms(data: ArrayLike<number>, shape: number[]): number[] {
  const [, , cin, cout] = shape as [number, number, number, number];
  const sq = new Array<number>(cin).fill(0);
  for (let i = 0; i < data.length; i++) sq[Math.floor(i / cout) % cin]! += data[i]! ** 2;
  return sq.map(Math.sqrt);
}
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

describe('PruneTrainer, RGSM options', () => {
  it("per-layer thresholds: s_l = layer median / pooled median of w's initial group norms; u is cut at s_l·sqrt(2λ1/β)", async () => {
    const lambda1 = 0.9;
    const t = new PruneTrainer(options({ thresholds: 'per-layer' }, { lambda1, beta: 1 }), tinyDataset(4, 4));
    const names = [...t.kernels.keys()];
    const w = await Promise.all(names.map(async (n) => inputGroupNorms(await t.kernels.get(n)!.data(), t.kernels.get(n)!.shape)));
    const pooled = median(w.flat());
    const s = (await t.sparsity()).layerScales!;
    expect(s).toHaveLength(13);
    names.forEach((n, l) => {
      const want = median(w[l]!) / pooled;
      expect(Math.abs(t.layerScales!.get(n)! - want) / want).toBeLessThan(1e-5);
      expect(s[l]).toBe(t.layerScales!.get(n));
    });
    // u = prox(w) at construction, with layer l's threshold s_l·sqrt(2λ1/β).
    const T = Math.sqrt(2 * lambda1);
    let cut = 0;
    for (const [l, n] of names.entries()) {
      const u = inputGroupNorms(await t.rgsm!.u.get(n)!.data(), t.kernels.get(n)!.shape);
      const threshold = s[l]! * T;
      w[l]!.forEach((norm, g) => {
        if (Math.abs(norm - threshold) < 1e-4) return; // too close to call in float32
        if (norm > threshold) expect(Math.abs(u[g]! - norm)).toBeLessThan(1e-5);
        else {
          expect(u[g]).toBe(0);
          cut++;
        }
      });
    }
    expect(cut).toBeGreaterThan(0);
    // Global mode: no scales.
    const g = new PruneTrainer(options(), tinyDataset(4, 4));
    expect(g.layerScales).toBeNull();
    expect((await g.sparsity()).layerScales).toBeNull();
    g.dispose();
    t.dispose();
  });

  it('BN recalibration: evaluate reports u with recalibrated stats, restores w and its BN stats exactly, leaks nothing, and leaves training unchanged', async () => {
    const data = tinyDataset(6, 4);
    const a = new PruneTrainer(options({ bnRecalBatches: 3 }, { lambda1: 0.9 }), data);
    const b = new PruneTrainer(options({ bnRecalBatches: 3 }, { lambda1: 0.9 }), data);
    await a.step();
    await b.step();
    const before = await everything(a);
    const tensors = tf.memory().numTensors;
    const r = await a.evaluate();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(await everything(a)).toEqual(before);
    expect(r.accuracyURecal).not.toBeNull();
    expect(Number.isFinite(r.lossURecal)).toBe(true);
    expect(r.lossURecal).not.toBe(r.loss); // other BN statistics, other logits
    // The evaluated twin trains on exactly as the one that was not evaluated.
    await a.step();
    await b.step();
    expect(await everything(a)).toEqual(await everything(b));
    a.dispose();
    b.dispose();
  });

  it('withDelivered lends u and the recalibrated BN stats (the ones evaluate used), the same each time, and restores w', async () => {
    const data = tinyDataset(6, 4);
    const t = new PruneTrainer(options({ bnRecalBatches: 2 }, { lambda1: 0.9 }), data);
    await t.step();
    const before = await everything(t);
    const ev = await t.evaluate();
    const u = await read(t.rgsm!.u.values());
    const tensors = tf.memory().numTensors;
    const inside = async () => ({
      kernels: await read(t.kernels.values()),
      state: await read(t.model.store.state.values()),
      acc: (await evaluateSplit(t.model, data.test, data.height, t.stats, 64)).accuracy,
      loss: (await evaluateSplit(t.model, data.test, data.height, t.stats, 64)).loss,
    });
    const first = await t.withDelivered(inside);
    const second = await t.withDelivered(inside);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(first.kernels).toEqual(u);
    expect(first.state).not.toEqual(before.state);
    expect(second).toEqual(first);
    expect(first.acc).toBe(ev.accuracyURecal);
    expect(first.loss).toBeCloseTo(ev.lossURecal!, 6);
    expect(await everything(t)).toEqual(before);
    // Recalibration off: the delivered model is u with w's BN statistics; accuracyURecal is null.
    const off = new PruneTrainer(options({ bnRecalBatches: 0 }, { lambda1: 0.9 }), data);
    await off.step();
    const offState = await read(off.model.store.state.values());
    expect((await off.evaluate()).accuracyURecal).toBeNull();
    expect(await off.withDelivered(async () => read(off.model.store.state.values()))).toEqual(offState);
    off.dispose();
    // The baselines ignore the setting.
    const dense = new PruneTrainer(options({ method: 'none', bnRecalBatches: 4 }), data);
    expect(dense.bnRecalBatches).toBe(0);
    expect((await dense.evaluate()).accuracyURecal).toBeNull();
    dense.dispose();
    t.dispose();
  });
});
