import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { segImagesTensor } from '../data/segBatcher';
import type { SegDataset } from '../data/segDataset';
import { disposeParams } from '../models/params';
import { createSegModel } from '../models/seg/registry';
import { loadSegModel, serializeSegModel, type SegProvenance } from '../models/seg/segSerialize';
import { SEGMENT_LAB } from '../../protocol/labs/segment';
import { faLoss } from '../techniques/affinity';
import { adaptFeature } from '../techniques/affinityTerm';
import { lovaszSoftmax } from '../techniques/lovasz';
import { medianFrequencyWeights } from '../data/classBalance';
import { CLASS_WEIGHT_CAP, SegTrainer, classWeightsOf, polyLr, segHyperparamsOf } from './segTrainer';

const H = 32;
const W = 64;
/** Sky (0) above a horizon at row 10 + i % 6, road (1) below, a "car" (2) box; colours carry the class. */
function toyDataset(count: number): SegDataset {
  const make = (n: number, offset: number) => {
    const images = new Uint8Array(n * H * W * 3);
    const labels = new Uint8Array(n * H * W);
    for (let k = 0; k < n; k++) {
      const horizon = 10 + ((k + offset) % 6);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const car = y > horizon + 4 && y < horizon + 12 && x > 8 + k * 3 && x < 28 + k * 3;
          const c = y < horizon ? 0 : car ? 2 : 1;
          const p = k * H * W + y * W + x;
          labels[p] = x === 0 ? 255 : c;
          const rgb = [
            [90, 150, 230],
            [80, 80, 80],
            [200, 30, 30],
          ][c]!;
          for (let ch = 0; ch < 3; ch++) images[p * 3 + ch] = rgb[ch]! + ((x * 7 + y * 3 + ch) % 11);
        }
      }
    }
    return { images, labels, count: n };
  };
  return {
    name: 'toy',
    classNames: ['sky', 'road', 'car'],
    palette: [
      [0, 0, 255],
      [128, 128, 128],
      [255, 0, 0],
    ],
    height: H,
    width: W,
    ignoreLabel: 255,
    train: make(count, 0),
    test: make(4, 3),
  };
}

const opts = {
  upscale: 'bilinear' as const,
  width: 1 / 16,
  seed: 3,
  batchSize: 2,
  totalSteps: 40,
  flip: true,
  hyperparams: { ...segHyperparamsOf(SEGMENT_LAB.defaults()), lr: 0.05 },
};
const trainers: SegTrainer[] = [];
afterEach(() => {
  for (const t of trainers.splice(0)) t.dispose();
});

