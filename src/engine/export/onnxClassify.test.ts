import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Classifier } from '../models/model';
import { countParams, disposeParams } from '../models/params';
import { buildModel, createModel } from '../models/registry';
import { resnetArchitecture } from '../models/resnet18';
import { compactModel } from '../techniques/compaction';
import { exportOnnx, ONNX_METADATA_KEYS } from './exportOnnx';
import { decodeOnnxModel, ONNX_OPSET } from './onnxGraph';
import { calibrateBn, compareLogits, dimsOf, graphOf, nhwcToNchw, parameterFloats, randomImages, randomiseState, runOrt } from './ortCheck.fixture';

const CLASSES = 10;
const report: string[] = [];

/** Export `m`, run it in ONNX Runtime and the engine (inference) on the same batch of 2; returns the comparison and the file size. */
async function exportAndCompare(m: Classifier, size: number, seed: number) {
  const bytes = await exportOnnx(m);
  const x = randomImages(2, size, size, seed);
  const want = m.forward(x, { training: false });
  const engine = (await want.data()) as Float32Array;
  const ortOut = await runOrt(bytes, nhwcToNchw((await x.data()) as Float32Array, x.shape), [2, 3, size, size]);
  tf.dispose([x, want]);
  expect(ortOut.dims).toEqual([2, CLASSES]);
  const cmp = compareLogits(engine, ortOut.data, [2, CLASSES]);
  return { ...cmp, bytes };
}

/** Zero input groups (HWIO axis 2) of the given kernels, as RGSM leaves them. */
function zeroGroups(m: Classifier, groups: Record<string, number[]>): void {
  for (const [name, indices] of Object.entries(groups)) {
    const v = m.store.trainable.get(name)!;
    const t = tf.tidy(() => {
      const mask = Float32Array.from({ length: v.shape[2]! }, (_, c) => (indices.includes(c) ? 0 : 1));
      return tf.mul(v, tf.tensor4d(mask, [1, 1, v.shape[2]!, 1]));
    });
    v.assign(t);
    t.dispose();
  }
}

async function checkModel(label: string, m: Classifier, size: number, seed: number) {
  const { maxAbs, scale, agree, total, bytes } = await exportAndCompare(m, size, seed);
  report.push(`${label}: max|Δ| ${maxAbs.toExponential(2)} (max|logit| ${scale.toFixed(2)}), argmax ${agree}/${total}, ${bytes.length} bytes`);
  expect(maxAbs).toBeLessThan(1e-4);
  expect(agree).toBe(total);
  // every trainable variable and BN statistic is embedded once as an initializer
  const stats = [...m.store.state.values()].reduce((n, v) => n + v.size, 0);
  expect(parameterFloats(decodeOnnxModel(bytes))).toBe(countParams(m.store) + stats);
}

