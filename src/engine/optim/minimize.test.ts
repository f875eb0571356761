import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { minimize } from './minimize';
import { Sgd } from './sgd';

// A tiny linear model y = x·w + b (x [4, 3], w [3, 2], b [2]) with loss mean((y − t)²), and its float64 reference.
const X = [
  [0.5, -1, 2],
  [1.5, 0.25, -0.5],
  [-2, 1, 0.75],
  [0, -0.5, 1],
];
const T = [
  [1, -1],
  [0.5, 2],
  [-1, 0],
  [2, 0.25],
];
const W0 = [
  [0.1, -0.2],
  [0.3, 0.4],
  [-0.5, 0.6],
];
const B0 = [0.05, -0.1];

/** Float64 loss and gradients: L = Σ r² / (N·K), r = x·w + b − t; dL/dw = 2/(N·K)·xᵀr, dL/db = 2/(N·K)·Σ_n r. */
function reference(w: number[][], b: number[]): { loss: number; gw: number[][]; gb: number[] } {
  const n = X.length,
    k = b.length;
  const r = X.map((x, i) => b.map((bj, j) => x.reduce((s, xi, m) => s + xi * w[m]![j]!, bj) - T[i]![j]!));
  const loss = r.flat().reduce((s, v) => s + v * v, 0) / (n * k);
  const gw = w.map((row, m) => row.map((_, j) => (2 / (n * k)) * X.reduce((s, x, i) => s + x[m]! * r[i]![j]!, 0)));
  const gb = b.map((_, j) => (2 / (n * k)) * r.reduce((s, ri) => s + ri[j]!, 0));
  return { loss, gw, gb };
}

/** Variables under unique tf names, in a map keyed by the parameter names the optimizer uses. */
function linearModel(tag: string) {
  const w = tf.variable(tf.tensor2d(W0), true, `minimize_test_${tag}_w_var`);
  const b = tf.variable(tf.tensor1d(B0), true, `minimize_test_${tag}_b_var`);
  const trainable = new Map<string, tf.Variable>([
    ['dense/kernel', w],
    ['dense/bias', b],
  ]);
  return { w, b, trainable };
}

const loss = (x: tf.Tensor2D, t: tf.Tensor2D, w: tf.Variable, b: tf.Variable) => () => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, w), b), t))) as tf.Scalar;

describe('minimize', () => {
  it('returns the loss and hands apply the gradients under the map names (float64 reference)', async () => {
    const { w, b, trainable } = linearModel('grads');
    const x = tf.tensor2d(X);
    const t = tf.tensor2d(T);
    const want = reference(W0, B0);
    let seen: Record<string, number[]> = {};
    const value = minimize(loss(x, t, w, b), trainable, (grads) => {
      seen = Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, Array.from(g.dataSync())]));
    });
    expect(Object.keys(seen).sort()).toEqual(['dense/bias', 'dense/kernel']);
    expect((await value.data())[0]).toBeCloseTo(want.loss, 5);
    want.gw.flat().forEach((g, i) => expect(seen['dense/kernel']![i]).toBeCloseTo(g, 5));
    want.gb.forEach((g, i) => expect(seen['dense/bias']![i]).toBeCloseTo(g, 5));
    tf.dispose([value, x, t, w, b]);
  });

  it('applies one SGD update equal to w − lr·∇L, and leaves the tensor count unchanged once the loss is disposed', async () => {
    const { w, b, trainable } = linearModel('sgd');
    const x = tf.tensor2d(X);
    const t = tf.tensor2d(T);
    const lr = 0.1;
    const sgd = new Sgd(trainable, { lr, momentum: 0, weightDecay: 0, nesterov: false });
    const want = reference(W0, B0);
    const before = tf.memory().numTensors;
    const value = minimize(loss(x, t, w, b), trainable, (g) => sgd.step(g));
    expect((await value.data())[0]).toBeCloseTo(want.loss, 5);
    value.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const gotW = Array.from(await w.data());
    W0.flat().forEach((w0, i) => expect(gotW[i]).toBeCloseTo(w0 - lr * want.gw.flat()[i]!, 6));
    const gotB = Array.from(await b.data());
    B0.forEach((b0, i) => expect(gotB[i]).toBeCloseTo(b0 - lr * want.gb[i]!, 6));
    sgd.dispose();
    tf.dispose([x, t, w, b]);
  });

  it('gives no entry to a variable the loss does not reach', () => {
    const { w, b, trainable } = linearModel('unused');
    const spare = tf.variable(tf.zeros([2]), true, 'minimize_test_unused_spare_var');
    const x = tf.tensor2d(X);
    const t = tf.tensor2d(T);
    let names: string[] = [];
    const value = minimize(loss(x, t, w, b), new Map([...trainable, ['spare', spare]]), (grads) => {
      names = Object.keys(grads).sort();
    });
    expect(names).toEqual(['dense/bias', 'dense/kernel']);
    tf.dispose([value, x, t, w, b, spare]);
  });

  it('frees the loss and the gradients when apply throws, and passes the error on', () => {
    const { w, b, trainable } = linearModel('throws');
    const x = tf.tensor2d(X);
    const t = tf.tensor2d(T);
    const before = tf.memory().numTensors;
    expect(() =>
      minimize(loss(x, t, w, b), trainable, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, t, w, b]);
  });
});
