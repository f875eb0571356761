import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BN_EPSILON } from '../layers';
import { countParams, createParamStore, disposeParams } from '../params';
import { createMBConv, mbconv, mbconvCost, seChannels, type MBConvSpec } from './mbconv';

const sum = (spec: MBConvSpec, inSize: number) => {
  const layers = mbconvCost('b', spec, inSize);
  return { params: layers.reduce((n, l) => n + l.params, 0), macs: layers.reduce((n, l) => n + l.macs, 0) };
};

/** Build one block in a fresh store; return it, its store's parameter count, and a disposer. */
function block(spec: MBConvSpec, seed = 0) {
  const store = createParamStore(seed);
  const b = createMBConv(store, 'b', spec);
  return { b, store, params: countParams(store), dispose: () => disposeParams(store) };
}

const set = (v: tf.Variable, values: number[]) => tf.tidy(() => v.assign(tf.tensor(values, v.shape)));

describe('MBConv (EfficientNet block)', () => {
  it('counts a block without expansion, with residual (8 → 8, e1, k3, s1) by hand: 210 params, 34,848 MACs at 16×16', () => {
    // dw 3·3·8 = 72 + BN 16; SE r = max(1, round(8·0.25)) = 2: 8·2 + 2 + 2·8 + 8 = 42; project 8·8 = 64 + BN 16
    const spec = { cin: 8, cout: 8, expand: 1, kernel: 3, stride: 1 };
    const { b, params, dispose } = block(spec);
    expect(b.expand).toBeUndefined();
    expect(params).toBe(72 + 16 + 42 + 64 + 16);
    // MACs: dw 72·256 = 18,432; SE 16 + 16; project 64·256 = 16,384
    expect(sum(spec, 16)).toEqual({ params: 210, macs: 34_848 });
    dispose();
  });

  it('counts a block with expansion, stride 2 (8 → 16, e6, k5, s2) by hand: 2,818 params, 224,448 MACs at 16×16', () => {
    // C = 48: expand 8·48 = 384 + BN 96; dw 5·5·48 = 1,200 + BN 96; SE 48·2 + 2 + 2·48 + 48 = 242; project 48·16 = 768 + BN 32
    const spec = { cin: 8, cout: 16, expand: 6, kernel: 5, stride: 2 };
    const { params, dispose } = block(spec);
    expect(params).toBe(384 + 96 + 1200 + 96 + 242 + 768 + 32);
    // MACs: expand 384·16·16 = 98,304; dw 1,200·8·8 = 76,800; SE 96 + 96; project 768·8·8 = 49,152
    expect(sum(spec, 16)).toEqual({ params: 2818, macs: 224_448 });
    dispose();
  });

  it('counts a block with expansion and residual (16 → 16, e6, k3, s1) by hand: 5,220 params', () => {
    // C = 96, r = 4: expand 16·96 = 1,536 + BN 192; dw 9·96 = 864 + BN 192; SE 96·4 + 4 + 4·96 + 96 = 868; project 96·16 = 1,536 + BN 32
    const spec = { cin: 16, cout: 16, expand: 6, kernel: 3, stride: 1 };
    const { params, dispose } = block(spec);
    expect(params).toBe(1536 + 192 + 864 + 192 + 868 + 1536 + 32);
    expect(sum(spec, 8).params).toBe(5220);
    expect(seChannels({ ...spec, cin: 2 })).toBe(1);
    dispose();
  });

  it('adds the input when shapes match, not otherwise (project BN zeroed); stride 2 halves the map', () => {
    const x = tf.randomNormal([2, 8, 8, 8], 0, 1, 'float32', 3) as tf.Tensor4D;
    const res = block({ cin: 8, cout: 8, expand: 6, kernel: 3, stride: 1 });
    const down = block({ cin: 8, cout: 16, expand: 6, kernel: 5, stride: 2 });
    for (const { b } of [res, down]) for (const v of [b.project.bn.gamma, b.project.bn.beta]) tf.tidy(() => v.assign(tf.zerosLike(v)));
    const [y, z] = [mbconv(res.b, x, { training: false }), mbconv(down.b, x, { training: false })];
    expect(y.shape).toEqual([2, 8, 8, 8]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    expect(z.shape).toEqual([2, 4, 4, 16]);
    expect(Math.max(...Array.from(z.dataSync()).map(Math.abs))).toBe(0);
    tf.dispose([x, y, z]);
    res.dispose();
    down.dispose();
  });

  it('matches a hand-written forward of a 1-channel block (e1, k3) on a 3×3 image in eval mode', () => {
    const { b, dispose } = block({ cin: 1, cout: 1, expand: 1, kernel: 3, stride: 1 });
    const img = [0.5, -1, 2, 1.5, 0, -0.5, -2, 1, 0.25];
    const k = [0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, -0.8, 0.9];
    set(b.dw, k);
    set(b.seReduce.kernel, [0.7]);
    set(b.seReduce.bias, [0.1]);
    set(b.seExpand.kernel, [-1.3]);
    set(b.seExpand.bias, [0.2]);
    set(b.project.conv.kernel, [1.5]);
    set(b.project.bn.beta, [0.05]);
    const x = tf.tensor4d(img, [1, 3, 3, 1]);
    const y = mbconv(b, x, { training: false });
    // independent computation: 'same' 3×3 depthwise (zero padding), BN with running stats (0, 1), swish, SE, project, BN, + x
    const swish = (v: number) => v / (1 + Math.exp(-v));
    const bn = (v: number) => v / Math.sqrt(1 + BN_EPSILON);
    const at = (r: number, c: number) => (r < 0 || r > 2 || c < 0 || c > 2 ? 0 : img[3 * r + c]!);
    const dw = img.map((_, p) => {
      let s = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) s += k[3 * i + j]! * at(Math.floor(p / 3) + i - 1, (p % 3) + j - 1);
      return swish(bn(s));
    });
    const mean = dw.reduce((a, v) => a + v, 0) / 9;
    const gate = 1 / (1 + Math.exp(-(-1.3 * swish(0.7 * mean + 0.1) + 0.2)));
    const expected = dw.map((v, p) => bn(1.5 * v * gate) + 0.05 + img[p]!);
    const got = Array.from(y.dataSync());
    got.forEach((v, p) => expect(v).toBeCloseTo(expected[p]!, 5));
    tf.dispose([x, y]);
    dispose();
  });

  it('refuses kernels other than 3 or 5 and strides other than 1 or 2', () => {
    const store = createParamStore(0);
    expect(() => createMBConv(store, 'b', { cin: 8, cout: 8, expand: 1, kernel: 7, stride: 1 })).toThrow(/kernel of 3 or 5/);
    expect(() => createMBConv(store, 'c', { cin: 8, cout: 8, expand: 1, kernel: 3, stride: 3 })).toThrow(/stride of 1 or 2/);
    disposeParams(store);
  });
});
