import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { createAffinityNet } from '../models/affinity/affinityNet';
import type { Classifier } from '../models/model';
import { disposeParams } from '../models/params';
import { buildModel, createModel } from '../models/registry';
import { resnetArchitecture } from '../models/resnet18';
import { createSegModel, type SegModelKind } from '../models/seg/registry';
import type { SegModel } from '../models/seg/segModel';
import { compactModel } from '../techniques/compaction';
import type { UpscaleName } from '../../protocol/labs/segment';
import { exportOnnx, type ExportableModel } from './exportOnnx';
import { importOnnx } from './importOnnx';
import { editOnnx, floatInitializer, initializersOf } from './importOnnx.fixture';
import { decodeOnnxModel, OnnxGraph } from './onnxGraph';
import { readWeights } from './onnxLayers';
import { calibrateBn, randomImages, randomiseState } from './ortCheck.fixture';

const CLASSES = 10;
const report: string[] = [];

/** The inference logits of any workbench model on NHWC `x`. */
function logits(m: ExportableModel, x: tf.Tensor4D): tf.Tensor {
  const out = m.forward(x, { training: false }) as tf.Tensor | { logits: tf.Tensor; features?: Record<string, tf.Tensor>; taps?: tf.Tensor[] };
  if (out instanceof tf.Tensor) return out;
  const rest = [...Object.values(out.features ?? {}), ...(out.taps ?? [])].filter((t) => t !== out.logits);
  tf.dispose(rest);
  return out.logits;
}

/** Export `m`, import the bytes, and compare the two models' inference logits on a batch of 2 (and the exported weights). */
async function roundTrip(label: string, m: ExportableModel, [h, w]: [number, number], seed: number): Promise<void> {
  const bytes = await exportOnnx(m);
  const imported = await importOnnx(bytes);
  expect(imported.model.architecture).toEqual(m.architecture);
  const x = randomImages(2, h, w, seed);
  const [a, b] = [logits(m, x), logits(imported.model, x)];
  const [va, vb] = [(await a.data()) as Float32Array, (await b.data()) as Float32Array];
  expect(b.shape).toEqual(a.shape);
  let maxAbs = 0;
  for (let i = 0; i < va.length; i++) maxAbs = Math.max(maxAbs, Math.abs(va[i]! - vb[i]!));
  tf.dispose([x, a, b]);
  // every parameter the export embeds comes back bit for bit
  const [wa, wb] = [await readWeights(m.store), await readWeights(imported.model.store)];
  const embedded = new Set((decodeOnnxModel(bytes).graph?.initializer ?? []).map((t) => t.name));
  for (const [name, t] of wa) if (embedded.has(name)) expect(Array.from(wb.get(name)!.values), name).toEqual(Array.from(t.values));
  report.push(`${label}: max|Δ logits| ${maxAbs.toExponential(2)}, ${bytes.length} bytes`);
  expect(maxAbs).toBeLessThan(1e-6);
  disposeParams(imported.model.store);
}

function prepare<T extends ExportableModel>(m: T, [h, w]: [number, number], seed: number): T {
  randomiseState(m.store, seed);
  calibrateBn((x) => m.forward(x, { training: true }), [h, w, 3], seed + 1);
  return m;
}

/** Zero input groups (HWIO axis 2) of the given kernels, as RGSM leaves them. */
function zeroGroups(m: Classifier, groups: Record<string, number[]>): void {
  for (const [name, indices] of Object.entries(groups)) {
    const v = m.store.trainable.get(name)!;
    const t = tf.tidy(() =>
      tf.mul(
        v,
        tf.tensor4d(
          Float32Array.from({ length: v.shape[2]! }, (_, c) => (indices.includes(c) ? 0 : 1)),
          [1, 1, v.shape[2]!, 1],
        ),
      ),
    );
    v.assign(t);
    t.dispose();
  }
}

