import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { countParams, disposeParams } from '../params';
import { DETECT_ENCODERS, detectArchitecture, type DetectEncoderKind } from './detectArch';
import { buildDetector, detectCost, type DetectModel } from './detector';

const [D, FFN, N] = [16, 32, 5];
/** Width 0.25 (every backbone width makeDivisible(·, 8) ≥ 8), d 16, 2 heads, 1 encoder layer, 2 decoder layers, 5 queries. */
const tiny = (kind: DetectEncoderKind, inputHeight = 64, inputWidth = 64, seed = 0): DetectModel =>
  buildDetector(
    detectArchitecture({
      inputHeight,
      inputWidth,
      widthMultiplier: 0.25,
      d: D,
      encoder: { kind, layers: 1, heads: 2, ffn: FFN },
      decoder: { layers: 2, heads: 2, ffn: FFN, queries: N },
    }),
    seed,
  );

const partOf = (m: DetectModel, part: string) => detectCost(m).parts.find((p) => p.part === part)!;

/**
 * Layer 0 of the decoder self-attends over tgt = 0 (DETR starts from zeros): its values are all bv, so its Q, K and V kernels
 * (and bq, bk) get no gradient in theory; while bv and bo are 0 (as at init, DETR's too) its output kernel gets none and norm1
 * normalises a zero vector, so norm1's γ gets none either. Every other trainable variable must get one.
 */
const STRUCTURALLY_ZERO = [
  ...['q.kernel', 'q.bias', 'k.kernel', 'k.bias', 'v.kernel', 'out.kernel'].map((s) => `decoder.layer0.selfAttn.${s}`),
  'decoder.layer0.norm1.gamma',
];

