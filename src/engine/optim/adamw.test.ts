import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { AdamW, type AdamWSettings } from './adamw';

/** Plain float64 torch.optim.AdamW for one parameter vector: decoupled decay, then Adam with bias correction. */
function reference(w0: number[], grads: number[][], s: AdamWSettings, lrMult: number, decay: boolean): number[] {
  const w = [...w0];
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  const lr = s.lr * lrMult;
  const wd = decay ? s.weightDecay : 0;
  grads.forEach((g, k) => {
    const t = k + 1;
    for (let i = 0; i < w.length; i++) {
      w[i] = w[i]! * (1 - lr * wd);
      m[i] = s.beta1 * m[i]! + (1 - s.beta1) * g[i]!;
      v[i] = s.beta2 * v[i]! + (1 - s.beta2) * g[i]! * g[i]!;
      const mHat = m[i]! / (1 - Math.pow(s.beta1, t));
      const vHat = v[i]! / (1 - Math.pow(s.beta2, t));
      w[i] = w[i]! - (lr * mHat) / (Math.sqrt(vHat) + s.eps);
    }
  });
  return w;
}

const SETTINGS: AdamWSettings = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 };

describe('AdamW', () => {
  it('matches a float64 torch.optim.AdamW loop over 5 steps (lr ×0.1 on one variable, decay opt-out on another)', async () => {
    const rng = mulberry32(3);
    const inits = { head: [0.5, -1.25, 2, 0.1], backbone: [1.5, -0.3, 0.7], bias: [0.2, -0.4] };
    const names = Object.keys(inits) as (keyof typeof inits)[];
    const grads = names.map((n) => Array.from({ length: 5 }, () => inits[n].map(() => rng() * 2 - 1)));
    const vars = new Map(names.map((n) => [n, tf.variable(tf.tensor1d(inits[n]))]));
    const opt = new AdamW(
      vars,
      SETTINGS,
      new Map([
        ['backbone', { lrMultiplier: 0.1 }],
        ['bias', { decay: false }],
      ]),
    );
    for (let step = 0; step < 5; step++) {
      const g = Object.fromEntries(names.map((n, i) => [n, tf.tensor1d(grads[i]![step]!)]));
      opt.step(g);
      tf.dispose(Object.values(g));
    }
    const opts = { head: [1, true], backbone: [0.1, true], bias: [1, false] } as const;
    for (const [i, n] of names.entries()) {
      const want = reference(inits[n], grads[i]!, SETTINGS, opts[n][0], opts[n][1]);
      const got = Array.from(await vars.get(n)!.data());
      got.forEach((v, k) => expect(Math.abs(v - want[k]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want[k]!))));
      // Each variable moved (the test is not vacuous).
      expect(Math.abs(got[0]! - inits[n][0]!)).toBeGreaterThan(1e-4);
    }
    opt.dispose();
    tf.dispose([...vars.values()]);
  });

  it('counts steps per variable (a variable without a gradient keeps its state), and uses a changed lr from the next step', async () => {
    const a = tf.variable(tf.tensor1d([1]));
    const b = tf.variable(tf.tensor1d([1]));
    const s: AdamWSettings = { ...SETTINGS, weightDecay: 0 };
    const opt = new AdamW(
      new Map([
        ['a', a],
        ['b', b],
      ]),
      s,
    );
    const g = tf.tensor1d([0.5]);
    opt.step({ a: g, b: g });
    opt.step({ a: g }); // b skipped: its step count stays 1
    opt.settings = { ...opt.settings, lr: 0.001 };
    opt.step({ a: g, b: g }); // b's second step, bias-corrected with t = 2
    // Constant gradient: m̂ = g and v̂ = g² at every t, so each step moves by lr·g/(|g| + ε) ≈ lr.
    expect((await a.data())[0]).toBeCloseTo(1 - 0.01 - 0.01 - 0.001, 6);
    expect((await b.data())[0]).toBeCloseTo(1 - 0.01 - 0.001, 6);
    opt.dispose();
    tf.dispose([g, a, b]);
  });

  it('leaks no tensors per step and frees its state on dispose', () => {
    const w = tf.variable(tf.ones([3, 3]));
    const g = tf.ones([3, 3]);
    const start = tf.memory().numTensors;
    const opt = new AdamW(new Map([['w', w]]), SETTINGS);
    opt.step({ w: g }); // creates m and v
    const withState = tf.memory().numTensors;
    expect(withState).toBe(start + 2);
    for (let i = 0; i < 5; i++) opt.step({ w: g });
    expect(tf.memory().numTensors).toBe(withState);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose([g, w]);
  });
});
