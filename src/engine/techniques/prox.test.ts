import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { groupHardProx, groupSoftProx, hardThreshold, layerLambda1, makeProx } from './prox';

/** HWIO [1, 1, 3, 4]: input group i is row i (4 weights), output group o is column o. */
const rows = (...r: number[][]) => tf.tensor4d(r.flat(), [1, 1, r.length, r[0]!.length]);
const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('prox', () => {
  it('hardThreshold is sqrt(2λ1/β)', () => {
    expect(hardThreshold(0.5, 1)).toBe(1);
    expect(hardThreshold(0.125, 1)).toBe(0.5);
    expect(hardThreshold(1e-2, 1)).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(hardThreshold(2, 0.5)).toBe(Math.sqrt(8));
    expect(() => hardThreshold(1, 0)).toThrow();
  });

  it('hard prox keeps a group strictly above the threshold and zeroes one exactly at it', () => {
    // λ1 = 0.5, β = 1 → threshold exactly 1.
    const w = rows([0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.625], [0.25, 0, 0, 0]); // norms 1 (exact), ≈1.068, 0.25
    const u = groupHardProx(w, 0.5, 1, 'input');
    expect(values(u)).toEqual([0, 0, 0, 0, 0.5, 0.5, 0.5, 0.625, 0, 0, 0, 0]);
    // λ1 = 0.125 → threshold exactly 0.5; group [0.25 ×4] has norm exactly 0.5 → 0.
    const w2 = rows([0.25, 0.25, 0.25, 0.25], [0.5, 0.0625, 0, 0]);
    expect(values(groupHardProx(w2, 0.125, 1, 'input'))).toEqual([0, 0, 0, 0, 0.5, 0.0625, 0, 0]);
    tf.dispose([w, u, w2]);
  });

  it('hard prox on output groups (filters)', () => {
    // columns: [3,4] (norm 5), [0.6,0.8] (norm 1), [1,0] (norm 1), [0,0]; threshold sqrt(2·2/1) = 2.
    const w = rows([3, 0.6, 1, 0], [4, 0.8, 0, 0]);
    expect(values(groupHardProx(w, 2, 1, 'output'))).toEqual([3, 0, 0, 0, 4, 0, 0, 0]);
    w.dispose();
  });

  it('soft prox shrinks by (λ1/β)/‖w_g‖ and maps zero groups to zero without NaN', () => {
    // λ1/β = 1: group [3,4,0,0] (norm 5) → ×(1 − 1/5) = ×0.8; [0.6,0.8,0,0] (norm 1) → 0; zeros → zeros.
    const w = rows([3, 4, 0, 0], [0.6, 0.8, 0, 0], [0, 0, 0, 0]);
    const u = groupSoftProx(w, 2, 2, 'input');
    const got = values(u);
    const want = [2.4, 3.2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    expect(got.every(Number.isFinite)).toBe(true);
    // λ1 = 0: identity, still no NaN on the zero group.
    const id = values(groupSoftProx(w, 0, 1, 'input'));
    id.forEach((v, i) => expect(v).toBeCloseTo(values(w)[i]!, 7));
    tf.dispose([w, u]);
  });

  it('makeProx picks the kind and leaks no tensors', () => {
    const w = rows([3, 4, 0, 0], [0.1, 0, 0, 0]);
    const before = tf.memory().numTensors;
    const hard = makeProx('hard', 0.5, 1, 'input')(w);
    const soft = makeProx('soft', 0.5, 1, 'input')(w);
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(values(hard)).toEqual([3, 4, 0, 0, 0, 0, 0, 0]);
    expect(values(soft)[0]).toBeCloseTo(3 * 0.9, 6);
    tf.dispose([w, hard, soft]);
  });
});

describe('per-layer thresholds (ours)', () => {
  it('layerLambda1: λ1·s² for the hard prox, λ1·s for the soft prox', () => {
    expect(layerLambda1('hard', 0.5, 3)).toBe(4.5);
    expect(layerLambda1('soft', 0.5, 3)).toBe(1.5);
  });

  it('the hard prox of layer l thresholds at sqrt(2·λ1·s_l²/β) = s_l·sqrt(2λ1/β)', () => {
    // λ1 = 0.5, β = 1 → global threshold 1. Layer "a" (s = 2): threshold 2; layer "b" (s = 0.5): threshold 0.5.
    const prox = makeProx(
      'hard',
      0.5,
      1,
      'input',
      new Map([
        ['a', 2],
        ['b', 0.5],
      ]),
    );
    const w = rows([1.5, 0, 0, 0], [2.5, 0, 0, 0], [0.625, 0, 0, 0]); // norms 1.5, 2.5, 0.625 (exact in float32)
    expect(values(prox(w, 'a'))).toEqual([0, 0, 0, 0, 2.5, 0, 0, 0, 0, 0, 0, 0]);
    expect(values(prox(w, 'b'))).toEqual([1.5, 0, 0, 0, 2.5, 0, 0, 0, 0.625, 0, 0, 0]);
    expect(() => prox(w, 'c')).toThrow(/no per-layer threshold scale/);
    expect(() => prox(w)).toThrow();
    w.dispose();
  });

  it('the soft prox of layer l shrinks by τ_l = s_l·λ1/β', () => {
    // λ1 = 1, β = 2, s = 4 → τ = 2: group [3, 4] (norm 5) → ×(1 − 2/5) = ×0.6; [1, 0] (norm 1) → 0.
    const prox = makeProx('soft', 1, 2, 'input', new Map([['a', 4]]));
    const w = rows([3, 4, 0, 0], [1, 0, 0, 0]);
    const got = values(prox(w, 'a'));
    [1.8, 2.4, 0, 0, 0, 0, 0, 0].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    w.dispose();
  });
});
