import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DETECT_SIZE, generateDetectDataset } from '../data/detectScenes';
import type { SegSplit } from '../data/segDataset';
import { STREET_CLASSES } from '../data/streetScene';
import { DetectTrainer } from '../labs/detectTrainer';
import { detectArchitecture } from '../models/detect/detectArch';
import { buildDetector } from '../models/detect/detector';
import { disposeParams } from '../models/params';
import { BackbonePretrainer, copyBackboneWeights, generateDetectPretextSplit, PRETEXT_STRIDE, subsampleLabels } from './backbonePretrain';

const { height: H, width: W } = DETECT_SIZE;

let split: SegSplit;
beforeAll(async () => {
  split = await generateDetectPretextSplit({ seed: 1, split: 0, count: 4 });
});

const values = async (v: tf.Tensor) => Array.from(await v.data());

describe('backbone pretraining for the Detect lab', () => {
  it('renders the detection scenes with their class maps (the same images as the detection set)', async () => {
    const det = await generateDetectDataset({ seed: 1, trainSize: 4, testSize: 0 });
    expect(Buffer.from(split.images).equals(Buffer.from(det.train.images))).toBe(true);
    expect(split.labels.length).toBe(4 * H * W);
    const seen = new Set(split.labels);
    for (const c of seen) expect(c).toBeLessThan(STREET_CLASSES.length);
    expect(seen.size).toBeGreaterThanOrEqual(4);
  });

  it('subsamples labels at the centre of each 4×4 cell', () => {
    // 1 image 6×9 with value = 10·y + x.
    const [h, w] = [6, 9];
    const lab = Uint8Array.from({ length: h * w }, (_, i) => 10 * Math.floor(i / w) + (i % w));
    const out = subsampleLabels(lab, 1, h, w, PRETEXT_STRIDE);
    // ⌈6/4⌉ × ⌈9/4⌉ = 2 × 3; rows y = 2, min(5, 6) = 5; cols x = 2, 6, min(8, 10) = 8.
    expect(Array.from(out)).toEqual([22, 26, 28, 52, 56, 58]);
  });

  it('steps with a falling loss, leaks no tensor per step, and evaluates per-class IoU', async () => {
    // Two images, batch 2, no flips: every step sees the same batch (cpu backend at 128×256: ~1 s a step).
    const two: SegSplit = { images: split.images.subarray(0, 2 * H * W * 3), labels: split.labels.subarray(0, 2 * H * W), count: 2 };
    const p = new BackbonePretrainer({ widthMultiplier: 0.25, seed: 2, batchSize: 2, lr: 3e-3, steps: 6, flip: false }, two);
    const first = await p.step();
    const count = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 5; i++) last = await p.step();
    expect(tf.memory().numTensors).toBe(count);
    expect(Number.isFinite(first.loss)).toBe(true);
    expect(last.loss).toBeLessThan(first.loss);
    expect(last.lr).toBeLessThan(first.lr); // poly decay
    const ev = await p.evaluate(two, 2);
    expect(tf.memory().numTensors).toBe(count);
    expect(ev.iou).toHaveLength(STREET_CLASSES.length);
    expect(ev.pixelAccuracy).toBeGreaterThan(0);
    expect(ev.pixelAccuracy).toBeLessThanOrEqual(1);
    // Only the backbone and the pretext head are trained: the DETR parts keep their initial values.
    const fresh = buildDetector(p.model.architecture, 2);
    expect(await values(p.model.store.trainable.get('decoder.queries')!)).toEqual(await values(fresh.store.trainable.get('decoder.queries')!));
    expect(await values(p.model.store.trainable.get('backbone.stem.conv.kernel')!)).not.toEqual(
      await values(fresh.store.trainable.get('backbone.stem.conv.kernel')!),
    );
    disposeParams(fresh.store);
    // The pretext head is not part of the detector (its file loads as a plain detector).
    expect([...p.model.store.trainable.keys()].filter((k) => !k.startsWith('backbone.') && fresh.store.trainable.size > 0 && k.startsWith('pretext'))).toEqual(
      [],
    );
    p.dispose();
  }, 180_000); // ~17 s alone; generous for a shared CPU

  it('copies exactly the backbone (weights and BN statistics) into a detector and a DetectTrainer', async () => {
    const p = new BackbonePretrainer({ widthMultiplier: 0.25, seed: 3, batchSize: 2, lr: 3e-3, steps: 2 }, split);
    await p.step();
    const arch = detectArchitecture({ inputHeight: H, inputWidth: W, widthMultiplier: 0.25, d: 32, decoder: { layers: 1, heads: 2, ffn: 32, queries: 4 } });
    const target = buildDetector(arch, 9);
    const queriesBefore = await values(target.store.trainable.get('decoder.queries')!);
    const n = copyBackboneWeights(p.model, target);
    const names = [...target.store.trainable.keys(), ...target.store.state.keys()].filter((k) => k.startsWith('backbone.'));
    expect(n).toBe(names.length);
    for (const name of names) {
      const a = p.model.store.trainable.get(name) ?? p.model.store.state.get(name)!;
      const b = target.store.trainable.get(name) ?? target.store.state.get(name)!;
      expect(await values(b)).toEqual(await values(a));
    }
    expect(await values(target.store.trainable.get('decoder.queries')!)).toEqual(queriesBefore);
    const wider = buildDetector(detectArchitecture({ ...arch, widthMultiplier: 0.5 }), 9);
    expect(() => copyBackboneWeights(p.model, wider)).toThrow(/width multiplier/);
    disposeParams(wider.store);
    disposeParams(target.store);

    const det = await generateDetectDataset({ seed: 1, trainSize: 2, testSize: 2 });
    const trainer = new DetectTrainer(
      {
        architecture: { widthMultiplier: 0.25, d: 32, encoder: { kind: 'conv', layers: 1 }, decoder: { layers: 1, heads: 2, ffn: 32, queries: 4 } },
        seed: 1,
        batchSize: 2,
        initBackbone: p.model,
      },
      det,
    );
    const k = 'backbone.block3.dw.conv.kernel';
    expect(await values(trainer.model.store.trainable.get(k)!)).toEqual(await values(p.model.store.trainable.get(k)!));
    trainer.dispose();
    p.dispose();
  });
});
