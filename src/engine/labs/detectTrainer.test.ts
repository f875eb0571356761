import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Box } from '../detect/boxes';
import { segImagesTensor } from '../data/segBatcher';
import { gatherDetectBatch } from '../detect/detectBatch';
import type { DetectBox, DetectDataset, DetectSplit } from '../data/detectDataset';
import type { DetectArchitectureOptions } from '../models/detect/detectArch';
import { buildDetector } from '../models/detect/detector';
import { disposeParams } from '../models/params';
import { mulberry32 } from '../random';
import { registerWasmTrainingKernels } from '../wasm/trainingKernels';
import { DetectTrainer, copyDetectorWeights, type DetectTrainerOptions, heightBandScores, PERSON_HEIGHT_BANDS } from './detectTrainer';
import { PERSON_HEIGHT_BAND_LABELS } from '../../protocol/labs/detect';

const H = 64;
const W = 64;
const ARCH: DetectArchitectureOptions = {
  widthMultiplier: 0.25,
  d: 16,
  encoder: { kind: 'transformer', layers: 1, heads: 2, ffn: 32 },
  decoder: { layers: 2, heads: 2, ffn: 32, queries: 6 },
};

/** Noise images with each box painted as a bright rectangle (colour per image); boxes from `boxesOf(i)`. */
function toySplit(count: number, seed: number, boxesOf: (i: number) => Box[], ignoreOf: (i: number, j: number) => boolean = () => false): DetectSplit {
  const rng = mulberry32(seed);
  const images = new Uint8Array(count * H * W * 3);
  const boxes: DetectBox[][] = [];
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < H * W * 3; p++) images[i * H * W * 3 + p] = 40 + Math.floor(rng() * 60);
    const bs = boxesOf(i);
    const colour = [200 + Math.floor(rng() * 55), 60 + Math.floor(rng() * 80), 30 + Math.floor(rng() * 40)];
    for (const [cx, cy, w, h] of bs) {
      for (let y = Math.round((cy - h / 2) * H); y < Math.round((cy + h / 2) * H); y++)
        for (let x = Math.round((cx - w / 2) * W); x < Math.round((cx + w / 2) * W); x++)
          for (let c = 0; c < 3; c++) images[((i * H + y) * W + x) * 3 + c] = colour[c]!;
    }
    boxes.push(bs.map(([cx, cy, w, h], j) => ({ cx, cy, w, h, ignore: ignoreOf(i, j) })));
  }
  return { images, boxes, count };
}

/** 1–2 boxes per image at varying places, the second one of every third image ignored. */
function variedDataset(train: number, test: number): DetectDataset {
  const boxesOf = (i: number): Box[] => {
    const a: Box = [0.25 + 0.05 * (i % 5), 0.4 + 0.03 * (i % 4), 0.3, 0.5];
    return i % 2 === 0 ? [a] : [a, [0.75, 0.6 - 0.02 * (i % 3), 0.2, 0.3]];
  };
  return {
    name: 'toy-varied',
    height: H,
    width: W,
    train: toySplit(train, 1, boxesOf, (i, j) => j === 1 && i % 3 === 0),
    test: toySplit(test, 2, boxesOf, (i, j) => j === 1 && i % 3 === 0),
  };
}

/** One big box per image in a fixed position (off-centre, so an untrained model's ~(0.5, 0.5, 0.5, 0.5) boxes miss it). */
const FIXED: Box = [0.32, 0.34, 0.44, 0.5];
function fixedDataset(train: number, test: number): DetectDataset {
  return { name: 'toy-fixed', height: H, width: W, train: toySplit(train, 3, () => [FIXED]), test: toySplit(test, 4, () => [FIXED]) };
}

const options = (o: Partial<DetectTrainerOptions> = {}): DetectTrainerOptions => ({ architecture: ARCH, seed: 5, batchSize: 2, flip: true, ...o });

async function values(v: tf.Variable): Promise<Float32Array> {
  return (await v.data()) as Float32Array;
}