describe('compact DETR (§4)', () => {
  for (const kind of DETECT_ENCODERS) {
    it(`${kind} encoder: per-layer logits [B,N,2], boxes [B,N,4] in (0,1), attention [B,N,h·w]; training and inference`, () => {
      const m = tiny(kind, 64, 128);
      const x = tf.randomNormal([2, 64, 128, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      for (const training of [false, true]) {
        const out = m.forward(x, { training }, { attention: true });
        expect(out.logits.map((t) => t.shape)).toEqual([
          [2, N, 2],
          [2, N, 2],
        ]);
        expect(out.boxes.map((t) => t.shape)).toEqual([
          [2, N, 4],
          [2, N, 4],
        ]);
        const boxes = out.boxes[1]!.dataSync();
        expect(Math.min(...boxes)).toBeGreaterThan(0);
        expect(Math.max(...boxes)).toBeLessThan(1);
        expect(out.attention?.shape).toEqual([2, N, 2 * 4]);
        const rowSums = tf.tidy(() => tf.sum(out.attention!, -1).dataSync());
        rowSums.forEach((s) => expect(s).toBeCloseTo(1, 5));
        tf.dispose([...out.logits, ...out.boxes, out.attention!]);
      }
      const noAtt = m.forward(x, { training: false });
      expect(noAtt.attention).toBeUndefined();
      tf.dispose([...noAtt.logits, ...noAtt.boxes]);
      expect(detectCost(m).params).toBe(countParams(m.store));
      x.dispose();
      disposeParams(m.store);
    });

    it(`${kind} encoder: a gradient reaches every trainable variable; no tensor leaks per forward`, () => {
      const m = tiny(kind, 64, 64, 3);
      const x = tf.randomNormal([2, 64, 64, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
      const wl = tf.randomNormal([2, N, 2], 0, 1, 'float32', 4);
      const wb = tf.randomNormal([2, N, 4], 0, 1, 'float32', 5);
      const vars = [...m.store.trainable.values()];
      const zeros: string[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const out = m.forward(x, { training: true });
        const terms = [...out.logits.map((l) => tf.sum(tf.mul(l, wl))), ...out.boxes.map((bx) => tf.sum(tf.mul(bx, wb)))];
        return tf.addN(terms) as tf.Scalar;
      }, vars);
      for (const [name, v] of m.store.trainable) {
        const g = grads[v.name];
        expect(g, name).toBeDefined();
        const maxAbs = tf.tidy(() => tf.max(tf.abs(g!)).dataSync()[0]!);
        expect(Number.isFinite(maxAbs), name).toBe(true);
        if (!STRUCTURALLY_ZERO.includes(name)) expect(maxAbs, name).toBeGreaterThan(0);
        else zeros.push(name);
      }
      expect(zeros).toEqual(STRUCTURALLY_ZERO.filter((n) => m.store.trainable.has(n)));
      tf.dispose([value, ...Object.values(grads)]);
      for (const training of [false, true]) {
        const before = tf.memory().numTensors;
        const out = m.forward(x, { training }, { attention: true });
        tf.dispose([...out.logits, ...out.boxes, out.attention!]);
        expect(tf.memory().numTensors).toBe(before);
      }
      tf.dispose([x, wl, wb]);
      disposeParams(m.store);
    });
  }

  it('costs: parts sum to countParams; the encoders and decoder counted by hand (d 16, FFN 32, 2×2 = 4 tokens, 5 queries)', () => {
    const byKind = Object.fromEntries(DETECT_ENCODERS.map((k) => [k, tiny(k)])) as Record<DetectEncoderKind, DetectModel>;
    const [L, d] = [4, D];
    // transformer layer: attention 4·(d² + d) = 1,088; FFN (d·ffn + ffn) + (ffn·d + d) = 544 + 528 = 1,072; 2 LNs 4d = 64
    expect(partOf(byKind.transformer, 'encoder').params).toBe(4 * (d * d + d) + (d * FFN + FFN + FFN * d + d) + 4 * d);
    expect(partOf(byKind.transformer, 'encoder').params).toBe(2224);
    // MACs: projections 4·L·d² = 4,096; QKᵀ + AV 2·L·L·d = 512; FFN 2·L·d·ffn = 4,096
    expect(partOf(byKind.transformer, 'encoder').macs).toBe(4 * L * d * d + 2 * L * L * d + 2 * L * d * FFN);
    // conv block: 2·(9d² + 2d) = 4,672 params, 2·9d²·L MACs; dwconv: 2·(9d + d² + 2d) = 864 params, 2·(9d + d²)·L MACs
    expect(partOf(byKind.conv, 'encoder')).toMatchObject({ params: 4672, macs: 2 * 9 * d * d * L });
    expect(partOf(byKind.dwconv, 'encoder')).toMatchObject({ params: 864, macs: 2 * (9 * d + d * d) * L });
    expect(partOf(byKind.none, 'encoder')).toMatchObject({ params: 0, macs: 0 });
    // decoder: queries N·d = 80; per layer 2 attentions 2·1,088 + FFN 1,072 + 3 LNs 96 = 3,344; shared final LN 32
    expect(partOf(byKind.none, 'decoder').params).toBe(N * d + 2 * 3344 + 2 * d);
    // decoder MACs per layer: self (4·N·d² + 2·N·N·d), cross ((2N + 2L)·d² + 2·N·L·d), FFN 2·N·d·ffn
    const perLayer = 4 * N * d * d + 2 * N * N * d + (2 * N + 2 * L) * d * d + 2 * N * L * d + 2 * N * d * FFN;
    expect(partOf(byKind.none, 'decoder').macs).toBe(2 * perLayer);
    // heads: class d·2 + 2, box 2·(d² + d) + 4d + 4; MACs on both decoder layers' N outputs
    expect(partOf(byKind.none, 'heads')).toMatchObject({ params: 34 + 2 * 272 + 68, macs: 2 * N * (2 * d + 2 * d * d + 4 * d) });
    // projection: the width-0.25 backbone ends at 6·makeDivisible(96/4) = 6·24 = 144 channels → 144·16 + 16
    expect(partOf(byKind.none, 'projection')).toMatchObject({ params: 144 * d + d, macs: 144 * d * L });
    for (const m of Object.values(byKind)) {
      const cost = detectCost(m);
      expect(cost.parts.reduce((s, p) => s + p.params, 0)).toBe(countParams(m.store));
      expect(cost.params).toBe(countParams(m.store));
      disposeParams(m.store);
    }
  });

  it('the default architecture (128×256, width 1, d 128, 32 tokens): the cost table per encoder', () => {
    // encoder (2 layers): transformer 2·(4·(128² + 128) + 2·128·512 + 512 + 128 + 512) = 396,544 params,
    //   2·(4·32·128² + 2·32·32·128 + 2·32·128·512) = 13,107,200 MACs; conv 2·2·(9·128² + 256) = 590,848, 2·2·9·128²·32 = 18,874,368;
    //   dwconv 2·2·(9·128 + 128² + 256) = 71,168, 2·2·(9·128 + 128²)·32 = 2,244,608
    const expected = {
      none: { params: 1_566_630, macs: 51_515_392, encoder: [0, 0] },
      transformer: { params: 1_963_174, macs: 64_622_592, encoder: [396_544, 13_107_200] },
      conv: { params: 2_157_478, macs: 70_389_760, encoder: [590_848, 18_874_368] },
      dwconv: { params: 1_637_798, macs: 53_760_000, encoder: [71_168, 2_244_608] },
    };
    for (const kind of DETECT_ENCODERS) {
      const m = buildDetector(detectArchitecture({ encoder: { kind } }));
      const cost = detectCost(m);
      expect(partOf(m, 'backbone')).toMatchObject({ params: 927_008, macs: 36_009_984 });
      expect(partOf(m, 'projection')).toMatchObject({ params: 576 * 128 + 128, macs: 576 * 128 * 32 });
      expect(partOf(m, 'decoder')).toMatchObject({ params: 531_968, macs: 11_804_672 });
      expect(partOf(m, 'heads')).toMatchObject({ params: 33_798, macs: 1_341_440 });
      const e = expected[kind];
      expect([partOf(m, 'encoder').params, partOf(m, 'encoder').macs]).toEqual(e.encoder);
      expect({ params: cost.params, macs: cost.macs }).toEqual({ params: e.params, macs: e.macs });
      expect(cost.params).toBe(countParams(m.store));
      disposeParams(m.store);
    }
  });

  it('rejects input sizes that are not multiples of 32, d not a multiple of 4 or of the heads, unknown encoders', () => {
    expect(() => detectArchitecture({ inputHeight: 100 })).toThrow(/multiple of 32/);
    expect(() => detectArchitecture({ d: 18 })).toThrow(/multiple of 4/);
    expect(() => detectArchitecture({ d: 20, decoder: { heads: 8 } })).toThrow(/divisible/);
    expect(() => detectArchitecture({ encoder: { kind: 'lstm' as DetectEncoderKind } })).toThrow(/Unknown encoder/);
    expect(detectArchitecture({ encoder: { kind: 'none', layers: 3 } }).encoder.layers).toBe(0);
  });

  it('is identical for one seed and different for another', () => {
    const [a, b, c] = [tiny('conv', 64, 64, 7), tiny('conv', 64, 64, 7), tiny('conv', 64, 64, 8)];
    const q = (m: DetectModel) => Array.from(m.store.trainable.get('decoder.queries')!.dataSync());
    expect(q(a)).toEqual(q(b));
    expect(q(a)).not.toEqual(q(c));
    for (const m of [a, b, c]) disposeParams(m.store);
  });
});
