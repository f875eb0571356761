import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { TRAIN_LAB, type TrainConfig } from '../../protocol/labs/train';
import type { ImageDataset } from '../data/dataset';
import { mulberry32 } from '../random';
import { ClassifyTrainer } from './classifyTrainer';

/** A tiny random dataset in the real layout (NHWC uint8). */
function tinyDataset(train: number, test: number): ImageDataset {
  const rng = mulberry32(5);
  const split = (n: number) => ({
    images: Uint8Array.from({ length: n * 32 * 32 * 3 }, () => Math.floor(rng() * 256)),
    labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
    count: n,
  });
  return { name: 'tiny', classNames: 'abcdefghij'.split(''), height: 32, width: 32, channels: 3, train: split(train), test: split(test) };
}

const tinyConfig = (over: Partial<TrainConfig> = {}): TrainConfig => ({ ...TRAIN_LAB.defaults(), width: 1 / 16, batchSize: 8, lr: 0.01, ...over });

describe('ClassifyTrainer', () => {
  it('one SGD step lowers the loss on a fixed batch', async () => {
    const t = new ClassifyTrainer(tinyConfig({ batchSize: 8 }), tinyDataset(8, 8));
    const first = await t.step(); // loss before the update
    const second = await t.step(); // same 8 images, after one update
    expect(second.loss).toBeLessThan(first.loss);
    t.dispose();
  });

  it('leaves the tensor count unchanged per step and per evaluation', async () => {
    const t = new ClassifyTrainer(tinyConfig(), tinyDataset(16, 12));
    await t.step(); // creates momentum buffers
    const before = tf.memory().numTensors;
    await t.step();
    await t.step();
    await t.evaluate();
    expect(tf.memory().numTensors).toBe(before);
    t.dispose();
  });

  it('frees every tensor on dispose', async () => {
    const before = tf.memory().numTensors;
    const t = new ClassifyTrainer(tinyConfig(), tinyDataset(16, 12));
    await t.step();
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('evaluates over the whole test split and applies live hyperparameters', async () => {
    const t = new ClassifyTrainer(tinyConfig(), tinyDataset(16, 70));
    const fractions: number[] = [];
    const r = await t.evaluate((f) => fractions.push(f));
    expect(r.count).toBe(70);
    expect(r.accuracy).toBeGreaterThanOrEqual(0);
    expect(r.accuracy).toBeLessThanOrEqual(1);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(fractions.at(-1)).toBe(1);
    t.setHyperparams({ lr: 0.5 });
    expect(t.hyperparams.lr).toBe(0.5);
    expect(t.hyperparams.momentum).toBe(0.9);
    t.dispose();
  });
});