describe('DetectTrainer (TECHNIQUES.md §4)', () => {
  it('a step changes the weights with a finite loss, leaks no tensors across steps, and dispose frees everything', async () => {
    const before = tf.memory().numTensors;
    const t = new DetectTrainer(options({ hyperparams: { lr: 1e-3 } }), variedDataset(6, 2));
    const names = ['heads.class.kernel', 'decoder.queries', [...t.model.store.trainable.keys()].find((n) => n.startsWith('backbone.'))!];
    const w0 = await Promise.all(names.map((n) => values(t.model.store.trainable.get(n)!)));
    const r1 = await t.step();
    expect(Number.isFinite(r1.loss)).toBe(true);
    expect(r1.layers).toHaveLength(2);
    expect(r1.loss).toBeCloseTo(r1.layers[0]!.total + r1.layers[1]!.total, 4);
    for (const l of r1.layers) expect(l.total).toBeCloseTo(l.ce + 5 * l.l1 + 2 * l.giou, 4);
    expect(r1.matched).toBeGreaterThan(0);
    expect(r1.ms).toBeGreaterThan(0);
    const w1 = await Promise.all(names.map((n) => values(t.model.store.trainable.get(n)!)));
    names.forEach((n, i) => expect(w1[i], n).not.toEqual(w0[i]));
    await t.step();
    const n2 = tf.memory().numTensors;
    for (let s = 3; s <= 5; s++) await t.step();
    expect(tf.memory().numTensors).toBe(n2);
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('the probe pass matching equals the matching of the gradient pass outputs; BN running stats move once per step', async () => {
    // Whole training split in one unflipped batch: the batch (up to order) is known, so the BN check can replay it.
    const data = variedDataset(4, 2);
    const t = new DetectTrainer(options({ batchSize: 4, flip: false }), data);
    const ref = buildDetector(t.model.architecture, 0);
    copyDetectorWeights(t.model, ref);
    const r = await t.step({ check: true });
    const c = r.check!;
    console.log(`two-pass max |Δ output| = ${c.maxOutputDiff}, matches per layer ${JSON.stringify(c.probe)}`);
    expect(c.maxOutputDiff).toBeLessThan(1e-5);
    expect(c.gradientPass).toEqual(c.probe);
    // Ignore boxes are not targets: only the non-ignored boxes get a query.
    const targets = data.train.boxes.flat().filter((b) => !b.ignore).length;
    expect(targets).toBeLessThan(data.train.boxes.flat().length);
    expect(r.matched).toBe(targets);
    // One training forward of the pre-step copy on the same images (BN moments do not depend on the order) moves the
    // running statistics exactly as the whole step (probe + gradient pass) did: the probe's update is undone.
    const x = segImagesTensor(data.train.images, 4, H, W);
    const out = ref.forward(x, { training: true });
    tf.dispose([x, ...out.logits, ...out.boxes]);
    let maxDiff = 0;
    for (const [name, v] of ref.store.state) {
      const [a, b] = await Promise.all([v.data(), t.model.store.state.get(name)!.data()]);
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!)));
    }
    expect(maxDiff).toBeLessThan(1e-4);
    disposeParams(ref.store);
    t.dispose();
  }, 60_000);

  it('live changes apply at the next step: lr 0 freezes the weights, eosCoef 0 vs 0.1 gives the hand-computed CE', async () => {
    const data = variedDataset(4, 2);
    const t = new DetectTrainer(options({ batchSize: 4, flip: false, hyperparams: { lr: 1e-3 } }), data);
    await t.step();
    t.setHyperparams({ lr: 0 });
    const k = t.model.store.trainable.get('heads.class.kernel')!;
    const a = await values(k);
    const ce: Record<number, number> = {};
    for (const eos of [0, 0.1]) {
      t.setHyperparams({ eosCoef: eos });
      const r = await t.step({ check: true });
      expect(r.lr).toBe(0);
      expect(await values(k)).toEqual(a);
      // CE = Σ w·(−log p_target) / Σ w with w = 1 on matched queries (target person), eos elsewhere (target no-object).
      r.check!.logits.forEach((lg, l) => {
        const n = lg.length / 2;
        const perImage = t.model.architecture.decoder.queries;
        const matched = new Set<number>();
        r.check!.probe[l]!.forEach((m, b) => m.queries.forEach((q) => matched.add(b * perImage + q)));
        let num = 0;
        let den = 0;
        for (let q = 0; q < n; q++) {
          const m = Math.max(lg[2 * q]!, lg[2 * q + 1]!);
          const lse = m + Math.log(Math.exp(lg[2 * q]! - m) + Math.exp(lg[2 * q + 1]! - m));
          if (matched.has(q)) {
            num += lse - lg[2 * q]!;
            den += 1;
          } else {
            num += eos * (lse - lg[2 * q + 1]!);
            den += eos;
          }
        }
        expect(r.layers[l]!.ce, `layer ${l} eos ${eos}`).toBeCloseTo(num / den, 4);
      });
      ce[eos] = r.layers[1]!.ce;
    }
    expect(ce[0]).not.toBeCloseTo(ce[0.1]!, 3);
    t.setHyperparams({ lr: 1e-3 });
    await t.step();
    expect(await values(k)).not.toEqual(a);
    t.dispose();
  }, 60_000);

  it('on one big fixed box per image, the loss falls and AP@0.5 rises over 30 steps', async () => {
    const t = new DetectTrainer(
      options({ batchSize: 4, flip: false, seed: 2, hyperparams: { lr: 2e-3 }, architecture: { ...ARCH, decoder: { ...ARCH.decoder!, queries: 4 } } }),
      fixedDataset(8, 4),
    );
    const e0 = await t.evaluate();
    const losses: number[] = [];
    for (let s = 0; s < 30; s++) losses.push((await t.step()).loss);
    const e1 = await t.evaluate();
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    console.log(`losses ${losses.map((l) => l.toFixed(3)).join(' ')}`);
    console.log(`AP@0.5 ${e0.ap50} → ${e1.ap50}, AP ${e0.ap} → ${e1.ap}, recall@20 ${e0.recall20} → ${e1.recall20}`);
    expect(mean(losses.slice(-5))).toBeLessThan(0.8 * mean(losses.slice(0, 5)));
    expect(e1.ap50!).toBeGreaterThan(e0.ap50! + 0.2);
    t.dispose();
  }, 180_000);

  it('evaluate gives AP in [0, 1] and recall@20; predict keeps only queries above the threshold, with attention maps', async () => {
    const data = variedDataset(4, 3);
    const t = new DetectTrainer(options(), data);
    await t.step();
    const ev = await t.evaluate();
    for (const v of [ev.ap50, ev.ap, ev.recall20]) {
      expect(v).not.toBeNull();
      expect(v!).toBeGreaterThanOrEqual(0);
      expect(v!).toBeLessThanOrEqual(1);
    }
    expect(ev.count).toBe(3);
    const q = t.model.architecture.decoder.queries;
    t.setHyperparams({ scoreThreshold: 0 });
    expect((await t.evaluate()).meanAboveThreshold).toBe(q);
    const all = await t.predict(data.test.images, 3, { attention: true });
    expect(all.images.map((ps) => ps.length)).toEqual([q, q, q]);
    expect(all.map).toEqual({ height: 2, width: 2 });
    for (const p of all.images[0]!) {
      expect(p.attention).toHaveLength(4);
      expect(p.attention!.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 4);
      expect(p.pixels[2] - p.pixels[0]).toBeCloseTo(p.box[2] * W, 3);
    }
    const scores = all.images.flat().map((p) => p.score);
    const mid = [...scores].sort((a, b) => a - b)[Math.floor(scores.length / 2)]!;
    t.setHyperparams({ scoreThreshold: mid });
    const some = await t.predict(data.test.images, 3);
    const kept = some.images.flat();
    expect(kept.length).toBe(scores.filter((s) => s > mid).length);
    for (const p of kept) {
      expect(p.score).toBeGreaterThan(mid);
      expect(p.attention).toBeUndefined();
    }
    t.setHyperparams({ scoreThreshold: 1 });
    expect((await t.predict(data.test.images, 3)).images.flat()).toHaveLength(0);
    t.dispose();
  }, 60_000);

  it('a flipped batch mirrors the image and the boxes (cx → 1 − cx)', () => {
    const split = variedDataset(2, 1).train;
    const b = gatherDetectBatch(split, [1, 0], H, W, [true, false]);
    expect(b.boxes[0]!.map((x) => x.cx)).toEqual(split.boxes[1]!.map((x) => 1 - x.cx));
    expect(b.boxes[0]!.map((x) => [x.cy, x.w, x.h, x.ignore])).toEqual(split.boxes[1]!.map((x) => [x.cy, x.w, x.h, x.ignore]));
    expect(b.boxes[1]).toEqual(split.boxes[0]);
    const px = (img: Uint8Array, i: number, y: number, x: number) => img[((i * H + y) * W + x) * 3];
    expect(px(b.images, 0, 10, 3)).toBe(px(split.images, 1, 10, W - 1 - 3));
    expect(px(b.images, 1, 10, 3)).toBe(px(split.images, 0, 10, 3));
  });

  describe('on the wasm backend', () => {
    afterAll(async () => {
      await tf.setBackend('cpu');
    });

    it('two steps give the losses and weights of the cpu backend (the loss selects matched boxes without tf.gather)', async () => {
      const run = async () => {
        const t = new DetectTrainer(options({ batchSize: 4, flip: true, hyperparams: { lr: 1e-3 } }), variedDataset(6, 2));
        const losses = [(await t.step()).loss, (await t.step()).loss];
        const w = await values(t.model.store.trainable.get('heads.box.2.kernel')!);
        t.dispose();
        return { losses, w };
      };
      await tf.setBackend('cpu');
      const ref = await run();
      await import('@tensorflow/tfjs-backend-wasm');
      registerWasmTrainingKernels();
      await tf.setBackend('wasm');
      const got = await run();
      got.losses.forEach((l, i) => expect(l).toBeCloseTo(ref.losses[i]!, 3));
      let maxDiff = 0;
      ref.w.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - got.w[i]!))));
      expect(maxDiff).toBeLessThan(1e-4);
    }, 60_000);
  });
});

