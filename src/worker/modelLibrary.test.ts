import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { disposeParams, evaluateSplit, loadDataset, loadModel, loadSegModel, segImagesTensor, type Classifier } from '../engine';
import { compareLogits, nhwcToNchw, randomImages, runOrt } from '../engine/export/ortCheck.fixture';
import type { EngineEvent } from '../protocol/events';
import { SEGMENT_LAB, type SegConfig } from '../protocol/labs/segment';
import type { ModelFile, ModelInfo } from '../protocol/models';
import { AFFINITY_LAB } from '../protocol/labs/affinity';
import { testEngine, tinyConfig, tinyPruneConfig } from './engineApi.fixture';
import { ModelStore } from './modelStore';
import { SegZoo } from './segZoo';

let db = 0;
/** An engine whose model library writes to a fresh fake-indexeddb database. */
const engine = (labs: Parameters<typeof testEngine>[0] = {}) => testEngine({ ...labs, models: { open: () => ModelStore.open(`library-test-${db++}`) } });
const text = (f: ModelFile) => new TextDecoder().decode(f.bytes);
const lastList = (events: EngineEvent[]) => events.flatMap((e) => (e.type === 'models' ? [e.list] : [])).at(-1);

/** Logits of `m` on `x` (inference), read back. */
async function logits(m: Classifier, x: tf.Tensor4D): Promise<Float32Array> {
  const y = tf.tidy(() => m.forward(x, { training: false }));
  const v = (await y.data()) as Float32Array;
  y.dispose();
  return v;
}

