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

describe('the teacher with a 1/2-resolution refinement head', () => {
  it('adds exactly its layers, counted by hand: 1×1 14→3 + BN, 3×3 (3 + stem 2)→3 + BN, a 1×1 classifier 3→3 with bias', () => {
    const plain = buildTeacher(TINY, 0);
    const before = tf.memory().numTensors;
    const refined = buildTeacher(REFINED, 0);
    // Building leaves exactly its variables behind (no temporary of the zero initialisation).
    expect(tf.memory().numTensors - before).toBe(refined.store.trainable.size + refined.store.state.size);
    // reduce 14·3 + 2·3 = 48; conv 9·5·3 + 2·3 = 141; classifier 3·3 + 3 = 12
    expect(countParams(refined.store) - countParams(plain.store)).toBe(48 + 141 + 12);
    expect(segCost(refined).params).toBe(countParams(refined.store));
    // MACs at 1/4 (8×16) for the reduce, at 1/2 (16×32) for the conv and classifier
    expect(segCost(refined).macs - segCost(plain).macs).toBe(14 * 3 * 8 * 16 + 9 * 5 * 3 * 16 * 32 + 3 * 3 * 16 * 32);
    disposeParams(plain.store);
    disposeParams(refined.store);
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
    const m = buildTeacher(REFINED, 7);
    const k = m.store.trainable.get('refine.cls.kernel')!;
    k.assign(tf.randomNormal(k.shape, 0, 0.1, 'float32', 9));
    const x = tf.randomNormal([2, 32, 64, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const wts = tf.randomNormal([2, 32, 64, 3], 0, 1, 'float32', 4);
    const vars = [...m.store.trainable.entries()].filter(([n]) => n.startsWith('refine.'));
    expect(vars.length).toBe(8); // reduce: kernel, BN γ, β; conv: kernel, γ, β; classifier: kernel, bias
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(m.forward(x, { training: true }).logits, wts)) as tf.Scalar,
      vars.map(([, v]) => v),
    );
    for (const [name, v] of vars)
      expect(
        tf.tidy(() => tf.max(tf.abs(grads[v.name]!)).dataSync()[0]),
        name,
      ).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    const n = tf.memory().numTensors;
    const out = m.forward(x, { training: false });
    tf.dispose([out.logits, ...out.aux, ...Object.values(out.features)]);
    expect(tf.memory().numTensors).toBe(n);
    tf.dispose([x, wts]);
    disposeParams(m.store);
  });
});

const FULL: TeacherArchitecture = { ...REFINED, refineFull: 2 };

describe('the teacher’s full-resolution refinement stage', () => {
  it('adds exactly its layers, counted by hand: 3×3 3→2 + BN on the image, 3×3 (3 + 2)→2 + BN, a 1×1 classifier 2→3 with bias', () => {
    const refined = buildTeacher(REFINED, 0);
    const before = tf.memory().numTensors;
    const full = buildTeacher(FULL, 0);
    expect(tf.memory().numTensors - before).toBe(full.store.trainable.size + full.store.state.size);
    // detail 9·3·2 + 2·2 = 58; conv 9·5·2 + 2·2 = 94; classifier 2·3 + 3 = 9
    expect(countParams(full.store) - countParams(refined.store)).toBe(58 + 94 + 9);
    expect(segCost(full).params).toBe(countParams(full.store));
    // all three at the input's 32×64
    expect(segCost(full).macs - segCost(refined).macs).toBe((9 * 3 * 2 + 9 * 5 * 2 + 2 * 3) * 32 * 64);
    disposeParams(refined.store);
    disposeParams(full.store);
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
    const m = buildTeacher(FULL, 7);
    const k = m.store.trainable.get('refine.full.cls.kernel')!;
    k.assign(tf.randomNormal(k.shape, 0, 0.1, 'float32', 9));
    const x = tf.randomNormal([2, 32, 64, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const wts = tf.randomNormal([2, 32, 64, 3], 0, 1, 'float32', 4);
    const vars = [...m.store.trainable.entries()].filter(([n]) => n.startsWith('refine.full.'));
    expect(vars.length).toBe(8);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(m.forward(x, { training: true }).logits, wts)) as tf.Scalar,
      vars.map(([, v]) => v),
    );
    for (const [name, v] of vars)
      expect(
        tf.tidy(() => tf.max(tf.abs(grads[v.name]!)).dataSync()[0]),
        name,
      ).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads), x, wts]);
    disposeParams(m.store);
    expect(() => buildTeacher({ ...TINY, refineFull: 2 }, 0)).toThrow(/needs the 1\/2 one/);
  });
});
