import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { SEG_MEAN, SEG_STD } from '../data/segBatcher';
import { disposeParams } from '../models/params';
import { createSegModel, type SegModelKind } from '../models/seg/registry';
import { segCost } from '../models/seg/segModel';
import type { UpscaleName } from '../../protocol/labs/segment';
import { pixelShuffle } from '../techniques/pixelShuffle';
import { exportOnnx } from './exportOnnx';
import { decodeOnnxModel, OnnxGraph } from './onnxGraph';
import { pixelShuffle as shuffleNode } from './onnxLayers';
import { calibrateBn, compareLogits, dimsOf, graphOf, parameterFloats, nhwcToNchw, randomImages, randomiseState, runOrt } from './ortCheck.fixture';

const CLASSES = 5;
const [H, W] = [64, 128];
const report: string[] = [];

/** Kind, upscaling, and the teacher's refinement heads' channels (1/2, full resolution) where it has them. */
const MODELS: [SegModelKind, UpscaleName, { refine?: number; refineFull?: number }?][] = [
  ['teacher', 'bilinear'],
  ['teacher', 'bilinear', { refine: 6 }],
  ['teacher', 'bilinear', { refine: 6, refineFull: 4 }],
  ['tutor', 'bilinear'],
  ['tutor', 'pixelshuffle'],
  ['tutor', 'ps-both'],
  ['student', 'bilinear'],
  ['student', 'pixelshuffle'],
  ['student', 'ps-agg'],
  ['student', 'ps-head'],
  ['student', 'ps-both'],
  ['student', 'ps-head4'],
];

describe('ONNX export of the Segment lab models, checked by ONNX Runtime', () => {
  afterAll(() => console.info(`ONNX export, segmentation (${H}×${W}):\n  ${report.join('\n  ')}`));

  for (const [kind, upscale, heads] of MODELS) {
    const name = `${kind} (${upscale}${heads?.refine ? `, refine ${heads.refine}${heads.refineFull ? ` + full ${heads.refineFull}` : ''}` : ''})`;
    it(`${name} 1/8: same NCHW logits [2,${CLASSES},${H},${W}] and per-pixel argmax as the engine`, async () => {
      const m = createSegModel(kind, { numClasses: CLASSES, height: H, width: W, widthMultiplier: 1 / 8, upscale, seed: 21, ...heads });
      // The refinement classifiers start at zero: random ones, so the check sees their paths.
      for (const [n, v] of m.store.trainable) if (/^refine\.(full\.)?cls\.kernel$/.test(n)) v.assign(tf.randomNormal(v.shape, 0, 0.3, 'float32', 26));
      randomiseState(m.store, 22);
      calibrateBn((x) => m.forward(x, { training: true }), [H, W, 3], 25);
      const bytes = await exportOnnx(m);
      const x = randomImages(2, H, W, 23);
      const out = m.forward(x, { training: false });
      const engine = nhwcToNchw((await out.logits.data()) as Float32Array, out.logits.shape);
      const ortOut = await runOrt(bytes, nhwcToNchw((await x.data()) as Float32Array, x.shape), [2, 3, H, W]);
      tf.dispose([x, out.logits, ...Object.values(out.features)]);
      expect(ortOut.dims).toEqual([2, CLASSES, H, W]);
      const { maxAbs, scale, agree, ties, total } = compareLogits(engine, ortOut.data, [2, CLASSES, H, W]);
      report.push(
        `${name} 1/8: max|Δ| ${maxAbs.toExponential(2)} (max|logit| ${scale.toFixed(2)}), argmax ${agree}/${total} px${ties ? ` (+${ties} exact ties)` : ''}, ${bytes.length} bytes`,
      );
      expect(maxAbs).toBeLessThan(1e-4);
      // every pixel the same class, but for exact ties (the engine's two logits within 1e-6), which float rounding breaks either way
      expect(agree + ties).toBe(total);
      expect(ties).toBeLessThanOrEqual(2);
      const model = decodeOnnxModel(bytes);
      // exactly the deployed weights are embedded: inference params (aux heads, and the tutor's embedded student head, left out) + their BN running stats
      const deployed = m.layers.filter((l) => !l.aux);
      const runningStats = deployed.reduce(
        (n, l) => n + (l.kind === 'bn' ? l.params : l.kind === 'upscale' ? 2 * (m.store.state.get(`${l.name}.bn.runningMean`)?.size ?? 0) : 0),
        0,
      );
      expect(parameterFloats(model)).toBe(segCost(m).inference.params + runningStats);
      const ops = new Set(graphOf(model).nodes.map((n) => n.opType));
      expect(ops.has('DepthToSpace')).toBe(upscale !== 'bilinear' && kind !== 'teacher');
      expect(ops.has('Resize')).toBe(true); // zoomed cells (and the teacher's fusion) resize bilinearly in both variants
      disposeParams(m.store);
    });
  }

  it('writes the fixed Segment-lab normalisation (ImageNet constants, 0–1 scale) and NCHW logits dims', async () => {
    const m = createSegModel('student', { numClasses: CLASSES, height: 32, width: 64, widthMultiplier: 1 / 16, seed: 24 });
    const model = decodeOnnxModel(await exportOnnx(m));
    const meta = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    const mean = JSON.parse(meta.input_mean!) as number[];
    const std = JSON.parse(meta.input_std!) as number[];
    mean.forEach((v, c) => expect(v * 255).toBeCloseTo(SEG_MEAN[c]!, 4));
    std.forEach((v, c) => expect(v * 255).toBeCloseTo(SEG_STD[c]!, 4));
    expect(meta.output).toBe(`logits float32 NCHW [N, ${CLASSES}, 32, 64]`);
    expect(graphOf(model).outputs.map(dimsOf)).toEqual([['N', CLASSES, 32, 64]]);
    disposeParams(m.store);
  });

  it("PixelShuffle is DepthToSpace 'DCR': the engine's channel order (i·r + j)·C + c, not CRD", async () => {
    const [r, c, h, w] = [2, 3, 2, 3];
    const g = new OnnxGraph();
    const x = { name: g.addInput('input', ['N', r * r * c, h, w]), c: r * r * c, h, w };
    const y = shuffleNode({ g, weights: new Map() }, x, r);
    g.addOutput(g.add('Identity', [y.name], {}, 'logits'), ['N', c, h * r, w * r]);
    const bytes = g.encode({ graphName: 'ps', producerName: 't', producerVersion: '0', docString: '', metadata: {} });
    const values = Float32Array.from({ length: r * r * c * h * w }, (_, i) => i);
    const t = tf.tensor4d(values, [1, h, w, r * r * c]);
    const want = pixelShuffle(t, r);
    const expected = nhwcToNchw((await want.data()) as Float32Array, want.shape);
    const got = await runOrt(bytes, nhwcToNchw(values, t.shape), [1, r * r * c, h, w]);
    expect(Array.from(got.data)).toEqual(Array.from(expected));
    tf.dispose([t, want]);
  });
});