describe('ONNX export of the Prune lab classifiers, checked by ONNX Runtime', () => {
  afterAll(() => console.info(`ONNX export, classifiers:\n  ${report.join('\n  ')}`));

  for (const [name, size] of [
    ['vgg16', 32],
    ['vgg16', 64],
    ['resnet18', 32],
    ['resnet18', 36],
  ] as const) {
    it(`${name} 1/16 at ${size}×${size}: same logits and argmax as the engine${size === 64 ? ' (2×2 map before the dense layer: NHWC flatten order)' : ''}${size === 36 ? ' (odd sizes: symmetric stride-2 pads)' : ''}`, async () => {
      const m = createModel(name, { width: 1 / 16, numClasses: CLASSES, inputSize: size, seed: 3 });
      randomiseState(m.store, 4);
      calibrateBn((x) => m.forward(x, { training: true }), [size, size, 3], 13);
      await checkModel(`${name} 1/16 ${size}px`, m, size, 5);
      disposeParams(m.store);
    });
  }

  it("ResNet-18 writes pads [1, 1, 1, 1] for its stride-2 3×3 convs (PyTorch's padding 1), a model saved with tfjs 'same' its [0, 0, 1, 1]; both match", async () => {
    /** The Conv pads [top, left, bottom, right] by kernel name. */
    const padsOf = (bytes: Uint8Array) =>
      new Map(
        graphOf(decodeOnnxModel(bytes))
          .nodes.filter((n) => n.opType === 'Conv')
          .map((n) => [n.input![1]!, (n.attribute ?? []).find((a) => a.name === 'pads')!.ints!.map(Number)]),
      );
    const strided = ['layer2.0', 'layer3.0', 'layer4.0'];
    for (const [stridePad, want] of [
      ['symmetric', [1, 1, 1, 1]],
      ['same', [0, 0, 1, 1]],
    ] as const) {
      const arch = resnetArchitecture({ width: 1 / 16, numClasses: CLASSES, inputSize: 32, stridePad });
      const m = buildModel(arch, 16);
      randomiseState(m.store, 17);
      calibrateBn((x) => m.forward(x, { training: true }), [32, 32, 3], 18);
      const { maxAbs, agree, total, bytes } = await exportAndCompare(m, 32, 19);
      report.push(`resnet18 1/16 32px stridePad ${stridePad}: max|Δ| ${maxAbs.toExponential(2)}, argmax ${agree}/${total}`);
      expect(maxAbs).toBeLessThan(1e-4);
      expect(agree).toBe(total);
      const pads = padsOf(bytes);
      for (const b of strided) {
        expect(pads.get(`${b}.conv1.kernel`)).toEqual(want);
        expect(pads.get(`${b}.shortcut.conv.kernel`)).toEqual([0, 0, 0, 0]); // 1×1 stride 2: no padding in either
        expect(pads.get(`${b}.conv2.kernel`)).toEqual([1, 1, 1, 1]);
      }
      expect(pads.get('stem.conv.kernel')).toEqual([1, 1, 1, 1]);
      expect(JSON.parse(decodeOnnxModel(bytes).metadataProps.find((p) => p.key === 'workbench.architecture')!.value!)).toMatchObject({ stridePad });
      disposeParams(m.store);
    }
  });

  it('compacted (channel-pruned) VGG-16 and ResNet-18: the smaller nets export and match', async () => {
    const vgg = createModel('vgg16', { width: 1 / 16, numClasses: CLASSES, inputSize: 32, seed: 6 });
    randomiseState(vgg.store, 7);
    calibrateBn((x) => vgg.forward(x, { training: true }), [32, 32, 3], 14);
    zeroGroups(vgg, { 'conv1.kernel': [0, 2], 'conv5.kernel': [3, 7, 8], 'conv11.kernel': [1, 4] });
    const res = createModel('resnet18', { width: 1 / 16, numClasses: CLASSES, inputSize: 32, seed: 8 });
    randomiseState(res.store, 9);
    calibrateBn((x) => res.forward(x, { training: true }), [32, 32, 3], 15);
    zeroGroups(res, { 'layer1.0.conv2.kernel': [1], 'layer2.1.conv2.kernel': [0, 3], 'layer4.0.conv2.kernel': [5, 6, 7] });
    for (const [label, m] of [
      ['vgg16 1/16 compact', vgg],
      ['resnet18 1/16 compact', res],
    ] as const) {
      const { model: c, removed } = await compactModel(m, { threshold: 1e-15 });
      expect(removed.some((r) => r.after < r.before)).toBe(true);
      await checkModel(label, c, 32, 10);
      // and the compact export matches the masked dense net too (compaction is exact)
      const x = randomImages(2, 32, 32, 11);
      const [a, b] = [m.forward(x, { training: false }), c.forward(x, { training: false })];
      expect(compareLogits((await a.data()) as Float32Array, (await b.data()) as Float32Array, [2, CLASSES]).maxAbs).toBeLessThan(1e-4);
      tf.dispose([x, a, b]);
      disposeParams(m.store);
      disposeParams(c.store);
    }
  });

  it('writes valid ONNX (ORT loads it), opset 13, input [N,3,S,S] / output [N,K], and the normalisation metadata', async () => {
    const m = buildModel(
      { model: 'resnet18', numClasses: CLASSES, inputSize: 32, channels: { stages: [4, 8, 8, 16], inner: [4, 4, 8, 8, 8, 8, 16, 16] }, stridePad: 'symmetric' },
      12,
    );
    const normalization = { mean: [0.49, 0.48, 0.45] as [number, number, number], std: [0.25, 0.24, 0.26] as [number, number, number] };
    const before = tf.memory().numTensors;
    const bytes = await exportOnnx(m, { normalization });
    expect(tf.memory().numTensors).toBe(before);
    const model = decodeOnnxModel(bytes);
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', ONNX_OPSET]]);
    expect(ONNX_OPSET).toBeGreaterThanOrEqual(13);
    const meta = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    expect(Object.keys(meta).sort()).toEqual([...ONNX_METADATA_KEYS].sort());
    expect(JSON.parse(meta.input_mean!)).toEqual(normalization.mean);
    expect(JSON.parse(meta.input_std!)).toEqual(normalization.std);
    expect(JSON.parse(meta['workbench.architecture']!)).toEqual(m.architecture);
    const { inputs, outputs } = graphOf(model);
    expect(inputs.map((i) => [i.name, dimsOf(i)])).toEqual([['input', ['N', 3, 32, 32]]]);
    expect(outputs.map((o) => [o.name, dimsOf(o)])).toEqual([['logits', ['N', CLASSES]]]);
    // ORT accepts the file and runs a batch of 3 through the symbolic N
    const out = await runOrt(bytes, new Float32Array(3 * 3 * 32 * 32).fill(0.5), [3, 3, 32, 32]);
    expect(out.dims).toEqual([3, CLASSES]);
    // without stats the metadata says so instead of inventing them
    const bare = Object.fromEntries(decodeOnnxModel(await exportOnnx(m)).metadataProps.map((p) => [p.key, p.value]));
    expect(bare.input_mean).toBeUndefined();
    expect(bare.input_normalization).toMatch(/not recorded/);
    disposeParams(m.store);
  });
});
