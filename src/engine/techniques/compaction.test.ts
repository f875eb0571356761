import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { modelCost } from '../metrics/modelCost';
import type { Classifier } from '../models/model';
import { countParams, disposeParams } from '../models/params';
import { buildModel, createModel } from '../models/registry';
import { resnetArchitecture } from '../models/resnet18';
import { compactModel, maxAbsDiff } from './compaction';
import { DEFAULT_ZERO_THRESHOLD } from '../../protocol/labs/prune';

const build = (name: 'vgg16' | 'resnet18', seed: number): Classifier => createModel(name, { width: 1 / 16, numClasses: 10, inputSize: 32, seed });

/** Non-trivial BN everywhere: random γ, β, running mean and positive running variance. */
function randomiseBn(m: Classifier, seed: number): void {
  const rng = mulberry32(seed);
  const set = (v: tf.Variable, lo: number, hi: number) => {
    const t = tf.tensor(
      Float32Array.from({ length: v.size }, () => lo + (hi - lo) * rng()),
      v.shape,
    );
    v.assign(t);
    t.dispose();
  };
  for (const [name, v] of [...m.store.trainable, ...m.store.state]) {
    if (name.endsWith('.gamma')) set(v, 0.5, 1.5);
    else if (name.endsWith('.beta') || name.endsWith('.runningMean')) set(v, -0.3, 0.3);
    else if (name.endsWith('.runningVar')) set(v, 0.5, 2);
  }
}

/** Zero the given indices of `axis` of a parameter (HWIO axis 2 = input group, 3 = output filter; dense axis 0 = rows). */
function zero(m: Classifier, name: string, axis: number, indices: number[]): void {
  const v = m.store.trainable.get(name)!;
  const t = tf.tidy(() => {
    const shape = v.shape.map((_, i) => (i === axis ? v.shape[axis]! : 1));
    const mask = Float32Array.from({ length: v.shape[axis]! }, (_, c) => (indices.includes(c) ? 0 : 1));
    return tf.mul(v, tf.tensor(mask, shape));
  });
  v.assign(t);
  t.dispose();
}

/** Compact `m`, check eval outputs match on a random batch, no leaks, and return the compact result. */
async function compactAndCompare(m: Classifier, threshold?: number) {
  const x = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 21) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  const result = await compactModel(m, { threshold: threshold ?? DEFAULT_ZERO_THRESHOLD });
  const own = result.model.store.trainable.size + result.model.store.state.size;
  expect(tf.memory().numTensors).toBe(before + own);
  const want = m.forward(x, { training: false });
  const got = result.model.forward(x, { training: false });
  const diff = await maxAbsDiff(want, got);
  const scale = await maxAbsDiff(want, tf.zerosLike(want));
  tf.dispose([x, want, got]);
  return { ...result, diff, scale };
}

