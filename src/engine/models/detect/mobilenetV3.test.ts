import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { countParams, createParamStore, disposeParams } from '../params';
import { convBnAct, createConvBnAct, hardSigmoid, hardSwish, type DetectBuilder } from './detectBuilder';
import { createMobileNetV3Small, makeDivisible, mobileNetV3Small, mobileNetV3SmallSpecs, squeezeChannels } from './mobilenetV3';

const builder = (seed = 0): DetectBuilder => ({ store: createParamStore(seed), layers: [], part: 'backbone' });

describe('MobileNetV3-Small backbone (§4)', () => {
  it('h-swish and hard-sigmoid match hand values', () => {
    const x = tf.tensor1d([-4, -3, -1, 0, 1, 3, 4]);
    expect(Array.from(hardSigmoid(x).dataSync())).toEqual([0, 0, 2 / 6, 0.5, 4 / 6, 1, 1].map(Math.fround));
    const hs = Array.from(hardSwish(x).dataSync());
    [0, 0, -1 / 3, 0, 2 / 3, 3, 4].forEach((v, i) => expect(hs[i]).toBeCloseTo(v, 6));
    x.dispose();
  });

  it("make_divisible and the SE squeeze widths follow torchvision's rules", () => {
    expect([4, 8, 12, 36, 44, 60, 100].map((v) => makeDivisible(v))).toEqual([8, 8, 16, 40, 48, 64, 104]);
    // expanded 16, 96, 240, 120, 144, 288, 576 → ⌊e/4⌋ = 4, 24, 60, 30, 36, 72, 144 → 8, 24, 64, 32, 40, 72, 144
    expect([16, 96, 240, 120, 144, 288, 576].map(squeezeChannels)).toEqual([8, 24, 64, 32, 40, 72, 144]);
    const half = mobileNetV3SmallSpecs(0.5);
    expect(half.map((s) => [s.cin, s.expand, s.cout])).toEqual([
      [8, 8, 8],
      [8, 40, 16],
      [16, 48, 16],
      [16, 48, 24],
      [24, 120, 24],
      [24, 120, 24],
      [24, 64, 24],
      [24, 72, 24],
      [24, 144, 48],
      [48, 288, 48],
      [48, 288, 48],
    ]);
  });

  it("at width 1 has torchvision's mobilenet_v3_small().features count, 927,008, summed by hand", () => {
    // conv k²·cin·cout (depthwise k²·c), BN 2c, SE fc1 e·r + r, fc2 r·e + e (r = make_divisible(e/4, 8)); expansion skipped when e = in
    const hand = [
      27 * 16 + 32, //                                           stem 3×3 3→16                    =    464
      144 + 32 + (16 * 8 + 8 + 8 * 16 + 16) + 256 + 32, //      b0 16,3,16,16 SE r8 (no expand)  =    744
      1152 + 144 + 648 + 144 + 1728 + 48, //                    b1 16,3,72,24                    =  3,864
      2112 + 176 + 792 + 176 + 2112 + 48, //                    b2 24,3,88,24                    =  5,416
      2304 + 192 + 2400 + 192 + (2304 + 24 + 2304 + 96) + 3840 + 80, // b3 24,5,96,40 SE r24      = 13,736
      9600 + 480 + 6000 + 480 + (15360 + 64 + 15360 + 240) + 9600 + 80, // b4 40,5,240,40 SE r64  = 57,264
      9600 + 480 + 6000 + 480 + (15360 + 64 + 15360 + 240) + 9600 + 80, // b5 the same            = 57,264
      4800 + 240 + 3000 + 240 + (3840 + 32 + 3840 + 120) + 5760 + 96, // b6 40,5,120,48 SE r32    = 21,968
      6912 + 288 + 3600 + 288 + (5760 + 40 + 5760 + 144) + 6912 + 96, // b7 48,5,144,48 SE r40    = 29,800
      13824 + 576 + 7200 + 576 + (20736 + 72 + 20736 + 288) + 27648 + 192, // b8 48,5,288,96 SE r72 = 91,848
      55296 + 1152 + 14400 + 1152 + (82944 + 144 + 82944 + 576) + 55296 + 192, // b9 96,5,576,96 SE r144 = 294,096
      55296 + 1152 + 14400 + 1152 + (82944 + 144 + 82944 + 576) + 55296 + 192, // b10 the same   = 294,096
      96 * 576 + 1152, //                                       last 1×1 96→576                  = 56,448
    ];
    expect(hand).toEqual([464, 744, 3864, 5416, 13736, 57264, 57264, 21968, 29800, 91848, 294096, 294096, 56448]);
    expect(hand.reduce((a, b) => a + b, 0)).toBe(927_008);
    const b = builder();
    const m = createMobileNetV3Small(b, 'backbone', 1, 64, 64);
    expect(m.outChannels).toBe(576);
    expect(countParams(b.store)).toBe(927_008);
    expect(b.layers.reduce((s, l) => s + l.params, 0)).toBe(927_008);
    // blocks 0 (expand = in) has no expansion conv; blocks 1, 2 have no SE
    expect(b.store.trainable.has('backbone.block0.expand.conv.kernel')).toBe(false);
    expect(b.store.trainable.has('backbone.block1.se.reduce.kernel')).toBe(false);
    expect(b.store.trainable.get('backbone.block3.dw.conv.kernel')?.shape).toEqual([5, 5, 96, 1]);
    disposeParams(b.store);
  });

  for (const [height, width] of [
    [64, 64],
    [128, 256],
  ] as const) {
    it(`block outputs at ${height}×${width}: strides 2,4,8,8,16×5,32×3 and stride-32 576-channel output`, () => {
      const b = builder(1);
      const m = createMobileNetV3Small(b, 'backbone', 1, height, width);
      const x = tf.randomNormal([1, height, width, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      const shapes = tf.tidy(() => {
        const taps: tf.Tensor4D[] = [];
        const out = mobileNetV3Small(m, x, { training: false }, taps);
        return [...taps, out].map((t) => t.shape);
      });
      const strides = [2, 4, 8, 8, 16, 16, 16, 16, 16, 32, 32, 32, 32];
      const channels = [16, 16, 24, 24, 40, 40, 40, 48, 48, 96, 96, 96, 576];
      expect(shapes).toEqual(strides.map((s, i) => [1, height / s, width / s, channels[i]]));
      x.dispose();
      disposeParams(b.store);
    });
  }

  it("pads a stride-2 3×3 conv 1 on every side (PyTorch's padding=1), not tfjs 'same' (bottom/right only)", () => {
    const b = builder();
    const u = createConvBnAct(b, 'c', 3, 1, 1, 2, 'none', 2, 2);
    u.conv.kernel.assign(tf.ones([3, 3, 1, 1]));
    const x = tf.tensor4d(
      Float32Array.from({ length: 16 }, (_, i) => i + 1),
      [1, 4, 4, 1],
    );
    const y = Array.from(convBnAct(u, x, { training: false }).dataSync()).map((v) => v * Math.sqrt(1 + 1e-5));
    // rows −1..1 × cols −1..1 → 1+2+5+6 = 14; cols 1..3 → 2+3+4+6+7+8 = 30; rows 1..3: 5+6+9+10+13+14 = 57; 6+7+8+10+11+12+14+15+16 = 99
    [14, 30, 57, 99].forEach((v, i) => expect(y[i]).toBeCloseTo(v, 3));
    tf.dispose([x]);
    disposeParams(b.store);
  });
});