describe('heightBandScores', () => {
  it('scores each person height band on its own (by hand, 128-px frame: bands end at 16 and 42.7 px)', () => {
    // A 10-px person (band 1), a 30-px one (band 2) found, a 100-px one (band 3) missed, plus a crowd region of 60 px.
    const gts = [
      { imageId: 0, box: [0, 0, 4, 10] as Box },
      { imageId: 0, box: [10, 0, 20, 30] as Box },
      { imageId: 0, box: [30, 0, 60, 100] as Box },
      { imageId: 0, box: [100, 0, 140, 60] as Box, crowd: true },
    ];
    const dets = [
      { imageId: 0, box: [10, 0, 20, 30] as Box, score: 0.9 },
      { imageId: 0, box: [200, 0, 230, 100] as Box, score: 0.8 }, // a tall box on nothing: an FP of band 3 only
    ];
    const bands = heightBandScores(dets, gts, 128);
    expect(bands.map((b) => b.label)).toEqual(PERSON_HEIGHT_BANDS.map((b) => b.label));
    expect(PERSON_HEIGHT_BANDS.map((b) => b.label)).toEqual([...PERSON_HEIGHT_BAND_LABELS]); // the charts' names
    expect(bands.map((b) => b.people)).toEqual([1, 1, 1]);
    [0, 1, 0].forEach((ap, i) => expect(bands[i]!.ap50).toBeCloseTo(ap, 12));
    expect(bands.map((b) => b.recall20)).toEqual([0, 1, 0]);
  });
});
