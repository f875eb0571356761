import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DETECT_LAB } from '../../../protocol/labs/detect';
import type { DetectPreview } from '../../../protocol/labs/detect';
import type { DetectDataset } from '../../data/detectDataset';
import { generateDetectDataset } from '../../data/detectScenes';
import { DetectSession, type DetectSessionOptions } from './session';

/** A tiny detector: width 0.25, d 32, one encoder and one decoder layer, 4 queries. */
const OPTIONS: DetectSessionOptions = {
  architecture: {
    widthMultiplier: 0.25,
    d: 32,
    encoder: { kind: 'transformer', layers: 1, heads: 2, ffn: 64 },
    decoder: { layers: 1, heads: 2, ffn: 64, queries: 4 },
  },
  seed: 3,
  batchSize: 2,
  hyperparams: { lr: 1e-3 },
  evalBatchSize: 4,
};

let data: DetectDataset;
beforeAll(async () => {
  data = await generateDetectDataset({ seed: 1, trainSize: 8, testSize: 4 });
});

describe('DetectSession (cpu backend)', () => {
  it('reports every step series finite, leaks no tensor per step, evaluates with a preview, applies live changes, and frees everything', async () => {
    const before = tf.memory().numTensors;
    const session = new DetectSession(OPTIONS, data);
    expect(session.numParams).toBeGreaterThan(0);
    expect(session.numLayers).toBe(session.trainer.model.layers.length);

    const first = await session.step();
    const afterFirst = tf.memory().numTensors; // AdamW's moments exist from the first step on
    expect(first.values['train.lr']).toBe(1e-3);
    // Live keys are DetectHyperparams' names: lr and the loss weights take effect from the next step.
    expect(session.hyperparams.lr).toBe(1e-3);
    session.setHyperparams({ lr: 5e-4, wCE: 2, scoreThreshold: 0.3 });
    expect(session.hyperparams).toMatchObject({ lr: 5e-4, wCE: 2, scoreThreshold: 0.3 });
    const r = await session.step();
    expect(tf.memory().numTensors).toBe(afterFirst);
    expect(r.values['train.lr']).toBe(5e-4);

    const names = ['train.loss', 'train.lr', 'step.ms', 'detect.loss.ce.0', 'detect.loss.l1.0', 'detect.loss.giou.0', 'detect.matched', 'detect.gradNorm'];
    for (const report of [first, r]) {
      expect(Object.keys(report.values).sort()).toEqual([...names].sort()); // one decoder layer: no layer-1 series
      for (const n of names) expect(Number.isFinite(report.values[n as keyof typeof report.values]), n).toBe(true);
      for (const n of Object.keys(report.values)) expect(DETECT_LAB.series as readonly string[]).toContain(n);
      expect(report.batchSize).toBe(2);
      expect(report.loss).toBe(report.values['train.loss']);
      expect(report.values['detect.matched']).toBeGreaterThanOrEqual(0);
      expect(report.values['detect.matched']).toBeLessThanOrEqual(2 * 4);
    }

    const progress: number[] = [];
    const ev = await session.evaluate((f) => progress.push(f));
    expect(tf.memory().numTensors).toBe(afterFirst);
    expect(progress.at(-1)).toBe(1);
    for (const n of ['test.ap50', 'test.ap', 'test.recall20', 'test.aboveThreshold'] as const) {
      expect(Number.isFinite(ev.values[n]), n).toBe(true);
      expect(ev.values[n]).toBeGreaterThanOrEqual(0);
    }
    expect(session.lastAP50).toBe(ev.values['test.ap50']);
    // AP@0.5 per person height band: a series for each band that holds a person, each in [0, 1].
    const bands = (['test.ap50.band0', 'test.ap50.band1', 'test.ap50.band2'] as const).filter((n) => ev.values[n] !== undefined);
    expect(bands.length).toBeGreaterThan(0);
    for (const n of bands) {
      expect(ev.values[n]).toBeGreaterThanOrEqual(0);
      expect(ev.values[n]).toBeLessThanOrEqual(1);
    }
    // The best-F1 series come with a true positive, and then match what the session keeps for the detector's provenance.
    expect(ev.values['test.bestF1'] === undefined).toBe(session.lastBestF1 === null);
    if (session.lastBestF1) expect([ev.values['test.bestF1'], ev.values['test.f1Threshold']]).toEqual([session.lastBestF1.f1, session.lastBestF1.threshold]);
    expect(ev.extras).toHaveLength(1);
    const preview = ev.extras![0]!.payload as DetectPreview;
    expect(ev.extras![0]!.kind).toBe('detectPreview');
    expect(preview).toMatchObject({ step: 2, height: 128, width: 256 });
    expect(preview.images).toHaveLength(4);
    preview.images.forEach((im, i) => {
      expect(im.rgb).toHaveLength(128 * 256 * 3);
      expect(Buffer.from(im.rgb).equals(Buffer.from(data.test.images.subarray(i * 128 * 256 * 3, (i + 1) * 128 * 256 * 3)))).toBe(true);
      expect(im.truth).toHaveLength(data.test.boxes[i]!.length);
      for (const [j, t] of im.truth.entries()) {
        const b = data.test.boxes[i]![j]!;
        expect(t.x1).toBeCloseTo((b.cx - b.w / 2) * 256, 3);
        expect(t.y2).toBeCloseTo((b.cy + b.h / 2) * 128, 3);
      }
      expect(im.queries.map((q) => q.query).sort()).toEqual([0, 1, 2, 3]); // every query, whatever its score
      for (const q of im.queries) {
        expect(q.score).toBeGreaterThan(0);
        expect(q.score).toBeLessThan(1);
        expect(q.box.x1).toBeLessThanOrEqual(q.box.x2);
        expect(q.box.y1).toBeLessThanOrEqual(q.box.y2);
        expect(q.attention).toBeUndefined();
      }
    });

    session.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('hands its detector over: releaseModel keeps only the model’s variables', async () => {
    const before = tf.memory().numTensors;
    const session = new DetectSession({ ...OPTIONS, previewCount: 0 }, data);
    await session.step();
    const ev = await session.evaluate();
    expect(ev.extras).toBeUndefined();
    const model = session.releaseModel();
    const vars = model.store.trainable.size + model.store.state.size;
    expect(tf.memory().numTensors - before).toBe(vars);
    session.dispose(); // no effect after the hand-over
    expect(tf.memory().numTensors - before).toBe(vars);
    for (const v of [...model.store.trainable.values(), ...model.store.state.values()]) v.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);
});
