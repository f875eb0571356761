import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AFFINITY_LAB } from '../../../protocol/labs/affinity';
import { initBackend } from '../../backend';
import { generateShapesDataset } from '../../data/shapes';
import type { ImageDataset } from '../../data/dataset';
import { createAffinityNet } from '../../models/affinity/affinityNet';
import { disposeParams } from '../../models/params';
import { AffinityTrainer, type AffinityTrainerOptions } from './trainer';

/** On wasm, as the Node scripts train (the cpu backend is ~10× slower for these depthwise-heavy nets). */
let data: ImageDataset;
beforeAll(async () => {
  expect((await initBackend('wasm')).name).toBe('wasm');
  data = await generateShapesDataset({ seed: 5, trainSize: 64, testSize: 16 });
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

const { lr, momentum, weightDecay, kdWeight, faWeight, ceWeight, temperature, k, clipNorm } = AFFINITY_LAB.defaults();
const options = (over: Partial<AffinityTrainerOptions> = {}): AffinityTrainerOptions => ({
  role: 'student',
  width: 1 / 16,
  seed: 3,
  batchSize: 4,
  totalSteps: 20,
  augment: false,
  lossType: 'ffa',
  order: 2,
  kdMode: 'mse',
  zMode: 'fixed',
  taps: [16, 8, 4],
  hyperparams: { lr, momentum, weightDecay, kdWeight, faWeight, ceWeight, temperature, k, clipNorm },
  ...over,
});

describe('AffinityTrainer (TECHNIQUES.md §3)', () => {
  it('a teacher trains on CE (weight 1) alone and its loss falls on a small set; no tensor leaks per step', async () => {
    const t = new AffinityTrainer(options({ role: 'teacher', lossType: 'none', hyperparams: { ...options().hyperparams, lr: 0.05 } }), data);
    const first = await t.step();
    expect(first.kd).toBe(0);
    expect(first.fa).toBe(0);
    expect(first.loss).toBeCloseTo(first.ce, 6);
    expect(first.ce).toBeGreaterThan(1.5); // ≈ ln 10 at the start: CE is not scaled by CE_w for a teacher
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 8; i++) last = await t.step();
    expect(tf.memory().numTensors).toBe(before);
    expect(last.loss).toBeLessThan(first.loss);
    t.dispose();
  }, 120_000);

  it('a distilled student reports weighted CE, KD and FA terms that add up, per-stage losses, and the exact FA shadow when asked', async () => {
    const teacher = createAffinityNet('teacher', { numClasses: 10, width: 1 / 16, seed: 9 });
    for (const [lossType, zMode] of [
      ['fa', 'fixed'],
      ['ffa', 'fixed'],
      ['ffa', 'resample'],
    ] as const) {
      {
        const t = new AffinityTrainer(options({ lossType, zMode, teacher }), data);
        await t.step(); // warm-up: the fixed probe matrices are created once
        const before = tf.memory().numTensors;
        const r = await t.step(true);
        expect(tf.memory().numTensors).toBe(before);
        expect(r.loss).toBeCloseTo(r.ce + r.kd + r.fa, 5);
        expect(r.kd).toBeGreaterThan(0);
        expect(
          Object.keys(r.stages)
            .map(Number)
            .sort((a, b) => a - b),
        ).toEqual([4, 8, 16]);
        const sum = Object.values(r.stages).reduce((a, b) => a + b, 0);
        expect(r.fa).toBeCloseTo(faWeight * sum, 5);
        if (lossType === 'ffa') {
          expect(r.exact).not.toBeNull();
          for (const size of [16, 8, 4]) expect(r.exact![size]).toBeGreaterThan(0);
        } else expect(r.exact).toBeNull(); // FA is exact already
        t.dispose();
      }
    }
    disposeParams(teacher.store);
  }, 120_000);

  it('refuses a teacher with another class count, and reads affinity matrices of a test image', async () => {
    const other = createAffinityNet('teacher', { numClasses: 3, width: 1 / 16, seed: 9 });
    expect(() => new AffinityTrainer(options({ teacher: other }), data)).toThrow(/predicts 3 classes but .* has 10: train a teacher on this dataset first/);
    disposeParams(other.store);
    const teacher = createAffinityNet('teacher', { numClasses: 10, width: 1 / 16, seed: 9 });
    const t = new AffinityTrainer(options({ teacher, taps: [8] }), data);
    const before = tf.memory().numTensors;
    const maps = await t.affinityMaps(2);
    expect(tf.memory().numTensors).toBe(before);
    expect(maps.map((m) => m.size)).toEqual([8]);
    expect(maps[0]!.teacher).toHaveLength(64 * 64);
    // Symmetric, with ones on the diagonal (cosine similarity; norms get + 1e-5).
    for (const m of [maps[0]!.teacher, maps[0]!.student]) {
      expect(m[5 * 64 + 9]).toBeCloseTo(m[9 * 64 + 5]!, 5);
      expect(m[7 * 64 + 7]).toBeCloseTo(1, 2);
    }
    t.dispose();
    disposeParams(teacher.store);
  }, 120_000);
});
