import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { countParams, disposeParams } from '../params';
import { DETECT_ENCODERS, detectArchitecture, type DetectArchitecture } from './detectArch';
import { buildDetector, detectCost } from './detector';
import { detectParamCount } from './detectParamCount';
import { DETECT_MODEL_FORMAT, loadDetector, serializeDetector } from './detectSerialize';

const tinyArch = (kind: DetectArchitecture['encoder']['kind'] = 'dwconv'): DetectArchitecture =>
  detectArchitecture({
    inputHeight: 64,
    inputWidth: 64,
    widthMultiplier: 0.25,
    d: 16,
    encoder: { kind, layers: 1, heads: 2, ffn: 32 },
    decoder: { layers: 1, heads: 2, ffn: 32, queries: 4 },
  });

describe('detector files and counts (§4)', () => {
  it('detectParamCount (from the numbers alone) equals the built store and detectCost, per part', () => {
    for (const kind of DETECT_ENCODERS)
      for (const width of [0.25, 0.75]) {
        const arch = detectArchitecture({ ...tinyArch(kind), widthMultiplier: width, d: 24, encoder: { kind, layers: 2, heads: 3, ffn: 40 } });
        const m = buildDetector(arch);
        const count = detectParamCount(arch);
        expect(count.total).toBe(countParams(m.store));
        for (const p of detectCost(m).parts) expect(count[p.part], `${kind} ${width} ${p.part}`).toBe(p.params);
        disposeParams(m.store);
      }
    expect(detectParamCount(detectArchitecture()).backbone).toBe(927_008);
  });

  it('round-trips architecture, weights and BN statistics: the loaded model predicts the same', async () => {
    const m = buildDetector(tinyArch('conv'), 3);
    const x = tf.randomNormal([1, 64, 64, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
    const warm = m.forward(x, { training: true }); // moves the BN running statistics off their initial values
    tf.dispose([...warm.logits, ...warm.boxes]);
    const { json, weights } = await serializeDetector(m, { run: 'r1' });
    const { model, provenance } = loadDetector(JSON.parse(JSON.stringify(json)), weights);
    expect(provenance).toEqual({ run: 'r1' });
    expect(model.architecture).toEqual(m.architecture);
    const [a, b] = [m.forward(x, { training: false }), model.forward(x, { training: false })];
    expect(Array.from(b.boxes[0]!.dataSync())).toEqual(Array.from(a.boxes[0]!.dataSync()));
    expect(Array.from(b.logits[0]!.dataSync())).toEqual(Array.from(a.logits[0]!.dataSync()));
    tf.dispose([x, ...a.logits, ...a.boxes, ...b.logits, ...b.boxes]);
    disposeParams(m.store);
    disposeParams(model.store);
  });

  it('rejects another format, bad sizes, oversized architectures and mismatched weights with one sentence, leaking nothing', async () => {
    const m = buildDetector(tinyArch(), 0);
    const { json, weights } = await serializeDetector(m, {});
    disposeParams(m.store);
    const before = tf.memory().numTensors;
    expect(() => loadDetector({ ...json, format: 'pdw-affinity-model' }, weights)).toThrow(/not a Detect-lab model/);
    expect(() => loadDetector({ ...json, architecture: { ...json.architecture, inputHeight: 100 } }, weights)).toThrow(/multiple of 32/);
    const huge = { ...json.architecture, d: 1024, encoder: { kind: 'transformer', layers: 12, heads: 8, ffn: 8192 } };
    expect(() => loadDetector({ ...json, architecture: huge }, weights)).toThrow(/at most 32,000,000/);
    expect(() => loadDetector({ ...json, architecture: { ...json.architecture, d: 18 } }, weights)).toThrow(
      /invalid at architecture.d: expected a multiple of 4/,
    );
    const heads3 = { ...json.architecture, decoder: { ...json.architecture.decoder, heads: 3 } };
    expect(() => loadDetector({ ...json, architecture: heads3 }, weights)).toThrow(/cannot be built: d \(16\) must be divisible/);
    expect(() => loadDetector(json, weights.slice(4))).toThrow(/bytes/);
    expect(() => loadDetector({ ...json, architecture: { ...json.architecture, encoder: { ...json.architecture.encoder, kind: 'conv' } } }, weights)).toThrow(
      /lacks|shape|bytes/,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(json.format).toBe(DETECT_MODEL_FORMAT);
  });
});
