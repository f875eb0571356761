import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { softmaxCrossEntropy } from '../metrics/accuracy';
import { batchNorm, conv, createBatchNorm, createConv, createDense, dense } from '../models/layers';
import { createParamStore, disposeParams, heNormal } from '../models/params';
import { mulberry32, normal } from '../random';
import { kdLoss, ohemCrossEntropy, pixelCrossEntropy } from '../techniques/distill';
import { registerWasmTrainingKernels } from './trainingKernels';

/** Every trainable gradient of a small net (conv s1/s2, depthwise s1/s2, BN, max/avg pool, dense) on the current backend. */
async function netGradients(): Promise<Map<string, Float32Array>> {
  const store = createParamStore(11);
  const c1 = createConv(store, 'c1', 3, 3, 8);
  const bn1 = createBatchNorm(store, 'bn1', 8);
  const dw = heNormal(store, 'dw.kernel', [3, 3, 8, 1], 9);
  const bn2 = createBatchNorm(store, 'bn2', 8);
  const c2 = createConv(store, 'c2', 1, 8, 12, 2);
  const dw2 = heNormal(store, 'dw2.kernel', [5, 5, 12, 1], 25);
  const fc = createDense(store, 'fc', 12, 10);
  const rng = mulberry32(3);
  const x = tf.tensor4d(
    Float32Array.from({ length: 4 * 16 * 16 * 3 }, () => normal(rng)),
    [4, 16, 16, 3],
  );
  const y = tf.tensor1d([1, 7, 3, 3], 'int32');
  const mode = { training: true };
  const { value, grads } = tf.variableGrads(() => {
    let h = tf.relu(batchNorm(bn1, conv(c1, x), mode));
    h = tf.maxPool(h, 2, 2, 'valid');
    h = tf.relu(batchNorm(bn2, tf.depthwiseConv2d(h, dw as tf.Tensor4D, 1, 'same'), mode));
    h = conv(c2, h);
    h = tf.depthwiseConv2d(h, dw2 as tf.Tensor4D, 2, 'same');
    h = tf.avgPool(h, 2, 2, 'valid');
    const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
    return softmaxCrossEntropy(dense(fc, pooled), y);
  }, [...store.trainable.values()]);
  const out = new Map<string, Float32Array>();
  for (const [name, v] of store.trainable) out.set(name, (await grads[v.name]!.data()) as Float32Array);
  out.set('loss', (await value.data()) as Float32Array);
  tf.dispose([x, y, value, ...Object.values(grads)]);
  disposeParams(store);
  return out;
}

describe('a small conv net has the same gradients on wasm as on cpu', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('for every parameter (relative error < 1e-4)', async () => {
    await tf.setBackend('cpu');
    const ref = await netGradients();
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
    const got = await netGradients();
    expect([...got.keys()]).toEqual([...ref.keys()]);
    const errors: Record<string, number> = {};
    for (const [name, r] of ref) {
      const g = got.get(name)!;
      let num = 0;
      let den = 0;
      r.forEach((v, i) => {
        num = Math.max(num, Math.abs(g[i]! - v));
        den = Math.max(den, Math.abs(v));
      });
      // bn1.gamma's gradient is zero in theory (bn2 undoes its scale; β starts at 0), ~1e-6 float noise:
      // such gradients are compared in absolute terms, through the 1e-3 floor of the scale.
      errors[name] = num / Math.max(den, 1e-3);
    }
    for (const [name, e] of Object.entries(errors)) expect(e, `${name}: ${JSON.stringify(errors)}`).toBeLessThan(1e-4);
  });

  it('computes the segmentation losses as cpu does (wasm OneHot ignores its dtype: regression)', async () => {
    const losses = async () => {
      const rng = mulberry32(5);
      const logits = tf.tensor4d(
        Float32Array.from({ length: 2 * 4 * 6 * 5 }, () => normal(rng)),
        [2, 4, 6, 5],
      );
      const teacher = tf.tensor4d(
        Float32Array.from({ length: 2 * 4 * 6 * 5 }, () => normal(rng)),
        [2, 4, 6, 5],
      );
      const labels = tf.tensor3d(
        Int32Array.from({ length: 48 }, (_, i) => (i % 7 === 0 ? 255 : i % 5)),
        [2, 4, 6],
        'int32',
      );
      const out = [pixelCrossEntropy(logits, labels), ohemCrossEntropy(logits, labels), kdLoss(logits, teacher, 2)];
      const values = await Promise.all(out.map(async (t) => (await t.data())[0]!));
      tf.dispose([logits, teacher, labels, ...out]);
      return values;
    };
    await tf.setBackend('cpu');
    const ref = await losses();
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
    const got = await losses();
    expect(ref[0]).toBeGreaterThan(0.5);
    got.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, 5));
  });
});
