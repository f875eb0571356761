import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { accumulateConfusion, confusionMatrix, emptyConfusion, segScores } from './segMetrics';

describe('confusionMatrix', () => {
  it('counts rows = true, cols = predicted and skips the ignore label', () => {
    const label = Uint8Array.from([0, 0, 1, 1, 2, 255, 255, 2]);
    const pred = Int32Array.from([0, 1, 1, 1, 0, 2, 0, 2]);
    const cm = confusionMatrix(pred, label, 3);
    expect(Array.from(cm)).toEqual([1, 1, 0, 0, 2, 0, 1, 0, 1]);
    expect(cm.reduce((a, v) => a + v, 0)).toBe(6); // the two 255 pixels are not counted
    expect(Array.from(confusionMatrix(Uint8Array.from([1, 0]), Uint8Array.from([1, 7]), 2, 7))).toEqual([0, 0, 0, 1]);
  });

  it('throws on out-of-range labels or predictions and on mismatched lengths', () => {
    expect(() => confusionMatrix(Int32Array.from([0]), Uint8Array.from([3]), 3)).toThrow(/Label 3/);
    expect(() => confusionMatrix(Int32Array.from([4]), Uint8Array.from([0]), 3)).toThrow(/Prediction 4/);
    expect(() => confusionMatrix(Int32Array.from([0, 1]), Uint8Array.from([0]), 3)).toThrow(/differ in length/);
    expect(() => confusionMatrix(Int32Array.from([0]), Uint8Array.from([0]), 3, 255, new Float64Array(4))).toThrow(/cells/);
  });
});

describe('segScores', () => {
  it('computes IoU, mIoU, pixel and per-class accuracy by hand; absent classes excluded, predicted-only classes count 0', () => {
    // 4 classes. true 0: 3 px → pred 0, 0, 1; true 1: 3 px → pred 1, 1, 2; classes 2 and 3 never labelled,
    // class 2 predicted once. Rows: t0 = [2,1,0,0], t1 = [0,2,1,0], t2 = t3 = [0,0,0,0].
    const cm = Float64Array.from([2, 1, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const s = segScores(cm, 4);
    // IoU0 = 2/(3+2−2) = 2/3; IoU1 = 2/(3+3−2) = 1/2; IoU2 = 0/(0+1−0) = 0 (predicted, never present); class 3 absent → null.
    expect(s.perClassIoU[0]).toBeCloseTo(2 / 3, 12);
    expect(s.perClassIoU[1]).toBeCloseTo(1 / 2, 12);
    expect(s.perClassIoU[2]).toBe(0);
    expect(s.perClassIoU[3]).toBeNull();
    expect(s.mIoU).toBeCloseTo((2 / 3 + 1 / 2 + 0) / 3, 12);
    expect(s.pixelAccuracy).toBeCloseTo(4 / 6, 12);
    expect(s.perClassAccuracy).toEqual([2 / 3, 2 / 3, null, null]);
  });

  it('is NaN when nothing was counted', () => {
    const s = segScores(emptyConfusion(3), 3);
    expect(s.perClassIoU).toEqual([null, null, null]);
    expect(s.mIoU).toBeNaN();
    expect(s.pixelAccuracy).toBeNaN();
  });
});

describe('accumulateConfusion', () => {
  it('arg-maxes logits on the device; accumulating several batches equals one big batch; no leaks', async () => {
    const rng = mulberry32(4);
    const [b, h, w, k] = [6, 3, 4, 5];
    const n = b * h * w;
    const logits = tf.tensor4d(
      Float32Array.from({ length: n * k }, () => rng()),
      [b, h, w, k],
    );
    const labels = Uint8Array.from({ length: n }, () => (rng() < 0.15 ? 255 : Math.floor(rng() * k)));
    const before = tf.memory().numTensors;

    const whole = await accumulateConfusion(logits, labels, k, emptyConfusion(k));
    const parts = emptyConfusion(k);
    for (const [start, size] of [
      [0, 1],
      [1, 3],
      [4, 2],
    ] as const) {
      const lg = tf.slice(logits, [start, 0, 0, 0], [size, h, w, k]);
      const lb = tf.tensor3d(Int32Array.from(labels.subarray(start * h * w, (start + size) * h * w)), [size, h, w], 'int32');
      const ret = await accumulateConfusion(lg, lb, k, parts);
      expect(ret).toBe(parts);
      tf.dispose([lg, lb]);
    }
    expect(Array.from(parts)).toEqual(Array.from(whole));
    expect(tf.memory().numTensors).toBe(before);

    // against a plain-JS arg-max
    const v = await logits.data();
    const pred = Int32Array.from({ length: n }, (_, p) => {
      let best = 0;
      for (let c = 1; c < k; c++) if (v[p * k + c]! > v[p * k + best]!) best = c;
      return best;
    });
    expect(Array.from(whole)).toEqual(Array.from(confusionMatrix(pred, labels, k)));
    expect(whole.reduce((a, x) => a + x, 0)).toBe(labels.filter((l) => l !== 255).length);
    // float32 label tensors work too
    const lf = tf.tensor3d(Float32Array.from(labels), [b, h, w]);
    expect(Array.from(await accumulateConfusion(logits, lf, k, emptyConfusion(k)))).toEqual(Array.from(whole));
    tf.dispose([logits, lf]);
  });

  it('rejects a class-count or shape mismatch', async () => {
    const logits = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
    const lab = tf.zeros([1, 2, 3], 'int32') as tf.Tensor3D;
    await expect(accumulateConfusion(logits, new Uint8Array(4), 4, emptyConfusion(4))).rejects.toThrow(/3 classes/);
    await expect(accumulateConfusion(logits, lab, 3, emptyConfusion(3))).rejects.toThrow(/do not match/);
    tf.dispose([logits, lab]);
  });
});
