import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRAIN_LAB } from '../../protocol/labs/train';
import { initBackend } from '../backend';
import { loadDataset } from '../data/load';
import { ClassifyTrainer } from './classifyTrainer';

/** Longer training runs go on wasm (the CPU backend is ~10× slower), as the Node scripts do. */
describe('training on the built-in shapes data (wasm backend in Node)', () => {
  beforeAll(async () => {
    expect((await initBackend('wasm')).name).toBe('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const model of ['vgg16', 'resnet18'] as const) {
    it(`${model} at width 1/16 learns: the training loss falls over 60 steps and nothing leaks`, async () => {
      const config = { ...TRAIN_LAB.defaults(), model, width: 1 / 16, batchSize: 16, lr: 0.05, trainSize: 480, testSize: 16, seed: 3 };
      const trainer = new ClassifyTrainer(config, await loadDataset(config, () => undefined));
      const losses: number[] = [];
      await trainer.step();
      const tensors = tf.memory().numTensors;
      for (let i = 0; i < 60; i++) losses.push((await trainer.step()).loss);
      expect(tf.memory().numTensors).toBe(tensors);
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const first = mean(losses.slice(0, 15));
      const last = mean(losses.slice(-15));
      expect(last, `first 15 steps ${first.toFixed(3)}, last 15 ${last.toFixed(3)}`).toBeLessThan(first - 0.05); // deterministic (seeded, single-threaded wasm)
      trainer.dispose();
    });
  }
});