describe('SegTrainer (§2)', () => {
  it('poly schedule: lr · (1 − step/total)^0.9', () => {
    expect(polyLr(0.1, 0, 100)).toBeCloseTo(0.1, 12);
    expect(polyLr(0.1, 50, 100)).toBeCloseTo(0.1 * Math.pow(0.5, 0.9), 12);
    expect(polyLr(0.1, 100, 100)).toBe(0);
  });

  it('lowers the loss of a student on a toy task and leaks no tensor per step', async () => {
    const t = new SegTrainer({ ...opts, kind: 'student', hyperparams: { ...opts.hyperparams, ohemThreshold: 1 } }, toyDataset(8));
    trainers.push(t);
    const first = await t.step();
    expect(first.parts!.kd).toBe(0);
    expect(first.parts!.aux).toBeGreaterThan(0);
    expect(first.loss).toBeCloseTo(first.parts!.ce + first.parts!.aux, 4);
    const before = tf.memory().numTensors;
    const losses = [first.loss];
    let last = first;
    for (let i = 0; i < 24; i++) {
      last = await t.step();
      losses.push(last.loss);
    }
    expect(tf.memory().numTensors).toBe(before);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-5))).toBeLessThan(0.7 * mean(losses.slice(0, 5)));
    expect(last.lr).toBeCloseTo(polyLr(0.05, 24, 40), 10);
  });

  it('class balancing: median-frequency weights from the training labels in the label CE, no tensor leaked, freed on dispose', async () => {
    const data = toyDataset(4);
    const baseline = tf.memory().numTensors;
    const hp = { ...opts.hyperparams, ohemThreshold: 1, auxWeight: 0 };
    const plain = new SegTrainer({ ...opts, kind: 'student', hyperparams: hp }, data);
    const balanced = new SegTrainer({ ...opts, kind: 'student', hyperparams: hp, classBalance: 'median-frequency' }, data);
    expect(balanced.classWeights).toEqual(Array.from(medianFrequencyWeights(data.train.labels, H * W, 3, { maxWeight: CLASS_WEIGHT_CAP })));
    expect(plain.classWeights).toBeNull();
    // The car (class 2) is the rare class of the toy scenes: it weighs most.
    expect(balanced.classWeights![2]).toBeGreaterThan(balanced.classWeights![1]!);
    const [a, b] = [await plain.step(), await balanced.step()]; // same seed: same init and batch
    expect(Math.abs(a.parts!.ce - b.parts!.ce)).toBeGreaterThan(1e-3);
    const before = tf.memory().numTensors;
    await balanced.step();
    expect(tf.memory().numTensors).toBe(before);
    plain.dispose();
    balanced.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('square-root balancing: each weight is √ of the capped median-frequency weight (by hand), none gives null', () => {
    // Two 4-pixel images [0 0 0 1] and [0 2 2 ignore]: median-frequency weights 1, 2, 1 and 1 for the absent class 3.
    const labels = Uint8Array.from([0, 0, 0, 1, 0, 2, 2, 255]);
    expect(classWeightsOf('median-frequency', labels, 4, 4)).toEqual([1, 2, 1, 1]);
    expect(classWeightsOf('sqrt-median-frequency', labels, 4, 4)).toEqual([1, Math.SQRT2, 1, 1]);
    expect(classWeightsOf('none', labels, 4, 4)).toBeNull();
    // A class of 1 pixel in 64: its weight 32 is capped at 10 before the root, so √10.
    const rare = new Uint8Array(64).fill(0);
    rare[0] = 1;
    const w = classWeightsOf('sqrt-median-frequency', rare, 64, 2)!;
    expect(w[1]).toBeCloseTo(Math.sqrt(CLASS_WEIGHT_CAP), 6);
  });

  it('adds α·T²·KL to a distilled model only when α > 0, and never trains the source', async () => {
    const data = toyDataset(4);
    const source = createSegModel('teacher', { numClasses: 3, height: H, width: W, widthMultiplier: 1 / 16, seed: 9 });
    const frozen = await Promise.all([...source.store.trainable.values()].map((v) => v.data()));
    const t = new SegTrainer({ ...opts, kind: 'tutor', source }, data);
    trainers.push(t);
    const r = await t.step();
    expect(r.parts!.kd).toBeGreaterThan(0);
    expect(r.loss).toBeCloseTo(r.parts!.ce + r.parts!.aux + r.parts!.kd, 4);
    t.setHyperparams({ alpha: 0 });
    expect((await t.step()).parts!.kd).toBe(0);
    const after = await Promise.all([...source.store.trainable.values()].map((v) => v.data()));
    after.forEach((a, i) => expect(Array.from(a)).toEqual(Array.from(frozen[i]!)));
    disposeParams(source.store);
  });

  it('adds the affinity term at the 1/8 features: weight · FA(adapter(F_S), F_src), the same engine function, recomputed here', async () => {
    const data = toyDataset(4);
    const source = createSegModel('teacher', { numClasses: 3, height: H, width: W, widthMultiplier: 1 / 16, seed: 9 });
    // The whole training split in one batch without flips: BN batch statistics and FA₂ (a sum over the batch) do not
    // depend on the batcher's order, so the expected value can be computed on the split as stored.
    const hp = { ...opts.hyperparams, alpha: 0, affinityWeight: 2.5 };
    const t = new SegTrainer({ ...opts, kind: 'student', batchSize: 4, flip: false, hyperparams: hp, source, affinity: { loss: 'fa', order: 2 } }, data);
    trainers.push(t);
    const adapter = t.affinityAdapter!;
    const adapterBefore = await adapter.kernel.data();
    const expected = tf.tidy(() => {
      const x = segImagesTensor(data.train.images, 4, H, W);
      const fs = t.model.forward(x, { training: true }).features.f8!;
      const ft = source.forward(x, { training: false }).features.f8!;
      expect(fs.shape.slice(1, 3)).toEqual([H / 8, W / 8]);
      return faLoss(adaptFeature(adapter, fs), ft, 2);
    });
    const want = (await expected.data())[0]! * 2.5;
    expected.dispose();
    const r = await t.step();
    expect(r.parts.affinity).toBeGreaterThan(0);
    expect(r.parts.affinity).toBeCloseTo(want, 4);
    expect(r.parts.kd).toBe(0);
    expect(r.loss).toBeCloseTo(r.parts.ce + r.parts.aux + r.parts.affinity, 4);
    // The adapter trains with the student.
    const adapterAfter = await adapter.kernel.data();
    expect(Array.from(adapterAfter)).not.toEqual(Array.from(adapterBefore));
    t.setHyperparams({ affinityWeight: 0 });
    expect((await t.step()).parts.affinity).toBe(0);
    disposeParams(source.store);
  });

  it('adds lovaszWeight · Lovász-softmax of the main logits (the engine function, recomputed here), live, no tensor leaked', async () => {
    const data = toyDataset(4);
    const hp = { ...opts.hyperparams, lovaszWeight: 0.75 };
    // The whole split in one batch without flips, as above, so the expected value does not depend on the batcher.
    const t = new SegTrainer({ ...opts, kind: 'teacher', batchSize: 4, flip: false, hyperparams: hp }, data);
    trainers.push(t);
    const expected = tf.tidy(() => {
      const x = segImagesTensor(data.train.images, 4, H, W);
      const y = tf.tensor3d(data.train.labels, [4, H, W], 'int32');
      return lovaszSoftmax(t.model.forward(x, { training: true }).logits, y);
    });
    const want = (await expected.data())[0]! * 0.75;
    expected.dispose();
    const r = await t.step();
    expect(r.parts.lovasz).toBeGreaterThan(0);
    expect(r.parts.lovasz).toBeCloseTo(want, 4);
    expect(r.loss).toBeCloseTo(r.parts.ce + r.parts.aux + r.parts.lovasz, 4);
    const before = tf.memory().numTensors;
    await t.step();
    expect(tf.memory().numTensors).toBe(before);
    t.setHyperparams({ lovaszWeight: 0 });
    expect((await t.step()).parts.lovasz).toBe(0);
  });

  it('starts from given weights (init): the same logits before a step; another architecture is refused and leaks nothing', async () => {
    const data = toyDataset(4);
    const from = createSegModel('teacher', { numClasses: 3, height: H, width: W, widthMultiplier: 1 / 16, seed: 21 });
    const t = new SegTrainer({ ...opts, kind: 'teacher', init: from }, data);
    trainers.push(t);
    const x = segImagesTensor(data.test.images, 4, H, W);
    const [a, b] = tf.tidy(() => [from.forward(x, { training: false }).logits, t.model.forward(x, { training: false }).logits]);
    expect(Array.from(await b!.data())).toEqual(Array.from(await a!.data()));
    tf.dispose([a!, b!]);
    const baseline = tf.memory().numTensors;
    expect(() => new SegTrainer({ ...opts, kind: 'teacher', width: 1 / 8, init: from }, data)).toThrow(
      /Cannot start from the given teacher: its weight '.+' is missing or has another shape/,
    );
    expect(tf.memory().numTensors).toBe(baseline);
    x.dispose();
    disposeParams(from.store);
  });

  it('a teacher given a refinement head starts from a plain one (same logits: its classifier starts at zero); the reverse is refused', async () => {
    const data = toyDataset(4);
    const plain = createSegModel('teacher', { numClasses: 3, height: H, width: W, widthMultiplier: 1 / 16, seed: 21 });
    const t = new SegTrainer({ ...opts, kind: 'teacher', refine: 4, init: plain }, data);
    trainers.push(t);
    expect(t.model.architecture).toMatchObject({ model: 'seg-teacher', refine: 4 });
    expect([...t.model.store.trainable.keys()].filter((n) => n.startsWith('refine.')).length).toBeGreaterThan(0);
    const x = segImagesTensor(data.test.images, 4, H, W);
    const [a, b] = tf.tidy(() => [plain.forward(x, { training: false }).logits, t.model.forward(x, { training: false }).logits]);
    const pa = await a!.data(),
      pb = await b!.data();
    for (let i = 0; i < pa.length; i++) expect(pb[i]).toBeCloseTo(pa[i]!, 5);
    tf.dispose([a!, b!]);
    const baseline = tf.memory().numTensors;
    expect(() => new SegTrainer({ ...opts, kind: 'teacher', init: t.model }, data)).toThrow(
      /Cannot start from the given teacher: it has a weight 'refine\..+' the new model lacks/,
    );
    expect(tf.memory().numTensors).toBe(baseline);
    // A step trains the head: its classifier leaves zero.
    await t.step();
    const k = t.model.store.trainable.get('refine.cls.kernel')!;
    expect(tf.tidy(() => tf.max(tf.abs(k)).dataSync()[0])).toBeGreaterThan(0);
    // The full-resolution stage starts from the refined teacher (its own weights as built, its classifier at zero) and
    // from the plain one; a refined teacher without it refuses a source that has it.
    const full = new SegTrainer({ ...opts, kind: 'teacher', refine: 4, refineFull: 2, init: t.model }, data);
    trainers.push(full);
    expect(full.model.architecture).toMatchObject({ refine: 4, refineFull: 2 });
    const [c, d] = tf.tidy(() => [t.model.forward(x, { training: false }).logits, full.model.forward(x, { training: false }).logits]);
    const pc = await c!.data(),
      pd = await d!.data();
    for (let i = 0; i < pc.length; i++) expect(pd[i]).toBeCloseTo(pc[i]!, 5);
    tf.dispose([c!, d!]);
    trainers.push(new SegTrainer({ ...opts, kind: 'teacher', refine: 4, refineFull: 2, init: plain }, data));
    expect(() => new SegTrainer({ ...opts, kind: 'teacher', refine: 4, init: full.model }, data)).toThrow(
      /Cannot start from the given teacher: it has a weight 'refine\.full\..+' the new model lacks/,
    );
    x.dispose();
    disposeParams(plain.store);
  });

  it("a student starts from a tutor's embedded student: its logits are the tutor's student-head (aux) logits; another upscaling variant is refused", async () => {
    const data = toyDataset(4);
    const tutor = createSegModel('tutor', { numClasses: 3, height: H, width: W, widthMultiplier: 1 / 16, seed: 9 });
    const t = new SegTrainer({ ...opts, kind: 'student', init: tutor }, data);
    trainers.push(t);
    for (const [name, v] of t.model.store.trainable) expect(Array.from(v.dataSync())).toEqual(Array.from(tutor.store.trainable.get(name)!.dataSync()));
    // The tutor's third aux output, which exists in training mode only, is its embedded student head at full size: the
    // student's own logits. Both run in training mode (batch statistics).
    const x = segImagesTensor(data.test.images, 4, H, W);
    const [mine, theirs] = tf.tidy(() => {
      const s = t.model.forward(x, { training: true }).logits;
      return [s, tutor.forward(x, { training: true }).aux[2]!];
    });
    const [pm, pt] = [await mine!.data(), await theirs!.data()];
    for (let i = 0; i < pm.length; i += 37) expect(pm[i]).toBeCloseTo(pt[i]!, 4);
    tf.dispose([mine!, theirs!, x]);
    const baseline = tf.memory().numTensors;
    expect(() => new SegTrainer({ ...opts, kind: 'student', upscale: 'ps-agg', init: tutor }, data)).toThrow(/Cannot start from the given tutor/);
    expect(tf.memory().numTensors).toBe(baseline);
    disposeParams(tutor.store);
  });

  it('FFA at the 1/8 features: live k, no tensor leaked per step, everything freed on dispose', async () => {
    const data = toyDataset(4);
    const source = createSegModel('tutor', { numClasses: 3, height: H, width: W, widthMultiplier: 1 / 16, seed: 9 });
    const baseline = tf.memory().numTensors;
    const t = new SegTrainer({ ...opts, kind: 'student', source, affinity: { loss: 'ffa', order: 1 } }, data);
    const first = await t.step();
    expect(first.parts.affinity).toBeGreaterThan(0);
    expect(Number.isFinite(first.loss)).toBe(true);
    await t.step(); // the fixed Z of k = 15 now exists
    const before = tf.memory().numTensors;
    await t.step();
    expect(tf.memory().numTensors).toBe(before);
    t.setHyperparams({ affinityK: 64 });
    const wide = await t.step();
    expect(wide.parts.affinity).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before + 1); // one more fixed Z, for k = 64
    t.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    disposeParams(source.store);
  });

  it('evaluates mIoU from the confusion matrix of its own predictions (recomputed here by hand)', async () => {
    const data = toyDataset(4);
    const t = new SegTrainer({ ...opts, kind: 'student' }, data);
    trainers.push(t);
    for (let i = 0; i < 5; i++) await t.step();
    const ev = await t.evaluate();
    const x = segImagesTensor(data.test.images, data.test.count, H, W);
    const pred = tf.tidy(() => tf.argMax(t.model.forward(x, { training: false }).logits, 3));
    const p = await pred.data();
    tf.dispose([x, pred]);
    const inter = [0, 0, 0];
    const union = [0, 0, 0];
    let correct = 0;
    let counted = 0;
    for (let i = 0; i < p.length; i++) {
      const y = data.test.labels[i]!;
      if (y === 255) continue;
      counted++;
      if (p[i] === y) correct++;
      for (let c = 0; c < 3; c++) {
        if (p[i] === c && y === c) inter[c] = inter[c]! + 1;
        if (p[i] === c || y === c) union[c] = union[c]! + 1;
      }
    }
    const ious = inter.map((v, c) => (union[c]! > 0 ? v / union[c]! : null));
    const present = ious.filter((v): v is number => v !== null);
    expect(ev.accuracy).toBeCloseTo(correct / counted, 10);
    expect(ev.seg!.mIoU).toBeCloseTo(present.reduce((a, b) => a + b, 0) / present.length, 10);
    expect(ev.seg!.perClassIoU).toEqual(ious.map((v) => (v === null ? null : expect.closeTo(v, 10))));
  });

  it('writes and reads back a model with its provenance (same logits), and refuses a damaged file', async () => {
    const m = createSegModel('student', { numClasses: 3, height: H, width: W, widthMultiplier: 1 / 16, upscale: 'pixelshuffle', seed: 4 });
    const prov: SegProvenance = {
      slot: 'student-pixelshuffle',
      chain: 'none',
      size: 'low',
      dataset: 'toy',
      classNames: ['a', 'b', 'c'],
      palette: [
        [0, 0, 0],
        [1, 1, 1],
        [2, 2, 2],
      ],
      steps: 0,
      seed: 4,
      mIoU: 0.5,
      seconds: 1,
      origin: 'test',
    };
    const { json, weights } = await serializeSegModel(m, prov);
    const back = loadSegModel(JSON.parse(JSON.stringify(json)), weights);
    expect(back.provenance).toEqual(prov);
    const x = segImagesTensor(toyDataset(1).test.images.subarray(0, H * W * 3), 1, H, W);
    const a = tf.tidy(() => m.forward(x, { training: false }).logits);
    const b = tf.tidy(() => back.model.forward(x, { training: false }).logits);
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    expect(() => loadSegModel({ ...json, format: 'other' }, weights)).toThrow(/not a Segment-lab model/);
    expect(() => loadSegModel(json, weights.slice(4))).toThrow(/bytes but the manifest describes/);
    expect(() => loadSegModel({ ...json, provenance: { ...prov, classNames: ['a'] } }, weights)).toThrow(/predicts 3 classes but its provenance names 1/);
    // A teacher with the refinement head (its classifier off zero) keeps its architecture and logits; refine 0 is refused.
    const t = createSegModel('teacher', { numClasses: 3, height: H, width: W, widthMultiplier: 1 / 16, refine: 3, seed: 5 });
    const k = t.store.trainable.get('refine.cls.kernel')!;
    k.assign(tf.tidy(() => tf.randomNormal(k.shape, 0, 0.1, 'float32', 1)));
    const saved = await serializeSegModel(t, { ...prov, slot: 'teacher' });
    const tb = loadSegModel(JSON.parse(JSON.stringify(saved.json)), saved.weights);
    expect(tb.model.architecture).toEqual(t.architecture);
    expect(tb.model.architecture).toMatchObject({ refine: 3 });
    const [ta, tbl] = tf.tidy(() => [t.forward(x, { training: false }).logits, tb.model.forward(x, { training: false }).logits]);
    expect(Array.from(await tbl!.data())).toEqual(Array.from(await ta!.data()));
    expect(() => loadSegModel({ ...saved.json, architecture: { ...saved.json.architecture, refine: 0 } }, saved.weights)).toThrow(
      /invalid at architecture.refine/,
    );
    tf.dispose([x, a, b, ta!, tbl!]);
    disposeParams(m.store);
    disposeParams(back.model.store);
    disposeParams(t.store);
    disposeParams(tb.model.store);
  });
});