describe('compactModel', () => {
  it('VGG-16 1/16: removes the outputs of conv l whose conv l+1 input groups are zero, exactly', async () => {
    const m = build('vgg16', 1);
    randomiseBn(m, 2);
    zero(m, 'conv1.kernel', 2, [0, 2]); // conv0 outputs 0, 2 dead
    zero(m, 'conv0.kernel', 2, [1]); // an RGB input group: the input is fixed, nothing goes
    zero(m, 'conv5.kernel', 2, [3, 7, 8]); // conv4 outputs 3, 7, 8 dead
    zero(m, 'conv8.kernel', 3, [5]); // a zero output filter alone: NOT removable
    zero(m, 'conv10.kernel', 3, [1]);
    zero(m, 'conv11.kernel', 2, [1]); // ... but removable when its consumer group is zero too
    zero(m, 'fc.kernel', 0, [5]); // last conv's channel 5: its only dense row (1×1 spatial) is zero
    const { model: c, removed, diff, scale } = await compactAndCompare(m);

    expect(c.architecture).toEqual({ ...m.architecture, channels: [2, 4, 8, 8, 13, 16, 16, 32, 32, 32, 31, 32, 31] });
    expect(removed.filter((r) => r.removed.length > 0).map((r) => [r.name, r.removed])).toEqual([
      ['conv0', [0, 2]],
      ['conv4', [3, 7, 8]],
      ['conv10', [1]],
      ['conv12', [5]],
    ]);
    // Removed params (a channel of conv l: 9·cin_l kernel + 2 BN + 9·cout_{l+1} kernel, or the dense row):
    //   conv0 ×2: 2·(9·3 + 2 + 9·4)    =  130
    //   conv4 ×3: 3·(9·8 + 2 + 9·16)   =  654
    //   conv10 ×1: 9·32 + 2 + 9·32     =  578
    //   conv12 ×1: 9·32 + 2 + 10 (row) =  300      → 1,662
    expect(countParams(m.store) - countParams(c.store)).toBe(1662);
    expect(modelCost(c).params).toBe(countParams(c.store));
    expect(scale).toBeGreaterThan(1e-2);
    expect(diff).toBeLessThan(1e-4);
    disposeParams(c.store);
    disposeParams(m.store);
  });

  it('ResNet-18 1/16: in-block channels and residual channels dead in every consumer, exactly', async () => {
    const m = build('resnet18', 3);
    randomiseBn(m, 4);
    zero(m, 'layer2.0.conv2.kernel', 2, [1, 5]); // inner of layer2.0
    for (const k of ['layer2.1.conv1', 'layer3.0.conv1', 'layer3.0.shortcut.conv']) zero(m, `${k}.kernel`, 2, [3]); // stage-2 channel 3
    zero(m, 'layer4.1.conv1.kernel', 2, [7]);
    zero(m, 'fc.kernel', 0, [7]); // stage-4 channel 7 (read by layer4.1.conv1 and the pooled fc row)
    for (const k of ['layer1.0.conv1', 'layer1.1.conv1']) zero(m, `${k}.kernel`, 2, [0]); // stage-1 channel 0: layer2.0 still reads it
    zero(m, 'stem.conv.kernel', 2, [2]); // RGB input group: kept
    zero(m, 'layer3.1.conv1.kernel', 3, [4]); // zero output filter only: kept
    const { model: c, removed, diff, scale } = await compactAndCompare(m);

    expect(c.architecture).toEqual({ ...m.architecture, channels: { stages: [4, 7, 16, 31], inner: [4, 4, 6, 8, 16, 16, 32, 32] } });
    expect(removed.filter((r) => r.removed.length > 0).map((r) => [r.name, r.kind, r.removed])).toEqual([
      ['stage2', 'residual', [3]],
      ['stage4', 'residual', [7]],
      ['layer2.0.inner', 'inner', [1, 5]],
    ]);
    // layer2.0 inner ×2: 2·(9·4 conv1 out + 2 bn1 + 9·8 conv2 in)                            =   220
    // stage2 ch 3: writers layer2.0.conv2 9·8 + bn2 2 + shortcut 1·4 + bn 2 + layer2.1.conv2 9·8 + bn2 2
    //              readers layer2.1.conv1 9·8 + layer3.0.conv1 9·16 + layer3.0.shortcut 16     =   386
    // overlap: layer2.0.conv2 loses inner {1,5} × out {3} once, not twice: −9·2·1              =  −18
    // stage4 ch 7: layer4.0.conv2 9·32 + 2 + shortcut 16 + 2 + layer4.1.conv2 9·32 + 2
    //              + layer4.1.conv1 9·32 + fc row 10                                          =   896
    //                                                                                   total  1,484
    expect(countParams(m.store) - countParams(c.store)).toBe(1484);
    expect(scale).toBeGreaterThan(1e-2);
    expect(diff).toBeLessThan(1e-4);

    // a fresh store: the compact model still works once the original is gone
    const originals = new Set([...m.store.trainable.values(), ...m.store.state.values()]);
    for (const v of [...c.store.trainable.values(), ...c.store.state.values()]) expect(originals.has(v)).toBe(false);
    disposeParams(m.store);
    const x = tf.ones([1, 32, 32, 3]) as tf.Tensor4D;
    const y = c.forward(x, { training: false });
    expect(y.shape).toEqual([1, 10]);
    tf.dispose([x, y]);
    disposeParams(c.store);
  });

  it("ResNet-18 keeps its stride-2 padding: a symmetric (PyTorch) model stays symmetric, an old tfjs 'same' one stays 'same', exactly", async () => {
    for (const stridePad of ['symmetric', 'same'] as const) {
      const arch = resnetArchitecture({ width: 1 / 16, numClasses: 10, inputSize: 32, stridePad });
      const m = buildModel(arch, 5);
      randomiseBn(m, 6);
      zero(m, 'layer2.0.conv2.kernel', 2, [0, 2]); // inner of the strided block layer2.0
      zero(m, 'layer3.0.conv2.kernel', 2, [1]);
      const { model: c, diff, scale } = await compactAndCompare(m);
      expect(c.architecture).toMatchObject({ stridePad });
      expect(c.architecture).toEqual({ ...arch, channels: { stages: [4, 8, 16, 32], inner: [4, 4, 6, 8, 15, 16, 32, 32] } });
      expect(scale).toBeGreaterThan(1e-2);
      expect(diff).toBeLessThan(1e-4);
      disposeParams(m.store);
      disposeParams(c.store);
    }
  });

  it('VGG-16 at 64×64 (2×2 final map): a last-conv channel goes only when its rows at all 4 positions are zero', async () => {
    const m = createModel('vgg16', { width: 1 / 16, numClasses: 10, inputSize: 64, seed: 8 });
    randomiseBn(m, 9);
    // fc rows are NHWC-flattened: row p·32 + c for position p ∈ 0..3 and channel c
    zero(m, 'fc.kernel', 0, [6, 38, 70, 102]); // channel 6 at every position: dead
    zero(m, 'fc.kernel', 0, [9, 41, 73]); // channel 9 at three of four positions: alive
    const x = tf.randomNormal([2, 64, 64, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const { model: c, removed } = await compactModel(m, { threshold: DEFAULT_ZERO_THRESHOLD });
    expect(removed[12]!.removed).toEqual([6]);
    expect(c.store.trainable.get('fc.kernel')!.shape).toEqual([4 * 31, 10]);
    const want = m.forward(x, { training: false });
    const got = c.forward(x, { training: false });
    expect(await maxAbsDiff(want, got)).toBeLessThan(1e-4);
    tf.dispose([x, want, got]);
    disposeParams(c.store);
    disposeParams(m.store);
  });

  it('keeps one channel of a fully dead space, and honours the threshold', async () => {
    const m = build('vgg16', 5);
    randomiseBn(m, 6);
    zero(m, 'conv2.kernel', 2, [0, 1, 2, 3]); // every conv1 output dead
    const all = await compactAndCompare(m);
    expect(all.model.architecture.model === 'vgg16' && all.model.architecture.channels[1]).toBe(1);
    expect(all.removed[1]!.removed).toEqual([1, 2, 3]);
    expect(all.diff).toBeLessThan(1e-4);
    disposeParams(all.model.store);

    // shrink (not zero) conv4's input group 0: kept at the default threshold, dropped at 1e-2
    const k = m.store.trainable.get('conv4.kernel')!;
    const small = tf.tidy(() => tf.mul(k, tf.tensor([1e-6, 1, 1, 1, 1, 1, 1, 1], [1, 1, 8, 1])));
    k.assign(small);
    small.dispose();
    const strict = await compactModel(m, { threshold: DEFAULT_ZERO_THRESHOLD });
    expect(strict.removed[3]!.removed).toEqual([]);
    disposeParams(strict.model.store);
    const loose = await compactAndCompare(m, 1e-2);
    expect(loose.removed[3]!.removed).toEqual([0]);
    expect(loose.diff).toBeLessThan(1e-3 * Math.max(1, loose.scale));
    disposeParams(loose.model.store);
    disposeParams(m.store);
  });

  it('maxAbsDiff reads the largest difference and refuses mismatched shapes', async () => {
    const a = tf.tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = tf.tensor([
      [1, 2.5],
      [3, 3],
    ]);
    expect(await maxAbsDiff(a, b)).toBeCloseTo(1, 6);
    const c = tf.tensor([1, 2]);
    await expect(maxAbsDiff(a, c)).rejects.toThrow(/shapes/);
    tf.dispose([a, b, c]);
  });
});
