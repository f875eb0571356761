import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { UPSCALES, type UpscaleName } from '../../../protocol/labs/segment';
import { subPixelParams, upscaleParams } from '../upscale';
import { countParams, disposeParams } from '../params';
import { createSegModel, type SegModelKind } from './registry';
import { segCost, type SegModel, type StudentPlan } from './segModel';
import { studentPlan } from './student';
import { buildTeacher } from './teacher';
import { SAVED_UPSCALES } from './segSerialize';

const KINDS: SegModelKind[] = ['teacher', 'tutor', 'student'];
const TINY = 1 / 8;

const build = (kind: SegModelKind, upscale: UpscaleName, height: number, width: number, seed = 0, numClasses = 4): SegModel =>
  createSegModel(kind, { numClasses, height, width, widthMultiplier: TINY, upscale, seed });

/** stem 2/3/4, 1/16 width 5, 1/32 width 6, head 2, the default cells. */
const tinyPlan = (): StudentPlan => ({ ...studentPlan(1), stem: [2, 3, 4], c16: 5, c32: 6, head: 2 });

describe('segmentation models (§2)', () => {
  it("a saved model may name every upscaling variant the lab offers (the engine's list equals the protocol's)", () => {
    expect([...SAVED_UPSCALES]).toEqual([...UPSCALES]);
  });

  for (const [height, width] of [
    [64, 128],
    [128, 256],
  ] as const) {
    for (const kind of KINDS) {
      for (const upscale of kind === 'teacher' ? UPSCALES.slice(0, 1) : UPSCALES) {
        it(`${kind} (${upscale}) maps [2,${height},${width},3] to logits at input size; aux only in training`, () => {
          const m = build(kind, upscale, height, width);
          const x = tf.randomNormal([2, height, width, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
          const inf = m.forward(x, { training: false });
          expect(inf.logits.shape).toEqual([2, height, width, 4]);
          expect(inf.aux).toHaveLength(0);
          expect(inf.features.f8?.shape.slice(0, 3)).toEqual([2, height / 8, width / 8]);
          const tr = m.forward(x, { training: true });
          expect(tr.logits.shape).toEqual([2, height, width, 4]);
          expect(tr.aux).toHaveLength({ teacher: 0, tutor: 3, student: 2 }[kind]);
          for (const a of tr.aux) expect(a.shape).toEqual([2, height, width, 4]);
          if (kind !== 'student') expect(tr.features.f4?.shape.slice(0, 3)).toEqual([2, height / 4, width / 4]);
          expect(countParams(m.store)).toBe(segCost(m).params);
          tf.dispose([x, inf, tr] as unknown as tf.Tensor[]);
          disposeParams(m.store);
        });
      }
    }
  }

  it('counts the tiny student by hand: 3,973 params, 40,311 MACs at 32×32 (inference 3,749 / 39,813)', () => {
    const m = createSegModel('student', { numClasses: 3, height: 32, width: 32, plan: tinyPlan(), upscale: 'bilinear', seed: 0 });
    // params (conv k·k·cin·cout + BN 2c; classifier cin·3 + 3):
    //   stem  54+4, 54+6, 108+8                                                   =   234
    //   A     cell0 144+8; cell1 180+10+225+10; cell2 225+10; cell3 270+12; cell4 324+12;
    //         agg16 30+10 + 450+10; agg8 20+8 + 288+8                             = 2,254
    //   B     cell0 144+8; cell1 180+10; cell2 2·(225+10); agg8 28 + 296            = 1,136
    //   fuse 32+8; head 72+4 + 9; aux16 90+4 + 9; aux32 108+4 + 9                  =   349
    expect(countParams(m.store)).toBe(3973);
    // MACs: pixels 1/2 256, 1/4 64, 1/8 16, 1/16 4, 1/32 1; zoomed convs at half size (4, 1, 1)
    //   stem 54·256 + 54·64 + 108·16                                              = 19,008
    //   A 144·16 + (180+225)·4 + 225·1 + 270·1 + 324·1 + 30·1 + 450·4 + 20·4 + 288·16 = 11,261
    //   B 144·4 + 180·4 + 450·4 + 20·4 + 288·16                                    =  7,784
    //   fuse 32·16; head 72·16 + 6·16; aux16 90·4 + 6·4; aux32 108 + 6             =  2,258
    expect(segCost(m)).toMatchObject({ params: 3973, macs: 40_311, inference: { params: 3973 - 224, macs: 40_311 - 498 }, upscale: { params: 0, macs: 0 } });
    disposeParams(m.store);
  });

  it('counts the tiny tutor (hr 3) as the student plus 427 params, and its student part subset by name, shape and init', async () => {
    const s = createSegModel('student', { numClasses: 3, height: 32, width: 32, plan: tinyPlan(), seed: 5 });
    const t = createSegModel('tutor', { numClasses: 3, height: 32, width: 32, plan: tinyPlan(), hr: 3, seed: 5 });
    // tutor.hr.0/1 2·(81+6); agg4 reduce 12+6, refine 162+6; tutor.head 54+4 + 9
    expect(countParams(t.store)).toBe(3973 + 427);
    expect(segCost(t).params).toBe(3973 + 427);
    for (const [name, v] of s.store.trainable) {
      const tv = t.store.trainable.get(name);
      expect(tv?.shape, name).toEqual(v.shape);
      expect(Array.from(await tv!.data()), name).toEqual(Array.from(await v.data()));
    }
    for (const name of s.store.state.keys()) expect(t.store.state.has(name), name).toBe(true);
    expect([...t.store.trainable.keys()].filter((n) => !s.store.trainable.has(n)).every((n) => n.startsWith('tutor.'))).toBe(true);
    disposeParams(s.store);
    disposeParams(t.store);
  });

  it('counts the tiny teacher by hand: 4,060 params', () => {
    const t = buildTeacher(
      { model: 'seg-teacher', numClasses: 3, inputHeight: 32, inputWidth: 32, stem: 2, streams: [2, 3, 4, 5], blocks: 1, modules: [1, 1, 1, 1] },
      0,
    );
    // stem 58+40; stage1 80; transition2 60; stage2 80+174+10+60; transition3 116;
    // stage3 80+174+304 + fusion 10+12+60+18+120+116; transition4 190;
    // stage4 80+174+304+470 + fusion 36+99+264+602; head 196+28 + 14·3+3
    expect(countParams(t.store)).toBe(4060);
    expect(segCost(t).params).toBe(4060);
    disposeParams(t.store);
  });

  it('at every size the default student, tutor and teacher keep params = countParams; teacher ≫ student; student inference cost fixed', () => {
    const costs = (h: number, w: number) =>
      Object.fromEntries(
        KINDS.map((k) => {
          const m = createSegModel(k, { numClasses: 19, height: h, width: w, seed: 0 });
          const c = segCost(m);
          expect(c.params).toBe(countParams(m.store));
          disposeParams(m.store);
          return [k, c];
        }),
      );
    const lo = costs(64, 128);
    const hi = costs(128, 256);
    expect(lo.teacher!.params).toBeGreaterThan(3 * lo.student!.params);
    expect(lo.tutor!.params).toBeGreaterThan(lo.student!.params);
    expect(hi.student!.params).toBe(lo.student!.params);
    expect(hi.student!.macs).toBe(4 * lo.student!.macs);
  });

  it("PixelShuffle adds exactly the upscale modules' params to the student (no other change)", () => {
    const bi = createSegModel('student', { numClasses: 19, height: 64, width: 128, upscale: 'bilinear', seed: 0 });
    const ps = createSegModel('student', { numClasses: 19, height: 64, width: 128, upscale: 'pixelshuffle', seed: 0 });
    const plan = studentPlan(1);
    const [c8, c16] = [plan.stem[2], plan.c16];
    const modules = upscaleParams(c16, c16, 2, 'pixelshuffle') + 2 * upscaleParams(c8, c8, 2, 'pixelshuffle') + upscaleParams(19, 19, 8, 'pixelshuffle');
    expect(countParams(ps.store) - countParams(bi.store)).toBe(modules);
    expect(segCost(ps).upscale.params).toBe(modules);
    expect(segCost(bi).upscale.params).toBe(0);
    const upNames = [...ps.store.trainable.keys()].filter((n) => !bi.store.trainable.has(n));
    expect(upNames.every((n) => n.startsWith('up8.') || /\.agg(16|8)\.up\./.test(n))).toBe(true);
    // 19 classes, width 1: agg16.up 9·128 + 2·128 + 128·128·4 = 66,944; a.agg8.up, b.agg8.up 2 × (9·64 + 2·64 + 64·64·4) = 34,176;
    // up8 9·19 + 2·19 + 19·19·64 = 23,313 → 124,433 (+5.0 % over the bilinear student's 2,485,257)
    expect(modules).toBe(124_433);
    expect(countParams(bi.store)).toBe(2_485_257);
    disposeParams(bi.store);
    disposeParams(ps.store);
  });

  it('the variants (a) ps-agg, (b) ps-head, (c) ps-both, ps-head4 add exactly their modules to the bilinear student (the lab: width 1/2, 8 classes)', () => {
    const k = 8;
    const plan = studentPlan(1 / 2);
    const [c8, c16, mid] = [plan.stem[2], plan.c16, plan.head];
    const agg = upscaleParams(c16, c16, 2, 'pixelshuffle') + 2 * upscaleParams(c8, c8, 2, 'pixelshuffle');
    // a sub-pixel head replaces the plain 1×1 classifier (mid·k + k) by subPixelParams(mid, k, r)
    const head = (r: number) => subPixelParams(mid, k, r) - (mid * k + k);
    const cost = (upscale: UpscaleName) => {
      const m = createSegModel('student', { numClasses: k, height: 64, width: 128, widthMultiplier: 1 / 2, upscale, seed: 0 });
      const c = { params: countParams(m.store), inference: segCost(m).inference.params, upscale: segCost(m).upscale.params };
      disposeParams(m.store);
      return c;
    };
    const bi = cost('bilinear');
    const extra = (u: UpscaleName) => cost(u).params - bi.params;
    expect(extra('ps-agg')).toBe(agg);
    expect(extra('ps-head')).toBe(head(8));
    expect(extra('ps-both')).toBe(agg + head(8));
    expect(extra('ps-head4')).toBe(head(4));
    expect(cost('ps-head4').upscale).toBe(subPixelParams(mid, k, 4));
    // by hand at width 1/2 (c8 32, c16 64, head 32): agg = (9·64 + 128 + 64·64·4) + 2·(9·32 + 64 + 32·32·4) = 17,088 + 8,896 = 25,984;
    // sub-pixel ×8: 11·32 + 33·8·64 = 17,248 − (32·8 + 8) = 16,984; ×4: 11·32 + 33·8·16 = 4,576 − 264 = 4,312
    expect([agg, head(8), head(4)]).toEqual([25_984, 16_984, 4_312]);
    expect(bi.inference).toBe(566_480);
    // ps-head4 is the variant within +1 % of the bilinear student's deployed params (+0.76 %)
    expect(head(4) / bi.inference).toBeLessThan(0.01);
    expect(head(8) / bi.inference).toBeGreaterThan(0.01);
  });

  for (const kind of KINDS) {
    // the teacher upsamples bilinearly whatever the upscale option
    for (const upscale of kind === 'teacher' ? UPSCALES.slice(0, 1) : UPSCALES) {
      it(`${kind} (${upscale}): a gradient reaches every trainable variable; no tensor leaks per forward`, () => {
        const m = build(kind, upscale, 64, 64, 3);
        const x = tf.randomNormal([2, 64, 64, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
        const wts = tf.randomNormal([2, 64, 64, 4], 0, 1, 'float32', 4);
        const vars = [...m.store.trainable.values()];
        const { value, grads } = tf.variableGrads(() => {
          const out = m.forward(x, { training: true });
          return tf.addN([out.logits, ...out.aux].map((l) => tf.sum(tf.mul(l, wts)))) as tf.Scalar;
        }, vars);
        for (const [name, v] of m.store.trainable) {
          const g = grads[v.name];
          expect(g, name).toBeDefined();
          expect(
            tf.tidy(() => tf.max(tf.abs(g!)).dataSync()[0]),
            name,
          ).toBeGreaterThan(0);
        }
        tf.dispose([value, ...Object.values(grads)]);
        for (const training of [false, true]) {
          const before = tf.memory().numTensors;
          const out = m.forward(x, { training });
          tf.dispose([out.logits, ...out.aux, ...Object.values(out.features)]);
          expect(tf.memory().numTensors).toBe(before);
        }
        tf.dispose([x, wts]);
        disposeParams(m.store);
      });
    }
  }
});