describe('ONNX import: the inverse of the export', () => {
  afterAll(() => console.info(`ONNX import round trips:\n  ${report.join('\n  ')}`));

  for (const [name, size] of [
    ['vgg16', 32],
    ['vgg16', 64],
  ] as const) {
    it(`${name} 1/16 at ${size}×${size} round-trips (OIHW kernels, BN, dense rows in NCHW order)`, async () => {
      const m = prepare(createModel(name, { width: 1 / 16, numClasses: CLASSES, inputSize: size, seed: 3 }), [size, size], 4);
      await roundTrip(`${name} 1/16 ${size}px`, m, [size, size], 5);
      disposeParams(m.store);
    });
  }

  for (const stridePad of ['symmetric', 'same'] as const) {
    it(`resnet18 1/16 (stridePad '${stridePad}') round-trips`, async () => {
      const m = prepare(buildModel({ ...resnetArchitecture({ width: 1 / 16, numClasses: CLASSES, inputSize: 32 }), stridePad }, 6), [32, 32], 7);
      await roundTrip(`resnet18 1/16 ${stridePad}`, m, [32, 32], 8);
      disposeParams(m.store);
    });
  }

  it('a compacted VGG-16 and ResNet-18 round-trip', async () => {
    const vgg = prepare(createModel('vgg16', { width: 1 / 16, numClasses: CLASSES, inputSize: 32, seed: 9 }), [32, 32], 10);
    zeroGroups(vgg, { 'conv1.kernel': [0, 2], 'conv5.kernel': [3, 7, 8] });
    const res = prepare(createModel('resnet18', { width: 1 / 16, numClasses: CLASSES, inputSize: 32, seed: 11 }), [32, 32], 12);
    zeroGroups(res, { 'layer1.0.conv2.kernel': [1], 'layer4.0.conv2.kernel': [5, 6, 7] });
    for (const [label, m] of [
      ['vgg16 1/16 compact', vgg],
      ['resnet18 1/16 compact', res],
    ] as const) {
      const { model: c } = await compactModel(m, { threshold: 1e-15 });
      await roundTrip(label, c, [32, 32], 13);
      disposeParams(m.store);
      disposeParams(c.store);
    }
  });

  const SEG: [SegModelKind, UpscaleName][] = [
    ['teacher', 'bilinear'],
    ['student', 'bilinear'],
    ['student', 'ps-agg'],
    ['student', 'pixelshuffle'],
  ];
  it('Segment teacher with the 1/2 and full-resolution refinement heads round-trips', async () => {
    const m: SegModel = prepare(
      createSegModel('teacher', { numClasses: 5, height: 64, width: 128, widthMultiplier: 1 / 8, refine: 6, refineFull: 4, seed: 21 }),
      [64, 128],
      22,
    );
    for (const n of ['refine.cls.kernel', 'refine.full.cls.kernel']) {
      const v = m.store.trainable.get(n)!;
      v.assign(tf.randomNormal(v.shape, 0, 0.3, 'float32', 24));
    }
    await roundTrip('seg teacher refine 6 + full 4 1/8', m, [64, 128], 23);
    disposeParams(m.store);
  });

  for (const [kind, upscale] of SEG) {
    it(`Segment ${kind} (${upscale}) 1/8 at 64×128 round-trips (aux heads, not exported, keep their initialisation)`, async () => {
      const m: SegModel = prepare(createSegModel(kind, { numClasses: 5, height: 64, width: 128, widthMultiplier: 1 / 8, upscale, seed: 21 }), [64, 128], 22);
      await roundTrip(`seg ${kind} (${upscale}) 1/8`, m, [64, 128], 23);
      disposeParams(m.store);
    });
  }

  for (const role of ['student', 'teacher'] as const) {
    it(`Affinity ${role} 1/16 round-trips (depthwise as grouped conv, SE), with its normalisation`, async () => {
      const net = prepare(createAffinityNet(role, { numClasses: CLASSES, width: 1 / 16, seed: 31 }), [32, 32], 32);
      await roundTrip(`affinity ${role} 1/16`, net, [32, 32], 34);
      const normalization = { mean: [0.5, 0.49, 0.44] as [number, number, number], std: [0.27, 0.26, 0.28] as [number, number, number] };
      const imported = await importOnnx(await exportOnnx(net, { normalization }));
      expect(imported.format).toBe('affinity');
      expect(imported.normalization).toEqual(normalization);
      disposeParams(imported.model.store);
      disposeParams(net.store);
    });
  }

  describe('refusals, one sentence each', () => {
    const refusal = async (bytes: Uint8Array) => {
      const before = tf.memory().numTensors;
      const err = await importOnnx(bytes).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(tf.memory().numTensors).toBe(before); // nothing built is left behind
      return err?.message ?? '';
    };
    let vggBytes: Uint8Array;
    const vgg = () => createModel('vgg16', { width: 1 / 16, numClasses: CLASSES, inputSize: 32, seed: 40 });
    const bytesOf = async () => {
      if (!vggBytes) {
        const m = vgg();
        vggBytes = await exportOnnx(m);
        disposeParams(m.store);
      }
      return vggBytes;
    };

    it('random bytes', async () => {
      const rng = Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24);
      expect(await refusal(Uint8Array.from(rng))).toMatch(/not an ONNX file the workbench wrote/);
    });

    it('a valid ONNX model without the workbench metadata', async () => {
      const g = new OnnxGraph();
      g.addOutput(g.add('Identity', [g.addInput('input', ['N', 3])], {}, 'logits'), ['N', 3]);
      const bytes = g.encode({ graphName: 'x', producerName: 'someone', producerVersion: '1', docString: '', metadata: {} });
      expect(await refusal(bytes)).toMatch(/no workbench\.architecture in its metadata: it is not an ONNX file the workbench wrote/);
    });

    it('an unknown architecture', async () => {
      const bytes = editOnnx(await bytesOf(), (m) => {
        m.metadataProps.find((p) => p.key === 'workbench.architecture')!.value = JSON.stringify({ model: 'alexnet', numClasses: 10, inputSize: 32 });
      });
      expect(await refusal(bytes)).toMatch(/\("alexnet"\) is not one the workbench trains/);
    });

    it('an oversized architecture is refused before anything is built', async () => {
      const bytes = editOnnx(await bytesOf(), (m) => {
        const p = m.metadataProps.find((q) => q.key === 'workbench.architecture')!;
        p.value = JSON.stringify({ ...(JSON.parse(p.value ?? '{}') as object), inputSize: 100000 });
      });
      expect(await refusal(bytes)).toMatch(/at most 1024×1024/);
    });

    it('an initializer of the wrong shape, named', async () => {
      const bytes = editOnnx(await bytesOf(), (m) => {
        const t = initializersOf(m).find((i) => i.name === 'fc.kernel')!;
        const [rows, out] = (t.dims ?? []).map(Number) as [number, number];
        t.dims = [out, rows];
      });
      expect(await refusal(bytes)).toMatch(/weight 'fc\.kernel' has shape \[10, \d+\] where the architecture needs \[\d+, 10\]/);
    });

    it('a missing weight and an extra one, named', async () => {
      const missing = editOnnx(await bytesOf(), (m) => {
        m.graph!.initializer = initializersOf(m).filter((i) => i.name !== 'bn3.runningVar');
      });
      expect(await refusal(missing)).toMatch(/lacks the weight 'bn3\.runningVar'/);
      const extra = editOnnx(await bytesOf(), (m) => {
        initializersOf(m).push(floatInitializer('stowaway', [1]));
      });
      expect(await refusal(extra)).toMatch(/does not have: 'stowaway'/);
    });
  });
});
