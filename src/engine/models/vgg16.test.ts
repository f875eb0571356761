import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { countParams, disposeParams } from './params';
import { createVgg16 } from './vgg16';

describe('VGG-16 (CIFAR)', () => {
  it('has 14.7 M parameters at width 1 (13 convs, BN, one dense layer)', () => {
    const m = createVgg16({ width: 1, numClasses: 10, inputSize: 32, seed: 0 });
    // conv: Σ 9·cin·cout = 14,710,464; BN γ,β: 2·4224 = 8,448; dense 512·10 + 10 = 5,130
    expect(countParams(m.store)).toBe(14_724_042);
    expect(Math.abs(countParams(m.store) / 14.7e6 - 1)).toBeLessThan(0.01);
    expect(m.convs).toHaveLength(13);
    disposeParams(m.store);
  });

  it('scales every channel count by the width multiplier', () => {
    const m = createVgg16({ width: 1 / 16, numClasses: 10, inputSize: 32, seed: 0 });
    expect(m.convs.map((c) => c.kernelShape[3])).toEqual([4, 4, 8, 8, 16, 16, 16, 32, 32, 32, 32, 32, 32]);
    expect(m.convs[0]!.kernelShape).toEqual([3, 3, 3, 4]);
    disposeParams(m.store);
  });

  it('maps NHWC images to [B, classes] logits in both modes and is seeded', async () => {
    const a = createVgg16({ width: 1 / 16, numClasses: 10, inputSize: 32, seed: 7 });
    const b = createVgg16({ width: 1 / 16, numClasses: 10, inputSize: 32, seed: 7 });
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const la = a.forward(x, { training: false });
    const lb = b.forward(x, { training: false });
    expect(la.shape).toEqual([2, 10]);
    expect(await la.array()).toEqual(await lb.array());
    const lt = a.forward(x, { training: true });
    expect(lt.shape).toEqual([2, 10]);
    tf.dispose([x, la, lb, lt]);
    disposeParams(a.store);
    disposeParams(b.store);
  });

  it('rejects an input size the five pools cannot divide', () => {
    expect(() => createVgg16({ width: 1 / 16, numClasses: 10, inputSize: 16, seed: 0 })).toThrow(/divisible by 32/);
  });
});
