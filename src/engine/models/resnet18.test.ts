import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import { BN_EPSILON, conv, createConv } from './layers';
import type { Classifier, StridePad } from './model';
import { countParams, createParamStore, disposeParams } from './params';
import { buildModel, createModel } from './registry';
import { createResNet18, resnetArchitecture, resnetLayout } from './resnet18';

const small = (seed = 0, width = 1 / 16, stridePad?: StridePad): Classifier =>
  createResNet18({ width, numClasses: 10, inputSize: 32, seed, ...(stridePad ? { stridePad } : {}) });

/** PyTorch padding p on every side as explicit NHWC pads. */
const sym = (p: number): [[number, number], [number, number], [number, number], [number, number]] => [
  [0, 0],
  [p, p],
  [p, p],
  [0, 0],
];

describe('ResNet-18 (CIFAR)', () => {
  it('has the standard 11,173,962 parameters at width 1', () => {
    const m = createResNet18({ width: 1, numClasses: 10, inputSize: 32, seed: 0 });
    // Conv kernels (k·k·cin·cout, no bias):
    //   stem     9·3·64                                                  =     1,728
    //   layer1   4 × 9·64·64                                             =   147,456
    //   layer2   9·64·128 + 9·128·128 + 1·64·128 (shortcut) + 2·9·128·128 =   524,288
    //   layer3   9·128·256 + 9·256·256 + 1·128·256 + 2·9·256·256         = 2,097,152
    //   layer4   9·256·512 + 9·512·512 + 1·256·512 + 2·9·512·512         = 8,388,608
    //   → conv total 11,159,232
    // BN γ,β (2 per channel): stem 64, layer1 4×64, layer2 5×128, layer3 5×256, layer4 5×512
    //   = 2·(64 + 256 + 640 + 1280 + 2560) = 2·4,800                     =     9,600
    // Dense 512·10 + 10                                                  =     5,130
    // Total 11,159,232 + 9,600 + 5,130                                   = 11,173,962
    expect(countParams(m.store)).toBe(11_173_962);
    expect(Math.abs(countParams(m.store) / 11.17e6 - 1)).toBeLessThan(0.01);
    expect(m.name).toBe('resnet18');
    disposeParams(m.store);
  });

  it('lists 20 convs in forward order, the three shortcut convs 1×1, with output sizes', () => {
    const m = small();
    expect(m.convs).toHaveLength(20);
    expect(m.convs.map((c) => c.name)).toEqual([
      'stem.conv.kernel',
      'layer1.0.conv1.kernel',
      'layer1.0.conv2.kernel',
      'layer1.1.conv1.kernel',
      'layer1.1.conv2.kernel',
      'layer2.0.conv1.kernel',
      'layer2.0.conv2.kernel',
      'layer2.0.shortcut.conv.kernel',
      'layer2.1.conv1.kernel',
      'layer2.1.conv2.kernel',
      'layer3.0.conv1.kernel',
      'layer3.0.conv2.kernel',
      'layer3.0.shortcut.conv.kernel',
      'layer3.1.conv1.kernel',
      'layer3.1.conv2.kernel',
      'layer4.0.conv1.kernel',
      'layer4.0.conv2.kernel',
      'layer4.0.shortcut.conv.kernel',
      'layer4.1.conv1.kernel',
      'layer4.1.conv2.kernel',
    ]);
    const shortcuts = m.convs.filter((c) => c.name.includes('shortcut'));
    expect(shortcuts.map((c) => c.kernelShape)).toEqual([
      [1, 1, 4, 8],
      [1, 1, 8, 16],
      [1, 1, 16, 32],
    ]);
    expect(m.convs.filter((c) => c.kernelShape[0] === 1)).toHaveLength(3);
    expect(m.convs.map((c) => c.outSize)).toEqual([32, 32, 32, 32, 32, 16, 16, 16, 16, 16, 8, 8, 8, 8, 8, 4, 4, 4, 4, 4]);
    // every listed kernel is a variable of the store with that shape
    for (const c of m.convs) expect(m.store.trainable.get(c.name)?.shape).toEqual(c.kernelShape);
    disposeParams(m.store);
  });

  it('scales every channel count by the width multiplier', () => {
    const m16 = small(0, 1 / 16);
    expect(m16.convs.map((c) => c.kernelShape[3])).toEqual([4, 4, 4, 4, 4, 8, 8, 8, 8, 8, 16, 16, 16, 16, 16, 32, 32, 32, 32, 32]);
    expect(m16.convs[0]!.kernelShape).toEqual([3, 3, 3, 4]);
    expect(m16.convs[5]!.kernelShape).toEqual([3, 3, 4, 8]);
    expect(m16.store.trainable.get('fc.kernel')?.shape).toEqual([32, 10]);
    disposeParams(m16.store);

    const m4 = small(0, 1 / 4);
    expect(m4.convs.map((c) => c.kernelShape[3])).toEqual([16, 16, 16, 16, 16, 32, 32, 32, 32, 32, 64, 64, 64, 64, 64, 128, 128, 128, 128, 128]);
    expect(m4.convs[15]!.kernelShape).toEqual([3, 3, 64, 128]);
    expect(m4.store.trainable.get('layer4.0.shortcut.conv.kernel')?.shape).toEqual([1, 1, 64, 128]);
    expect(m4.store.trainable.get('fc.kernel')?.shape).toEqual([128, 10]);
    disposeParams(m4.store);
  });

  it('maps NHWC images to [B, classes] logits in both modes and is seeded', async () => {
    const a = small(7);
    const b = small(7);
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

  it('is built by the registry under its protocol name', () => {
    const m = createModel('resnet18', { width: 1 / 16, numClasses: 100, inputSize: 32, seed: 0 });
    expect(m.name).toBe('resnet18');
    expect(m.numClasses).toBe(100);
    disposeParams(m.store);
  });

  for (const stridePad of ['symmetric', 'same'] as const) {
    it(`matches a hand-written eval-mode reference (shortcut, ReLU and pooling placement; stride-2 convs padded ${stridePad === 'symmetric' ? '1 on every side' : "tfjs 'same'"})`, async () => {
      const m = small(3, 1 / 16, stridePad);
      expect(m.architecture).toMatchObject({ stridePad });
      const rng = mulberry32(11);
      // Non-trivial BN: random γ, β, running mean and (positive) running variance everywhere.
      const randomise = (v: tf.Variable, lo: number, hi: number) => {
        const vals = new Float32Array(v.size);
        for (let i = 0; i < vals.length; i++) vals[i] = lo + (hi - lo) * rng();
        const t = tf.tensor(vals, v.shape);
        v.assign(t);
        t.dispose();
      };
      for (const [name, v] of [...m.store.trainable, ...m.store.state]) {
        if (name.endsWith('.gamma')) randomise(v, 0.5, 1.5);
        else if (name.endsWith('.beta') || name.endsWith('.runningMean')) randomise(v, -0.3, 0.3);
        else if (name.endsWith('.runningVar')) randomise(v, 0.5, 2);
      }
      const p = (name: string): tf.Tensor => {
        const v = m.store.trainable.get(name) ?? m.store.state.get(name);
        if (!v) throw new Error(`missing ${name}`);
        return v;
      };
      // y = γ·(x − μ)/√(σ² + ε) + β, written out with elementwise ops
      const bn = (name: string, x: tf.Tensor): tf.Tensor =>
        tf.add(
          tf.mul(p(`${name}.gamma`), tf.div(tf.sub(x, p(`${name}.runningMean`)), tf.sqrt(tf.add(p(`${name}.runningVar`), BN_EPSILON)))),
          p(`${name}.beta`),
        );
      // PyTorch's CIFAR ResNet: every 3×3 conv padding=1, the 1×1 shortcut padding=0; the old models: tfjs 'same' throughout
      const cv = (name: string, x: tf.Tensor, stride: number, k = 3): tf.Tensor =>
        tf.conv2d(x as tf.Tensor4D, p(`${name}.kernel`) as tf.Tensor4D, stride, stridePad === 'symmetric' ? sym(k === 3 ? 1 : 0) : 'same');
      const reference = (x: tf.Tensor4D): tf.Tensor =>
        tf.tidy(() => {
          let h = tf.relu(bn('stem.bn', cv('stem.conv', x, 1)));
          for (let s = 1; s <= 4; s++) {
            for (let b = 0; b < 2; b++) {
              const n = `layer${s}.${b}`;
              const stride = s > 1 && b === 0 ? 2 : 1;
              const y = bn(`${n}.bn2`, cv(`${n}.conv2`, tf.relu(bn(`${n}.bn1`, cv(`${n}.conv1`, h, stride))), 1));
              const skip = stride === 2 ? bn(`${n}.shortcut.bn`, cv(`${n}.shortcut.conv`, h, 2, 1)) : h;
              h = tf.relu(tf.add(y, skip));
            }
          }
          // global average pool by summing over H, W and dividing by the 4·4 positions
          const pooled = tf.div(tf.sum(h, [1, 2]), h.shape[1]! * h.shape[2]!);
          return tf.add(tf.matMul(pooled as tf.Tensor2D, p('fc.kernel') as tf.Tensor2D), p('fc.bias'));
        });

      const x = tf.randomNormal([3, 32, 32, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
      const got = m.forward(x, { training: false });
      const want = reference(x);
      const g = (await got.data()) as Float32Array;
      const w = (await want.data()) as Float32Array;
      expect(g.length).toBe(30);
      const scale = Math.max(...Array.from(w, Math.abs));
      expect(scale).toBeGreaterThan(1e-3);
      for (let i = 0; i < g.length; i++) expect(Math.abs(g[i]! - w[i]!)).toBeLessThan(1e-4 * Math.max(1, scale));

      // Dropping the projection shortcut of layer2.0 (i.e. a wrong skip) must change the output:
      // guards against a reference that would agree with the model by accident.
      const sc = m.store.trainable.get('layer2.0.shortcut.bn.gamma')!;
      const beta = m.store.trainable.get('layer2.0.shortcut.bn.beta')!;
      const z = tf.zerosLike(sc);
      sc.assign(z);
      beta.assign(z);
      z.dispose();
      const changed = m.forward(x, { training: false });
      const c = (await changed.data()) as Float32Array;
      expect(Math.max(...Array.from(c, (v, i) => Math.abs(v - g[i]!)))).toBeGreaterThan(1e-3);

      tf.dispose([x, got, want, changed]);
      disposeParams(m.store);
    });
  }

  it('new models pad the stride-2 3×3 convs symmetrically (PyTorch padding 1); the layout does not depend on it', () => {
    expect(resnetArchitecture({ width: 1 / 16, numClasses: 10, inputSize: 32 }).stridePad).toBe('symmetric');
    const built = createModel('resnet18', { width: 1 / 16, numClasses: 10, inputSize: 32, seed: 0 });
    expect(built.architecture).toMatchObject({ stridePad: 'symmetric' });
    disposeParams(built.store);
    for (const inputSize of [32, 33, 36, 7, 1]) {
      const arch = resnetArchitecture({ width: 1 / 16, numClasses: 10, inputSize });
      expect(resnetLayout({ ...arch, stridePad: 'same' })).toEqual(resnetLayout(arch));
    }
    // ⌊(n + 2 − 3)/2⌋ + 1 = ⌈n/2⌉ for every n (the 1×1 shortcut: ⌊(n − 1)/2⌋ + 1 = ⌈n/2⌉), as tfjs 'same' gives
    for (const n of [1, 2, 7, 8, 9, 32, 33, 36]) {
      const shapes = tf.tidy(() => {
        const x = tf.zeros([1, n, n, 1]) as tf.Tensor4D;
        const [k3, k1] = [tf.zeros([3, 3, 1, 1]) as tf.Tensor4D, tf.zeros([1, 1, 1, 1]) as tf.Tensor4D];
        return [tf.conv2d(x, k3, 2, sym(1)), tf.conv2d(x, k1, 2, sym(0)), tf.conv2d(x, k3, 2, 'same')].map((y) => y.shape);
      });
      for (const shape of shapes) expect(shape).toEqual([1, Math.ceil(n / 2), Math.ceil(n / 2), 1]);
    }
    // 33 → 17 → 9 → 5
    const odd = resnetLayout(resnetArchitecture({ width: 1 / 16, numClasses: 10, inputSize: 33 }));
    expect([...new Set(odd.convs.map((c) => c.outSize))]).toEqual([33, 17, 9, 5]);
    expect(() => resnetLayout({ ...resnetArchitecture({ width: 1 / 16, numClasses: 10, inputSize: 32 }), stridePad: 'reflect' as StridePad })).toThrow(
      /stridePad 'same' or 'symmetric', got "reflect"/,
    );
  });

  it('conv with pad 1, stride 2, by hand: a 3×3 kernel of ones on the 4×4 input 1…16 sums the symmetric windows', async () => {
    const store = createParamStore(0);
    const padded = createConv(store, 'a', 3, 1, 1, 2, 1);
    const same = createConv(store, 'b', 3, 1, 1, 2);
    expect(padded.pad).toBe(1);
    expect(same.pad).toBeUndefined();
    for (const v of [padded.kernel, same.kernel]) v.assign(tf.ones([3, 3, 1, 1]));
    const x = tf.tensor4d(
      Array.from({ length: 16 }, (_, i) => i + 1),
      [1, 4, 4, 1],
    );
    const [a, b] = [conv(padded, x), conv(same, x)];
    expect(a.shape).toEqual([1, 2, 2, 1]);
    // rows/cols {−1, 0, 1} and {1, 2, 3}: [[1+2+5+6, 2+3+4+6+7+8], [5+6+9+10+13+14, 6+7+8+10+11+12+14+15+16]]
    expect(Array.from(await a.data())).toEqual([14, 30, 57, 99]);
    // tfjs 'same' on an even size: rows/cols {0, 1, 2} and {2, 3, 4}, the zero pad only after
    expect(Array.from(await b.data())).toEqual([54, 45, 72, 54]);
    tf.dispose([x, a, b]);
    disposeParams(store);
  });

  it("gives the same outputs under both stridePads on odd sizes only (tfjs 'same' pads 1 and 1 there too)", async () => {
    for (const [inputSize, equal] of [
      [9, true], // 9 → 5 → 3 → 2: every strided input odd
      [32, false],
      [36, false], // 36 → 18 → 9: layer4's input odd, layer2's and layer3's even
    ] as const) {
      const arch = resnetArchitecture({ width: 1 / 16, numClasses: 10, inputSize });
      const a = buildModel(arch, 4);
      const b = buildModel({ ...arch, stridePad: 'same' }, 4);
      const x = tf.randomNormal([2, inputSize, inputSize, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
      const [ya, yb] = [a.forward(x, { training: false }), b.forward(x, { training: false })];
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(ya, yb))).dataSync()[0]!);
      if (equal) expect(d).toBe(0);
      else expect(d).toBeGreaterThan(1e-4);
      tf.dispose([x, ya, yb]);
      disposeParams(a.store);
      disposeParams(b.store);
    }
  });

  it('leaks no tensor across a tidy forward (both modes) and disposing the params', () => {
    const before = tf.memory().numTensors;
    const m = small(1);
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const afterBuild = tf.memory().numTensors;
    tf.tidy(() => {
      m.forward(x, { training: true });
      m.forward(x, { training: false });
    });
    expect(tf.memory().numTensors).toBe(afterBuild);
    x.dispose();
    disposeParams(m.store);
    expect(tf.memory().numTensors).toBe(before);
  });
});
