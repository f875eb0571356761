import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { createAffinityNet, createSegModel, disposeParams, exportOnnx, loadAffinityNet, loadModel, loadSegModel, type ExportableModel } from '../engine';
import { randomImages, randomiseState } from '../engine/export/ortCheck.fixture';
import { editOnnx, initializersOf, smallClassifier } from '../engine/export/importOnnx.fixture';
import type { ModelFile, ModelInfo } from '../protocol/models';
import { MAX_MODEL_ONNX_BYTES, importOnnxSizeProblem } from './modelFormats';
import { ModelLibrary } from './modelLibrary';
import { ModelStore } from './modelStore';
import type * as onnxModule from 'onnx-proto';

let db = 0;
function library() {
  const name = `onnx-import-${db++}`;
  const lists: ModelInfo[][] = [];
  const lib = new ModelLibrary({
    open: (hooks) => ModelStore.open(name, hooks),
    onList: (l) => lists.push(l),
    onFailure: () => undefined,
    log: () => undefined,
  });
  return { lib, lists };
}
const file = (name: string, bytes: Uint8Array): ModelFile => ({
  name,
  bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
});

/** Inference logits of any workbench model on NHWC `x`, read back. */
async function logits(m: ExportableModel, x: tf.Tensor4D): Promise<Float32Array> {
  const out = m.forward(x, { training: false }) as tf.Tensor | { logits: tf.Tensor; features?: Record<string, tf.Tensor>; taps?: tf.Tensor[] };
  const t = out instanceof tf.Tensor ? out : out.logits;
  const v = (await t.data()) as Float32Array;
  if (!(out instanceof tf.Tensor)) tf.dispose([out.logits, ...Object.values(out.features ?? {}), ...(out.taps ?? [])]);
  else out.dispose();
  return v;
}
const maxAbs = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('Model library: importing an .onnx the workbench wrote', () => {
  it('stores a classifier, a Segment student and an Affinity teacher as kept models of their labs; their stored files predict as the originals', async () => {
    const { lib, lists } = library();
    const normalization = { mean: [0.5, 0.49, 0.44] as [number, number, number], std: [0.27, 0.26, 0.28] as [number, number, number] };
    const vgg = smallClassifier('vgg16', 1);
    const seg = createSegModel('student', { numClasses: 5, height: 64, width: 128, widthMultiplier: 1 / 16, upscale: 'ps-agg', seed: 2 });
    const aff = createAffinityNet('teacher', { numClasses: 10, width: 1 / 16, seed: 3 });
    for (const [i, m] of [vgg, seg, aff].entries()) randomiseState(m.store, 10 + i);
    const cases = [
      { m: vgg, file: 'my vgg.onnx', opts: { normalization }, want: { lab: 'train', family: 'vgg16', inputSize: { height: 32, width: 32 }, normalization } },
      {
        m: seg,
        file: 'student.onnx',
        opts: {},
        want: { lab: 'segment', family: 'seg-student', inputSize: { height: 64, width: 128 }, provenance: { slot: 'student-pixelshuffle' } },
      },
      {
        m: aff,
        file: 'teacher.ONNX',
        opts: { normalization },
        want: { lab: 'affinity', family: 'affinity-teacher', normalization, provenance: { role: 'teacher' } },
      },
    ];
    const tensors0 = tf.memory().numTensors;
    for (const c of cases) {
      const r = await lib.import([file(c.file, await exportOnnx(c.m, c.opts))]);
      expect(r.ok, r.ok ? '' : r.error.message).toBe(true);
      if (!r.ok) return;
      expect(r.model).toMatchObject({ ...c.want, name: c.file.replace(/\.onnx$/i, ''), datasetName: 'imported ONNX', metric: { value: null } });
      expect(r.model.provenance).toMatchObject({ runId: null, importedFrom: c.file });
      expect(lists.at(-1)?.[0]?.id).toBe(r.model.id);
    }
    expect(tf.memory().numTensors).toBe(tensors0); // every model built for the import was disposed
    const list = await lib.list();
    expect(list.map((m) => m.name)).toEqual(['teacher', 'student', 'my vgg']);

    // the stored files load with the engine's loaders and predict exactly as the exported models
    const [sAff, sSeg, sVgg] = list;
    const read = async (id: string) => {
      const r = await lib.files(id);
      if (!r.ok) throw new Error(r.error.message);
      return { json: JSON.parse(new TextDecoder().decode(r.files.json.bytes)) as unknown, weights: r.files.weights.bytes };
    };
    const v = await read(sVgg!.id);
    const s = await read(sSeg!.id);
    const a = await read(sAff!.id);
    const pairs: [ExportableModel, ExportableModel, [number, number]][] = [
      [vgg, loadModel(v.json, v.weights), [32, 32]],
      [seg, loadSegModel(s.json, s.weights).model, [64, 128]],
      [aff, loadAffinityNet(a.json, a.weights).net, [32, 32]],
    ];
    for (const [orig, back, [h, w]] of pairs) {
      const x = randomImages(2, h, w, 7);
      expect(maxAbs(await logits(orig, x), await logits(back, x))).toBeLessThan(1e-6);
      x.dispose();
      disposeParams(back.store);
    }
    // and the stored model exports to ONNX again
    const again = await lib.exportOnnx(sVgg!.id);
    expect(again.ok).toBe(true);
    for (const m of [vgg, seg, aff]) disposeParams(m.store);
  });

  it('refuses anything else with a sentence naming the file, and leaves the stored list unchanged', async () => {
    const { lib } = library();
    const m = smallClassifier('resnet18', 4);
    const good = await exportOnnx(m);
    disposeParams(m.store);
    expect((await lib.import([file('kept.onnx', good)])).ok).toBe(true);
    const before = await lib.list();
    const reencode = (change: (p: onnxModule.onnx.ModelProto) => void) => editOnnx(good, change);
    const refusals: [ModelFile[], RegExp][] = [
      [
        [
          file(
            'noise.onnx',
            Uint8Array.from({ length: 2048 }, (_, i) => (i * 2654435761) >>> 24),
          ),
        ],
        /^noise\.onnx: .*not an ONNX file the workbench wrote/,
      ],
      [
        [
          file(
            'bare.onnx',
            reencode((p) => (p.metadataProps = [])),
          ),
        ],
        /^bare\.onnx: It has no workbench\.architecture in its metadata: it is not an ONNX file the workbench wrote\.$/,
      ],
      [
        [
          file(
            'shape.onnx',
            reencode((p) => {
              const t = initializersOf(p).find((i) => i.name === 'stem.conv.kernel')!;
              const [o, i, h, w] = t.dims ?? [];
              t.dims = [i!, o!, h!, w!];
            }),
          ),
        ],
        /^shape\.onnx: Its weight 'stem\.conv\.kernel' has shape \[3, \d+, 3, 3\] where the architecture needs \[\d+, 3, 3, 3\]\.$/,
      ],
      [[file('a.onnx', good), file('b.bin', good)], /^Choose two files: the model’s \.json and its \.bin weights \(exactly one \.json\)\.$/],
    ];
    for (const [files, want] of refusals) {
      const r = await lib.import(files);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(want);
      expect(await lib.list()).toEqual(before);
    }
  });

  it('an .onnx larger than a .json and its weights may be is refused by its size, before it is read', () => {
    expect(importOnnxSizeProblem({ name: 'big.onnx', bytes: MAX_MODEL_ONNX_BYTES })).toBeNull();
    expect(importOnnxSizeProblem({ name: 'big.onnx', bytes: MAX_MODEL_ONNX_BYTES + 1 })).toMatch(
      /^big\.onnx is [\d,]+ bytes; the workbench loads models of at most 32,000,000 weights/,
    );
  });
});
