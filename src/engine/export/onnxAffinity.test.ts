import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { createAffinityNet, type AffinityRole } from '../models/affinity/affinityNet';
import { countParams, disposeParams } from '../models/params';
import { exportOnnx } from './exportOnnx';
import { decodeOnnxModel } from './onnxGraph';
import { calibrateBn, compareLogits, graphOf, intAttr, nhwcToNchw, parameterFloats, randomImages, randomiseState, runOrt } from './ortCheck.fixture';

const CLASSES = 10;
const report: string[] = [];

describe('ONNX export of the Affinity lab nets (EfficientNet-like), checked by ONNX Runtime', () => {
  afterAll(() => console.info(`ONNX export, affinity nets (32×32):\n  ${report.join('\n  ')}`));

  for (const role of ['student', 'teacher'] as AffinityRole[]) {
    it(`${role} 1/16: same logits and argmax as the engine (MBConv, depthwise k3/k5 stride 2, SE, swish)`, async () => {
      const net = createAffinityNet(role, { numClasses: CLASSES, width: 1 / 16, seed: 31 });
      randomiseState(net.store, 32);
      calibrateBn((x) => net.forward(x, { training: true }), [32, 32, 3], 33);
      const normalization = { mean: [0.5, 0.49, 0.44] as [number, number, number], std: [0.27, 0.26, 0.28] as [number, number, number] };
      const bytes = await exportOnnx(net, { normalization });
      const x = randomImages(2, 32, 32, 34);
      const out = net.forward(x, { training: false });
      const engine = (await out.logits.data()) as Float32Array;
      const ortOut = await runOrt(bytes, nhwcToNchw((await x.data()) as Float32Array, x.shape), [2, 3, 32, 32]);
      tf.dispose([x, out.logits, ...out.taps]);
      expect(ortOut.dims).toEqual([2, CLASSES]);
      const { maxAbs, scale, agree, total } = compareLogits(engine, ortOut.data, [2, CLASSES]);
      report.push(`${role} 1/16: max|Δ| ${maxAbs.toExponential(2)} (max|logit| ${scale.toFixed(2)}), argmax ${agree}/${total}, ${bytes.length} bytes`);
      expect(maxAbs).toBeLessThan(1e-4);
      expect(agree).toBe(total);

      const model = decodeOnnxModel(bytes);
      const stats = [...net.store.state.values()].reduce((n, v) => n + v.size, 0);
      expect(parameterFloats(model)).toBe(countParams(net.store) + stats);
      const convs = graphOf(model).nodes.filter((n) => n.opType === 'Conv');
      const group = (n: (typeof convs)[number]) => intAttr(n, 'group') ?? 1;
      // one grouped (depthwise) Conv per MBConv block, group = its expanded channel count
      expect(convs.filter((n) => group(n) > 1).length).toBe(net.architecture.stages.reduce((k, s) => k + s.repeats, 0));
      const meta = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
      expect(JSON.parse(meta.input_mean!)).toEqual(normalization.mean);
      expect(meta['workbench.model']).toBe(`affinity-${role}`);
      disposeParams(net.store);
    });
  }
});
