import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Sgd } from './sgd';

/** Plain-JS float64 reference of the same update rule. */
function reference(w: number[], grads: number[][], lr: number, mu: number, wd: number, nesterov: boolean): number[] {
  const v = w.map(() => 0);
  const out = [...w];
  for (const g of grads) {
    for (let i = 0; i < out.length; i++) {
      const gd = g[i]! + wd * out[i]!;
      v[i] = mu * v[i]! + gd;
      out[i] = out[i]! - lr * (nesterov ? gd + mu * v[i]! : v[i]!);
    }
  }
  return out;
}

describe('Sgd', () => {
  for (const nesterov of [false, true]) {
    it(`matches a float64 reference over three steps (nesterov=${nesterov})`, async () => {
      const w0 = [0.5, -1.25, 2, 0];
      const gs = [
        [0.1, -0.2, 0.3, 1],
        [-0.5, 0.25, 0, 2],
        [1, 1, -1, -3],
      ];
      const w = tf.variable(tf.tensor1d(w0));
      const sgd = new Sgd(new Map([['w', w]]), { lr: 0.1, momentum: 0.9, weightDecay: 5e-4, nesterov });
      for (const g of gs) {
        const gt = tf.tensor1d(g);
        sgd.step({ w: gt });
        gt.dispose();
      }
      const got = Array.from(await w.data());
      const want = reference(w0, gs, 0.1, 0.9, 5e-4, nesterov);
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
      sgd.dispose();
      w.dispose();
    });
  }

  it('uses a changed learning rate from the next step on', async () => {
    const w = tf.variable(tf.tensor1d([1]));
    const sgd = new Sgd(new Map([['w', w]]), { lr: 0.1, momentum: 0, weightDecay: 0, nesterov: false });
    const g = tf.tensor1d([1]);
    sgd.step({ w: g });
    sgd.settings = { ...sgd.settings, lr: 0.01 };
    sgd.step({ w: g });
    expect((await w.data())[0]).toBeCloseTo(1 - 0.1 - 0.01, 6);
    tf.dispose([g, w]);
  });

  it('leaks no tensors per step', () => {
    const w = tf.variable(tf.ones([3, 3]));
    const sgd = new Sgd(new Map([['w', w]]), { lr: 0.1, momentum: 0.9, weightDecay: 1e-4, nesterov: true });
    const g = tf.ones([3, 3]);
    sgd.step({ w: g }); // creates the momentum buffer
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) sgd.step({ w: g });
    expect(tf.memory().numTensors).toBe(before);
    sgd.dispose();
    tf.dispose([g, w]);
  });
});
