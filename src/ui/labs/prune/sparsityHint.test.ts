import { describe, expect, it } from 'vitest';
import { PRUNE_LAB, type LayerReport } from '../../../protocol';
import { PRUNE_PRESETS, sparsityHint } from './sparsityHint';

function report(norms: number[][], zeroThreshold = 1e-15): LayerReport {
  return {
    step: 10,
    names: norms.map((_, i) => `conv${i}.kernel`),
    sparsity: norms.map(() => 0),
    norms: norms.map((n) => Float32Array.from(n)),
    groups: norms.map((n) => n.length),
    total: 0, // the channel sparsity over all layers (nothing zero yet)
    weightSparsity: 0,
    zeroThreshold,
    hardThreshold: 0.14,
    measuredOn: 'u',
  };
}

const defaults = PRUNE_LAB.defaults();

describe('sparsityHint', () => {
  it("names the threshold, the smallest norm and the slider when RGSM's threshold is far below every group (the authors' λ1 at init)", () => {
    const r = report([
      [1.63, 1.7],
      [1.41, 2.0, 1.9],
    ]);
    // threshold √(2 · 0.01 / 1) = 0.1414…; smallest norm 1.41 > 1.5 · 0.141
    expect(sparsityHint(r, { ...defaults, method: 'rgsm', lambda1: 0.01, beta: 1 })).toBe(
      "No group is near RGSM's threshold √(2λ1/β) = 0.14 (the smallest group norm is 1.4): raise λ1 (or lower β) until the threshold reaches the smallest norms, or try the gentle preset.",
    );
  });

  it('is silent when a group is within 1.5× of the threshold, when something is already zero, for the dense method, and before a report', () => {
    const near = report([[1.3, 2]]);
    // λ1 0.4 → threshold 0.894; 1.3 ≤ 1.5 · 0.894 = 1.34
    expect(sparsityHint(near, { ...defaults, method: 'rgsm', lambda1: 0.4, beta: 1 })).toBeNull();
    expect(sparsityHint(report([[0, 2]]), { ...defaults, method: 'rgsm', lambda1: 0.01, beta: 1 })).toBeNull();
    expect(sparsityHint(report([[2]]), { ...defaults, method: 'none' })).toBeNull();
    expect(sparsityHint(null, { ...defaults, method: 'rgsm' })).toBeNull();
  });

  it('points group Lasso at λ_GL', () => {
    expect(sparsityHint(report([[0.5, 2]]), { ...defaults, method: 'gl-prox' })).toMatch(/smallest group norm is 0\.5\): raise λ_GL/);
  });

  it('presets set λ1, λ2, β inside the spec ranges, ordered by strength', () => {
    for (const p of PRUNE_PRESETS) expect(PRUNE_LAB.normalize({ ...PRUNE_LAB.defaults(), ...p.values }).issues).toEqual([]);
    expect(PRUNE_PRESETS.find((p) => p.id === 'gentle')!.values.lambda1).toBe(PRUNE_LAB.defaults().lambda1);
    const t = PRUNE_PRESETS.map((p) => Math.sqrt((2 * p.values.lambda1) / p.values.beta));
    expect([...t].sort((a, b) => a - b)).toEqual(t);
  });
});

describe('sparsityHint with per-layer thresholds (ours)', () => {
  it("compares each layer's norms with its own threshold s_l·√(2λ1/β)", () => {
    // √(2·0.5/1) = 1. Layer 0 (s 2): threshold 2, smallest 2.9 ≤ 1.5·2 → near, no hint.
    const near = { ...report([[2.9], [10]]), layerScales: [2, 1] };
    expect(sparsityHint(near, { ...defaults, method: 'rgsm', lambda1: 0.5, beta: 1 })).toBeNull();
    // Layer 0 (s 1): 2.9 > 1.5; layer 1 (s 2): 10 > 3 → far everywhere.
    const far = { ...report([[2.9], [10]]), layerScales: [1, 2] };
    expect(sparsityHint(far, { ...defaults, method: 'rgsm', lambda1: 0.5, beta: 1 })).toMatch(
      /^No group is near its layer's RGSM threshold s_l·√\(2λ1\/β\) \(√\(2λ1\/β\) = 1\)/,
    );
  });
});