describe('Model library through the worker seam (cpu backend)', () => {
  it('keeps a finished Train run’s model; its files round-trip, its ONNX agrees, imports are checked', async () => {
    const { api, events, waitEnd, seriesOf } = await engine();
    const config = tinyConfig();
    const tensors0 = tf.memory().numTensors;
    expect((await api.start('train', config, 'r1')).ok).toBe(true);
    expect(await waitEnd('r1')).toBe('done');

    const list = await api.listModels();
    expect(list).toHaveLength(1);
    const m = list[0]!;
    const accuracy = seriesOf('r1', 'test.acc').at(-1)!;
    expect(m).toMatchObject({
      lab: 'train',
      family: 'vgg16',
      dataset: 'shapes',
      datasetName: 'shapes',
      metric: { name: 'test accuracy', value: accuracy },
      inputSize: { height: 32, width: 32 },
      provenance: { runId: 'r1', steps: 6, seed: config.seed },
    });
    expect(m.name).toBe('vgg16 · shapes');
    expect(m.classNames).toHaveLength(10);
    expect(m.macs).toBeGreaterThan(m.params);
    expect(lastList(events)?.map((x) => x.id)).toEqual([m.id]);
    // The session was disposed once its weights were read: no tensor left behind by the run or the save.
    expect(tf.memory().numTensors).toBe(tensors0);
    console.info(`Train model (vgg16 1/16, 32×32): ${m.params} params, stored ${m.bytes} bytes`);

    // Download: the engine's loader rebuilds it, and it scores the stored accuracy on the run's test split.
    const files = await api.modelFiles(m.id);
    expect(files.ok).toBe(true);
    if (!files.ok) return;
    expect(files.files.json.name).toBe('vgg16-shapes.json');
    expect(files.files.weights.name).toBe('vgg16-shapes.bin');
    const json = JSON.parse(text(files.files.json)) as { library: ModelInfo; normalization: ModelInfo['normalization'] };
    expect(json.library.name).toBe(m.name);
    const model = loadModel(json, files.files.weights.bytes);
    expect(model.architecture.model).toBe('vgg16');
    const data = await loadDataset(config, () => undefined);
    const ev = await evaluateSplit(model, data.test, 32, json.normalization!);
    expect(ev.accuracy).toBe(accuracy);
    expect(m.params).toBe([...model.store.trainable.values()].reduce((n, v) => n + v.size, 0));

    // ONNX: ONNX Runtime's logits on a seeded input match the stored model's (same argmax for every image).
    const x = randomImages(4, 32, 32, 7);
    const want = await logits(model, x);
    const onnx = await api.exportModelOnnx(m.id);
    expect(onnx.ok).toBe(true);
    if (!onnx.ok) return;
    expect(onnx.file.name).toBe('vgg16-shapes.onnx');
    const ort = await runOrt(new Uint8Array(onnx.file.bytes), nhwcToNchw((await x.data()) as Float32Array, x.shape), [4, 3, 32, 32]);
    const cmp = compareLogits(want, ort.data, [4, 10]);
    expect(cmp.agree).toBe(4);
    expect(cmp.maxAbs).toBeLessThan(1e-4);
    console.info(`Train model as ONNX: ${onnx.file.bytes.byteLength} bytes, max|Δ logits| ${cmp.maxAbs.toExponential(2)}`);

    // Rename and the list follows.
    expect((await api.renameModel(m.id, '  my net  ')).ok).toBe(true);
    expect(lastList(events)?.[0]?.name).toBe('my net');
    const empty = await api.renameModel(m.id, '   ');
    expect(!empty.ok && empty.error.message).toBe('A model name needs 1 to 120 characters (got 0).');

    // Import: what modelFiles wrote comes back as a new model with identical logits.
    const again = await api.modelFiles(m.id);
    if (!again.ok) throw new Error(again.error.message);
    const imported = await api.importModel([again.files.json, again.files.weights]);
    expect(imported.ok).toBe(true);
    if (!imported.ok) return;
    expect(imported.model).toMatchObject({ lab: 'train', name: 'my net', metric: m.metric, params: m.params, macs: m.macs });
    expect(imported.model.provenance).toEqual({ ...m.provenance, importedFrom: 'my-net.json' });
    const back = await api.modelFiles(imported.model.id);
    if (!back.ok) throw new Error(back.error.message);
    const model2 = loadModel(JSON.parse(text(back.files.json)), back.files.weights.bytes);
    expect(await logits(model2, x)).toEqual(want);

    // Refusals name the file, and nothing stored changes.
    const before = (await api.listModels()).map((i) => i.id);
    const truncated = await api.importModel([
      again.files.json,
      { name: 'cut.bin', bytes: again.files.weights.bytes.slice(0, again.files.weights.bytes.byteLength - 4) },
    ]);
    expect(!truncated.ok && truncated.error.message).toMatch(
      /^cut\.bin has \d+ bytes but my-net\.json describes \d+: it is incomplete or belongs to another model\.$/,
    );
    const alien = JSON.parse(text(again.files.json)) as { architecture: { model: string } };
    alien.architecture.model = 'alexnet';
    const unknown = await api.importModel([
      { name: 'alexnet.json', bytes: new TextEncoder().encode(JSON.stringify(alien)).buffer as ArrayBuffer },
      again.files.weights,
    ]);
    expect(!unknown.ok && unknown.error.message).toMatch(/^alexnet\.json: The model\.json is invalid at architecture\.model/);
    const notJson = await api.importModel([{ name: 'x.json', bytes: new Uint8Array([1, 2]).buffer }, again.files.weights]);
    expect(!notJson.ok && notJson.error.message).toBe('x.json is not a JSON object: choose the .json file the workbench wrote.');
    expect((await api.listModels()).map((i) => i.id)).toEqual(before);

    // Delete.
    expect((await api.deleteModel(m.id)).ok).toBe(true);
    expect((await api.listModels()).map((i) => i.id)).toEqual([imported.model.id]);
    const gone = await api.modelFiles(m.id);
    expect(!gone.ok && gone.error.message).toMatch(/is not stored in this browser/);

    tf.dispose(x);
    disposeParams(model.store);
    disposeParams(model2.store);
    expect(tf.memory().numTensors).toBe(tensors0);
  }, 60_000);

  it('keeps a finished Segment run’s model with its mIoU, and its files predict what the zoo predicts', async () => {
    const { api, events, waitEnd } = await engine({ labs: { segment: { zoo: new SegZoo(async () => null) } } });
    const config: SegConfig = {
      ...SEGMENT_LAB.defaults(),
      model: 'student',
      chain: 'none',
      upscale: 'bilinear',
      trainSize: 16,
      testSize: 4,
      batchSize: 2,
      steps: 2,
      evalEvery: 2,
    };
    expect(await api.start('segment', config, 's1')).toEqual({ ok: true });
    expect(await waitEnd('s1')).toBe('done');
    const evals = events.flatMap((e) => (e.type === 'extra' && e.extra.kind === 'segEval' && e.runId === 's1' ? [e.extra.payload] : []));
    const zoo = await api.call('segment', 'zoo', []);
    const entry = zoo.entries.find((e) => e.slot === 'student-bilinear')!;

    const [m] = await api.listModels();
    const tensors1 = tf.memory().numTensors;
    expect(m).toMatchObject({
      lab: 'segment',
      family: 'seg-student',
      dataset: 'streets-real', // the lab's default dataset
      metric: { name: 'mIoU', value: evals.at(-1)!.mIoU },
      params: entry.params,
      macs: entry.macs,
      inputSize: { height: 64, width: 128 },
      provenance: { runId: 's1', steps: 2, seed: config.seed, slot: 'student-bilinear', chain: 'none' },
    });
    expect(m!.classNames).toEqual(entry.classNames);
    expect(m!.normalization!.mean[0]).toBeCloseTo(123.675 / 255, 12);
    console.info(`Segment model (student 1/16, 64×128): ${m!.params} params, stored ${m!.bytes} bytes`);

    const files = await api.modelFiles(m!.id);
    if (!files.ok) throw new Error(files.error.message);
    const { model, provenance } = loadSegModel(JSON.parse(text(files.files.json)), files.files.weights.bytes);
    expect(provenance.origin).toBe('s1');
    const rgb = new Uint8Array(64 * 128 * 3).map((_, i) => (i * 37) % 256);
    const r = await api.call('segment', 'predict', [{ size: 'low', images: [{ rgb }] }]);
    if (!r.ok) throw new Error(r.error.message);
    const x = segImagesTensor(rgb, 1, 64, 128);
    const pred = tf.tidy(() => tf.cast(tf.argMax(model.forward(x, { training: false }).logits, 3), 'int32'));
    expect(Uint8Array.from((await pred.data()) as Int32Array)).toEqual(r.result.images[0]!.predictions[0]!.classMap);
    tf.dispose([x, pred]);
    disposeParams(model.store);
    expect(tf.memory().numTensors).toBe(tensors1);
  }, 60_000);

  it('keeps a Prune run’s dense model (u for RGSM) and its compact net, and an Affinity teacher', async () => {
    const { api, waitEnd, seriesOf } = await engine({ labs: { affinity: { read: async () => null } } });
    expect((await api.start('prune', tinyPruneConfig({ method: 'rgsm', lambda1: 2, steps: 4, evalEvery: 2 }), 'p1')).ok).toBe(true);
    expect(await waitEnd('p1')).toBe('done');
    const [dense] = await api.listModels();
    expect(dense).toMatchObject({
      lab: 'prune',
      family: 'vgg16',
      metric: { value: seriesOf('p1', 'test.acc').at(-1) },
      provenance: { runId: 'p1', compact: false, method: 'rgsm' },
    });
    expect(dense!.name).toBe('vgg16 rgsm · shapes');
    const c = await api.call('prune', 'compact', ['p1']);
    if (!c.ok) throw new Error(c.error.message);
    await api.call('prune', 'compact', ['p1']); // compacting again keeps no second copy
    const [compact, ...rest] = await api.listModels();
    expect(rest.map((r) => r.id)).toEqual([dense!.id]);
    expect(compact).toMatchObject({
      lab: 'prune',
      name: 'vgg16 rgsm compact · shapes',
      params: c.report.after.params,
      macs: c.report.after.macs,
      metric: { name: 'test accuracy', value: c.report.testAccuracy },
      provenance: { runId: 'p1', compact: true },
    });
    expect(compact!.params).toBeLessThan(dense!.params);
    console.info(`Prune models: dense ${dense!.bytes} bytes, compact ${compact!.bytes} bytes`);

    const tiny = { ...AFFINITY_LAB.defaults(), role: 'teacher' as const, width: 1 / 16, batchSize: 4, steps: 2, evalEvery: 2, trainSize: 64, testSize: 16 };
    expect((await api.start('affinity', tiny, 'a1')).ok).toBe(true);
    expect(await waitEnd('a1')).toBe('done');
    const [teacher] = await api.listModels();
    expect(teacher).toMatchObject({
      lab: 'affinity',
      family: 'affinity-teacher',
      metric: { name: 'test accuracy', value: seriesOf('a1', 'test.acc').at(-1) },
      provenance: { runId: 'a1', role: 'teacher', steps: 2 },
    });
    expect((await api.call('affinity', 'teacher', [])).teacher?.params).toBe(teacher!.params);
    const onnx = await api.exportModelOnnx(teacher!.id);
    expect(onnx.ok && onnx.file.bytes.byteLength).toBeGreaterThan(1000);
    console.info(`Affinity teacher: ${teacher!.params} params, stored ${teacher!.bytes} bytes`);
  }, 60_000);

  it('a save that fails leaves the run done and says so in a notice (an error without a run id)', async () => {
    const { api, events, waitEnd } = await testEngine({ models: { open: () => Promise.reject(new Error('blocked')), log: () => undefined } });
    const tensors0 = tf.memory().numTensors;
    expect((await api.start('train', tinyConfig({ steps: 2, evalEvery: 2 }), 'f1')).ok).toBe(true);
    expect(await waitEnd('f1')).toBe('done');
    expect(await api.listModels()).toEqual([]);
    const notices = events.flatMap((e) => (e.type === 'error' ? [e] : []));
    expect(notices).toEqual([
      {
        type: 'error',
        runId: null,
        error: { code: 'storage-failed', message: "This browser's storage (IndexedDB) is not available (blocked), so models cannot be kept." },
      },
    ]);
    expect(tf.memory().numTensors).toBe(tensors0);
  });
});
