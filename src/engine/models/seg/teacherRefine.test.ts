import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { countParams, disposeParams } from '../params';
import { segCost, type TeacherArchitecture } from './segModel';
import { buildTeacher } from './teacher';

const TINY: TeacherArchitecture = {
  model: 'seg-teacher',
  numClasses: 3,
  inputHeight: 32,
  inputWidth: 64,
  stem: 2,
  streams: [2, 3, 4, 5],
  blocks: 1,
  modules: [1, 1, 1, 1],
};
const REFINED: TeacherArchitecture = { ...TINY, refine: 3 };
const FULL: TeacherArchitecture = { ...REFINED, refineFull: 2 };

/** Params and MACs `arch` adds to `base`; checks that building it leaves exactly its variables (no temporary of the zero init). */
function added(base: TeacherArchitecture, arch: TeacherArchitecture): { params: number; macs: number } {
  const a = buildTeacher(base, 0);
  const before = tf.memory().numTensors;
  const b = buildTeacher(arch, 0);
  expect(tf.memory().numTensors - before).toBe(b.store.trainable.size + b.store.state.size);
  expect(segCost(b).params).toBe(countParams(b.store));
  const out = { params: countParams(b.store) - countParams(a.store), macs: segCost(b).macs - segCost(a).macs };
  disposeParams(a.store);
  disposeParams(b.store);
  return out;
}

/**
 * The trainable weights named under `prefix`, and those a gradient of a random weighting of the logits does not reach
 * (the zero classifier `cls` set off zero first); checks that a forward leaves no tensor behind.
 */
function gradientReach(arch: TeacherArchitecture, prefix: string, cls: string): { count: number; unreached: string[] } {
  const m = buildTeacher(arch, 7);
  const k = m.store.trainable.get(cls)!;
  k.assign(tf.randomNormal(k.shape, 0, 0.1, 'float32', 9));
  const x = tf.randomNormal([2, 32, 64, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
  const wts = tf.randomNormal([2, 32, 64, 3], 0, 1, 'float32', 4);
  const vars = [...m.store.trainable.entries()].filter(([n]) => n.startsWith(prefix));
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(m.forward(x, { training: true }).logits, wts)) as tf.Scalar,
    vars.map(([, v]) => v),
  );
  const unreached = vars.filter(([, v]) => tf.tidy(() => tf.max(tf.abs(grads[v.name]!)).dataSync()[0]) === 0).map(([n]) => n);
  tf.dispose([value, ...Object.values(grads)]);
  const n = tf.memory().numTensors;
  const out = m.forward(x, { training: false });
  tf.dispose([out.logits, ...out.aux, ...Object.values(out.features)]);
  expect(tf.memory().numTensors).toBe(n);
  tf.dispose([x, wts]);
  disposeParams(m.store);
  return { count: vars.length, unreached };
}

describe('the teacher with a 1/2-resolution refinement head', () => {
  it('adds exactly its layers, counted by hand: 1×1 14→3 + BN, 3×3 (3 + stem 2)→3 + BN, a 1×1 classifier 3→3 with bias', () => {
    const { params, macs } = added(TINY, REFINED);
    // reduce 14·3 + 2·3 = 48; conv 9·5·3 + 2·3 = 141; classifier 3·3 + 3 = 12
    expect(params).toBe(48 + 141 + 12);
    // MACs at 1/4 (8×16) for the reduce, at 1/2 (16×32) for the conv and classifier
    expect(macs).toBe(14 * 3 * 8 * 16 + 9 * 5 * 3 * 16 * 32 + 3 * 3 * 16 * 32);
  });

  it('its logits are the plain head’s plus its own, upsampled from 1/2: a change to its classifier moves the output only through it', async () => {
    const m = buildTeacher(REFINED, 5);
    const x = tf.randomNormal([2, 32, 64, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const before = tf.tidy(() => m.forward(x, { training: false }).logits);
    const bias = m.store.trainable.get('refine.cls.bias')!;
    // A bias on the zero classifier adds a constant per class everywhere (align-corners bilinear keeps constants).
    bias.assign(tf.tensor1d([0.5, -1, 2]));
    const after = tf.tidy(() => m.forward(x, { training: false }).logits);
    const d = await tf.tidy(() => tf.sub(after, before)).data();
    for (let i = 0; i < d.length; i++) expect(d[i]).toBeCloseTo([0.5, -1, 2][i % 3]!, 5);
    tf.dispose([x, before, after]);
    disposeParams(m.store);
  });

  it('a gradient reaches every refinement weight once its classifier is not zero; no tensor leaks per forward', () => {
    // reduce: kernel, BN γ, β; conv: kernel, γ, β; classifier: kernel, bias
    expect(gradientReach(REFINED, 'refine.', 'refine.cls.kernel')).toEqual({ count: 8, unreached: [] });
  });
});

describe('the teacher’s full-resolution refinement stage', () => {
  it('adds exactly its layers, counted by hand: 3×3 3→2 + BN on the image, 3×3 (3 + 2)→2 + BN, a 1×1 classifier 2→3 with bias', () => {
    const { params, macs } = added(REFINED, FULL);
    // detail 9·3·2 + 2·2 = 58; conv 9·5·2 + 2·2 = 94; classifier 2·3 + 3 = 9
    expect(params).toBe(58 + 94 + 9);
    // all three at the input's 32×64
    expect(macs).toBe((9 * 3 * 2 + 9 * 5 * 2 + 2 * 3) * 32 * 64);
  });

  it('starts as the model it is built on (zero classifier); its bias shifts the logits by exactly that constant', async () => {
    const refined = buildTeacher(REFINED, 5);
    const full = buildTeacher(FULL, 5);
    for (const [n, v] of refined.store.trainable) full.store.trainable.get(n)!.assign(v);
    for (const [n, v] of refined.store.state) full.store.state.get(n)!.assign(v);
    const x = tf.randomNormal([2, 32, 64, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const a = tf.tidy(() => refined.forward(x, { training: false }).logits);
    const b = tf.tidy(() => full.forward(x, { training: false }).logits);
    expect(await tf.tidy(() => tf.max(tf.abs(tf.sub(a, b)))).data()).toEqual(new Float32Array([0]));
    full.store.trainable.get('refine.full.cls.bias')!.assign(tf.tensor1d([1, 0.25, -3]));
    const c = tf.tidy(() => full.forward(x, { training: false }).logits);
    const d = await tf.tidy(() => tf.sub(c, b)).data();
    for (let i = 0; i < d.length; i++) expect(d[i]).toBeCloseTo([1, 0.25, -3][i % 3]!, 5);
    tf.dispose([x, a, b, c]);
    disposeParams(refined.store);
    disposeParams(full.store);
  });

  it('a gradient reaches every weight of the stage; it is refused without the 1/2 refinement', () => {
    expect(gradientReach(FULL, 'refine.full.', 'refine.full.cls.kernel')).toEqual({ count: 8, unreached: [] });
    expect(() => buildTeacher({ ...TINY, refineFull: 2 }, 0)).toThrow(/needs the 1\/2 one/);
  });
});
