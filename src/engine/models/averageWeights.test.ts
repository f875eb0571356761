import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { recalibrateBnStatistics } from '../labs/prune/bnRecalibration';
import { averageParamStores } from './averageWeights';
import { constant, createParamStore, disposeParams } from './params';
import { createSegModel } from './seg/registry';

const tiny = { widthMultiplier: 1 / 16, numClasses: 3, height: 32, width: 64, upscale: 'bilinear' as const };

describe('averageParamStores (SWA checkpoint averaging)', () => {
  it('sets every trainable and state variable to the plain mean, by hand', () => {
    const stores = [1, 2, 3].map((seed) => createParamStore(seed));
    const values = [
      [1, -2, 4],
      [3, 0, 5],
      [8, 2, -3],
    ];
    stores.forEach((s, k) => {
      constant(s, 'w', [3], 0).assign(tf.tensor1d(values[k]!));
      constant(s, 'bn.runningMean', [1], 10 * (k + 1), false);
    });
    averageParamStores(stores[0]!, stores);
    expect(Array.from(stores[0]!.trainable.get('w')!.dataSync())).toEqual([4, 0, 2]);
    expect(Array.from(stores[0]!.state.get('bn.runningMean')!.dataSync())).toEqual([20]);
    // the other sources are untouched
    expect(Array.from(stores[2]!.trainable.get('w')!.dataSync())).toEqual([8, 2, -3]);
    stores.forEach(disposeParams);
  });

  it('averages seg-model checkpoints in float32 as float64 does, leaves a model averaged with itself unchanged, and leaks no tensor', () => {
    const a = createSegModel('student', { ...tiny, seed: 1 });
    const b = createSegModel('student', { ...tiny, seed: 2 });
    const c = createSegModel('student', { ...tiny, seed: 3 });
    const before = [...a.store.trainable].map(([n, v]) => [n, Float64Array.from(v.dataSync())] as const);
    const bVals = new Map([...b.store.trainable].map(([n, v]) => [n, Float64Array.from(v.dataSync())]));
    const cVals = new Map([...c.store.trainable].map(([n, v]) => [n, Float64Array.from(v.dataSync())]));
    const tensors = tf.memory().numTensors;
    averageParamStores(a.store, [a.store, b.store, c.store]);
    expect(tf.memory().numTensors).toBe(tensors);
    let worst = 0;
    for (const [name, va] of before) {
      const got = a.store.trainable.get(name)!.dataSync();
      const vb = bVals.get(name)!;
      const vc = cVals.get(name)!;
      for (let i = 0; i < va.length; i++) worst = Math.max(worst, Math.abs(got[i]! - (va[i]! + vb[i]! + vc[i]!) / 3));
    }
    expect(worst).toBeLessThan(1e-6);
    const snapshot = [...b.store.trainable].map(([n, v]) => [n, Array.from(v.dataSync())] as const);
    averageParamStores(b.store, [b.store, b.store]);
    for (const [name, v] of snapshot) expect(Array.from(b.store.trainable.get(name)!.dataSync())).toEqual(v);
    [a, b, c].forEach((m) => disposeParams(m.store));
  });

  it('refuses checkpoints of another architecture before changing anything', () => {
    const student = createSegModel('student', { ...tiny, seed: 1 });
    const ps = createSegModel('student', { ...tiny, upscale: 'pixelshuffle', seed: 1 });
    const wide = createSegModel('student', { ...tiny, widthMultiplier: 1 / 8, seed: 1 });
    const first = Array.from(student.store.trainable.values().next().value!.dataSync());
    expect(() => averageParamStores(student.store, [student.store, ps.store])).toThrow(/one architecture/);
    expect(() => averageParamStores(student.store, [student.store, wide.store])).toThrow(/in the first model and .* in model 2/);
    expect(() => averageParamStores(student.store, [])).toThrow(/at least one/);
    expect(Array.from(student.store.trainable.values().next().value!.dataSync())).toEqual(first);
    [student, ps, wide].forEach((m) => disposeParams(m.store));
  });

  it('BN statistics of a seg model can then be re-estimated with training-mode passes (SWA update_bn)', () => {
    const m = createSegModel('student', { ...tiny, seed: 4 });
    const tensors = tf.memory().numTensors;
    const stats = [...m.store.state].filter(([n]) => n.endsWith('.runningMean'));
    expect(stats.length).toBeGreaterThan(0);
    recalibrateBnStatistics(m, 2, () => tf.randomNormal([2, 32, 64, 3], 0, 1, 'float32', 7) as tf.Tensor4D);
    expect(tf.memory().numTensors).toBe(tensors);
    const means = stats.map(([, v]) => Array.from(v.dataSync()));
    // fresh BNs start at mean 0; after re-estimation on random images they are no longer all zero
    expect(means.some((row) => row.some((x) => Math.abs(x) > 1e-4))).toBe(true);
    disposeParams(m.store);
  });
});
