import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  DetectSession,
  LETTERBOX_GREY,
  buildDetector,
  detectArchitecture,
  detectCost,
  disposeParams,
  generateDetectDataset,
  serializeDetector,
  type DetectDataset,
} from '../engine';
import {
  DETECT_ENCODER_NAMES,
  DETECT_LAB,
  LETTERBOX_GREY as VIEWER_GREY,
  type DetectConfig,
  type DetectPreview,
  type DetectZooInfo,
} from '../protocol/labs/detect';
import { DetectLab, detectArchitectureOf } from './detectLab';
import { DetectZoo, detectProvenanceOf } from './detectZoo';
import { testEngine } from './engineApi.fixture';
import { ModelStore } from './modelStore';
import type { ShippedReader } from './shippedFiles';
import { ShippedModels } from './shippedModels';

/** A tiny run: width 0.25, d 32, one encoder and one decoder layer, 4 queries, 8 + 4 built-in scenes, one step. */
const tiny = (over: Partial<DetectConfig> = {}): DetectConfig => ({
  ...DETECT_LAB.defaults(),
  width: 0.25,
  d: 32,
  heads: 2,
  ffnRatio: 2,
  encoderLayers: 1,
  decoderLayers: 1,
  queries: 4,
  batchSize: 2,
  steps: 1,
  evalEvery: 1,
  trainSize: 8,
  testSize: 4,
  pretrainedBackbone: false,
  ...over,
});

const none: ShippedReader = async () => null;
const zooPushes = (events: Awaited<ReturnType<typeof testEngine>>['events']) =>
  events.flatMap((e) => (e.type === 'push' && e.push.lab === 'detect' ? [e.push.value as DetectZooInfo] : []));

/** Shipped files as `npm run pretrain:detect` writes them (serializeDetector), for tiny detectors, in a map. */
async function shippedFiles(ap50: Record<'transformer' | 'conv', number>): Promise<ShippedReader> {
  const files = new Map<string, ArrayBuffer>();
  for (const slot of ['transformer', 'conv'] as const) {
    const arch = detectArchitecture({
      widthMultiplier: 0.25,
      d: 32,
      encoder: { kind: slot, layers: 1, heads: 2, ffn: 64 },
      decoder: { layers: 1, heads: 2, ffn: 64, queries: 4 },
    });
    const model = buildDetector(arch, slot === 'conv' ? 5 : 6);
    const { json, weights } = await serializeDetector(model, { dataset: 'people', steps: 5, seed: 1, ap50: ap50[slot], ap: ap50[slot] / 2, origin: 'shipped' });
    disposeParams(model.store);
    files.set(`${slot}.json`, new TextEncoder().encode(JSON.stringify(json)).buffer as ArrayBuffer);
    files.set(`${slot}.bin`, weights);
  }
  return async (path) => files.get(path) ?? null;
}

describe('letterbox grey', () => {
  it('is one value in the viewer (protocol) and the engine (training augmentation, real-photo evaluation)', () => {
    expect(LETTERBOX_GREY).toBe(VIEWER_GREY);
  });
});

describe('Detect lab through the worker seam (cpu backend)', () => {
  it('trains a tiny run to done, fills the empty slot, keeps the detector in the library; refuses bad settings and misfits', async () => {
    const open = () => ModelStore.open('detect-lab');
    const { api, events, waitEnd, waitFor, seriesOf, errorOf } = await testEngine({ labs: { detect: { read: none, store: open } }, models: { open } });
    const empty = await api.call('detect', 'zoo', []);
    expect(empty.entries).toEqual([]);
    expect(empty.shippedError).toMatch(/No shipped detectors were found \(run `npm run pretrain:detect`\)/);

    // The spec's choices keep d a multiple of every head count; the architecture check refuses any other pairing on its own.
    expect(() => detectArchitectureOf(tiny({ d: 36, heads: 8 }))).toThrow(/d \(36\) must be divisible by the attention heads \(8\)/);
    expect((await api.start('detect', tiny({ queries: 0 }), 'bad')).ok).toBe(false);
    expect(errorOf('bad')).toMatch(/Invalid Detect run settings \(queries:/);

    expect((await api.start('detect', tiny(), 'd1')).ok).toBe(true);
    expect(await waitEnd('d1')).toBe('done');
    for (const n of ['train.loss', 'detect.loss.ce.0', 'detect.loss.l1.0', 'detect.loss.giou.0', 'detect.matched', 'detect.gradNorm', 'step.ms']) {
      expect(seriesOf('d1', n), n).toHaveLength(1);
      expect(Number.isFinite(seriesOf('d1', n)[0]), n).toBe(true);
    }
    expect(seriesOf('d1', 'detect.loss.ce.1')).toEqual([]);
    const [ap50] = seriesOf('d1', 'test.ap50');
    expect(ap50).toBeGreaterThanOrEqual(0);
    const preview = events.flatMap((e) =>
      e.type === 'extra' && e.runId === 'd1' && e.extra.kind === 'detectPreview' ? [e.extra.payload as DetectPreview] : [],
    );
    expect(preview).toHaveLength(1);
    expect(preview[0]!.images).toHaveLength(4);

    // The run's detector fills the empty transformer pane and is kept in the library; the pane then names its library id.
    await waitFor(() => zooPushes(events).at(-1)?.entries[0]?.modelId != null);
    const zoo = zooPushes(events).at(-1)!;
    expect(zoo.entries).toHaveLength(1);
    expect(zoo.entries[0]).toMatchObject({
      slot: 'transformer',
      encoder: 'transformer',
      origin: 'd1',
      steps: 1,
      queries: 4,
      d: 32,
      ap50,
      dataset: 'People in street scenes (built-in)',
    });
    const models = await api.listModels();
    expect(models).toHaveLength(1);
    const kept = models[0]!;
    expect(kept).toMatchObject({ id: zoo.entries[0]!.modelId, lab: 'detect', family: 'detr-mobilenetv3-small', classNames: ['person'] });
    expect(kept.metric).toEqual({ name: 'AP@0.5', value: ap50 });
    expect(kept.provenance).toMatchObject({ runId: 'd1', steps: 1, encoder: 'transformer' });
    expect(kept.params).toBe(zoo.entries[0]!.params);

    // Its files import back as a detector (loaded and checked by the detection format); ONNX export is refused with a sentence.
    const files = await api.modelFiles(kept.id);
    if (!files.ok) throw new Error(files.error.message);
    const imported = await api.importModel([files.files.json, files.files.weights]);
    if (!imported.ok) throw new Error(imported.error.message);
    expect(imported.model).toMatchObject({ lab: 'detect', family: 'detr-mobilenetv3-small', params: kept.params, macs: kept.macs, metric: kept.metric });
    const onnx = await api.exportModelOnnx(kept.id);
    expect(onnx.ok ? '' : onnx.error.message).toMatch(/is a Detect-lab detector, which the workbench does not export to ONNX yet/);

    const misfit = await api.call('detect', 'useInZoo', ['conv', kept.id]);
    expect(misfit.ok ? '' : misfit.error.message).toMatch(/has a transformer encoder, which belongs in the transformer pane/);
    const shipped = await api.call('detect', 'useInZoo', ['transformer', 'shipped']);
    expect(shipped.ok ? '' : shipped.error.message).toMatch(/There is no shipped transformer-encoder detector/);
    const back = await api.call('detect', 'useInZoo', ['transformer', kept.id]);
    expect(back.ok && back.zoo.entries[0]).toMatchObject({ modelId: kept.id, origin: 'd1', ap50 });
  }, 120_000);

  it('loads shipped detectors into the zoo and the library, predicts on built-in scenes, lists costs, and keeps a better shipped detector', async () => {
    const read = await shippedFiles({ transformer: 1, conv: 0.25 });
    const listed = await new ShippedModels({ segment: none, affinity: none, detect: read }).load();
    expect(listed.map((m) => [m.id, m.lab, m.metric.value])).toEqual([
      ['m-shipped-detect-transformer', 'detect', 1],
      ['m-shipped-detect-conv', 'detect', 0.25],
    ]);

    const { api, events, waitEnd } = await testEngine({ labs: { detect: { read, store: null } } });
    const zoo = await api.call('detect', 'zoo', []);
    expect(zoo.shippedError).toBeNull();
    expect(zoo.entries.map((e) => [e.slot, e.encoder, e.origin, e.ap50, e.modelId])).toEqual([
      ['transformer', 'transformer', 'shipped', 1, null],
      ['conv', 'conv', 'shipped', 0.25, null],
    ]);

    const scenes = await api.call('detect', 'scenes', [3, 40]);
    if (!scenes.ok) throw new Error(scenes.error.message);
    expect(scenes.scenes.images.map((s) => s.index)).toEqual(Array.from({ length: 16 }, (_, i) => 3 + i)); // capped at 16
    // The realistic set's scenes are the realistic validation split's (the same renderer as training), not the classic ones.
    const real = await api.call('detect', 'scenes', [3, 2, 'realistic']);
    if (!real.ok) throw new Error(real.error.message);
    const realSet = await generateDetectDataset({ seed: 1, trainSize: 0, testSize: 5, style: 'realistic' });
    expect(Buffer.from(real.scenes.images[1]!.rgb).equals(Buffer.from(realSet.test.images.subarray(4 * 128 * 256 * 3)))).toBe(true);
    expect(Buffer.from(real.scenes.images[0]!.rgb).equals(Buffer.from(scenes.scenes.images[0]!.rgb))).toBe(false);
    const odd = await api.call('detect', 'scenes', [0, 1, 'fancy' as 'classic']);
    expect(odd.ok ? '' : odd.error.message).toBe('The built-in scenes are classic or realistic, not "fancy".');
    const scene = scenes.scenes.images.find((s) => s.truth.length > 0)!;
    const pred = await api.call('detect', 'predict', [{ images: [{ rgb: scene.rgb, truth: scene.truth }, { rgb: scene.rgb }], attention: true }]);
    if (!pred.ok) throw new Error(pred.error.message);
    const { result } = pred;
    expect(result).toMatchObject({ height: 128, width: 256, map: { height: 4, width: 8 } });
    for (const [i, im] of result.images.entries()) {
      expect(im.predictions.map((p) => [p.slot, p.encoder])).toEqual([
        ['transformer', 'transformer'],
        ['conv', 'conv'],
      ]);
      for (const p of im.predictions) {
        expect(p.ms).toBeGreaterThan(0);
        expect(p.queries.map((q) => q.query).sort()).toEqual([0, 1, 2, 3]);
        for (const q of p.queries) {
          expect(q.box.x1).toBeGreaterThanOrEqual(0);
          expect(q.box.x1).toBeLessThanOrEqual(q.box.x2);
          expect(q.box.x2).toBeLessThanOrEqual(256);
          expect(q.box.y1).toBeGreaterThanOrEqual(0);
          expect(q.box.y1).toBeLessThanOrEqual(q.box.y2);
          expect(q.box.y2).toBeLessThanOrEqual(128);
          expect(q.attention).toHaveLength(32);
          expect(q.attention!.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 4);
        }
        if (i === 0) expect(p.ap50).toBeGreaterThanOrEqual(0);
        else expect(p.ap50).toBeNull();
      }
    }
    const wrong = await api.call('detect', 'predict', [{ images: [{ rgb: new Uint8Array(10) }], attention: false }]);
    expect(wrong.ok ? '' : wrong.error.message).toMatch(/Image 1 has 10 bytes, not the 98304 of a 128×256 RGB image/);

    const config = tiny();
    const costs = await api.call('detect', 'costs', [config, true]);
    if (!costs.ok) throw new Error(costs.error.message);
    expect(costs.report).toMatchObject({ backend: 'cpu', inputHeight: 128, inputWidth: 256 });
    expect(costs.report.rows.map((r) => r.encoder)).toEqual([...DETECT_ENCODER_NAMES]);
    for (const row of costs.report.rows) {
      const model = buildDetector(detectArchitectureOf(config, row.encoder));
      const c = detectCost(model);
      disposeParams(model.store);
      expect([row.params, row.macs]).toEqual([c.params, c.macs]);
      expect(row.parts).toEqual(c.parts);
      expect(row.latencyMs).toBeGreaterThan(0);
    }
    const rows = costs.report.rows;
    expect(rows.find((r) => r.encoder === 'none')!.parts.find((p) => p.part === 'encoder')!.params).toBe(0);
    const badCosts = await api.call('detect', 'costs', [tiny({ d: 36 }), false]);
    expect(badCosts.ok ? '' : badCosts.error.message).toMatch(/Invalid Detect settings \(d: must be one of 32, 64, 128\)/);

    // A run scoring below the held AP@0.5 (1.0) leaves the shipped detector in its pane and says so.
    expect((await api.start('detect', tiny(), 'd2')).ok).toBe(true);
    expect(await waitEnd('d2')).toBe('done');
    const after = zooPushes(events).at(-1)!;
    expect(after.entries.map((e) => e.origin)).toEqual(['shipped', 'shipped']);
    expect(after.notice).toMatch(/The new transformer-encoder detector scored .* % AP@0.5, below the 100.0 % AP@0.5 of the one in the transformer pane/);
  }, 120_000);

  it('generates the built-in classic or realistic scenes as the dataset menu says (data seed 1, nothing loaded)', async () => {
    const loads: string[] = [];
    const lab = new DetectLab({ loadDetection: async (id) => (loads.push(id), Promise.reject(new Error('no'))) }, new DetectZoo(none), () => undefined);
    for (const [dataset, style, name] of [
      ['people', 'classic', 'People in street scenes (built-in)'],
      ['people-realistic', 'realistic', 'People in realistic street scenes (built-in)'],
    ] as const) {
      const session = await lab.plan(tiny({ dataset, trainSize: 3, testSize: 2 }), 'r').prepare(
        () => undefined,
        () => undefined,
      );
      const { data } = (session as DetectSession).trainer;
      const expected = await generateDetectDataset({ seed: 1, trainSize: 3, testSize: 2, style });
      expect(data.name).toBe(name);
      expect(Buffer.from(data.train.images).equals(Buffer.from(expected.train.images))).toBe(true);
      expect(Buffer.from(data.test.images).equals(Buffer.from(expected.test.images))).toBe(true);
      session.dispose();
    }
    expect(loads).toEqual([]);
    // A detector file names its data by the engine's set name; the zoo and the library show the menu's name.
    expect(detectProvenanceOf({ dataset: 'streets-people' }, 'shipped').datasetName).toBe('People in street scenes (built-in)');
    expect(detectProvenanceOf({ dataset: 'streets-people-realistic' }, 'shipped').datasetName).toBe('People in realistic street scenes (built-in)');
    expect(detectProvenanceOf({ dataset: 'COCO persons' }, 'shipped').datasetName).toBe('COCO persons');
    expect(detectProvenanceOf({ dataset: 'x', datasetName: 'Given' }, 'shipped').datasetName).toBe('Given');
    // The settings schema takes both built-in ids and imported ones, nothing else.
    for (const [dataset, ok] of [
      ['people', true],
      ['people-realistic', true],
      ['ds-coco-1', true],
      ['people-real', false],
      ['streets-real', false],
    ] as const)
      expect(DETECT_LAB.schema.safeParse(tiny({ dataset })).success, dataset).toBe(ok);
  }, 60_000);

  it('trains on an imported set (loaded once, splits capped at trainSize / testSize) and refuses one of another image size', async () => {
    const stored = await generateDetectDataset({ seed: 2, trainSize: 10, testSize: 6 });
    const loads: string[] = [];
    let served: DetectDataset = { ...stored, name: 'COCO persons' };
    const lab = new DetectLab({ loadDetection: async (id) => (loads.push(id), served) }, new DetectZoo(none), () => undefined);
    const prepare = async (config: DetectConfig) =>
      lab.plan(config, 'r').prepare(
        () => undefined,
        () => undefined,
      );
    for (let i = 0; i < 2; i++) {
      const session = await prepare(tiny({ dataset: 'ds-coco', trainSize: 8, testSize: 4 }));
      expect(session).toBeInstanceOf(DetectSession);
      const { data } = (session as DetectSession).trainer;
      expect([data.name, data.train.count, data.test.count, data.train.boxes.length]).toEqual(['COCO persons', 8, 4, 8]);
      expect(data.train.images).toHaveLength(8 * 128 * 256 * 3);
      session.dispose();
    }
    expect(loads).toEqual(['ds-coco']); // cached across runs
    lab.forgetDataset('ds-coco');
    served = { ...stored, name: 'Tiny VOC', height: 64, width: 128 };
    await expect(prepare(tiny({ dataset: 'ds-coco' }))).rejects.toThrow(/Tiny VOC holds 64×128 images; the Detect lab trains at 128×256/);
    expect(loads).toEqual(['ds-coco', 'ds-coco']);
  }, 60_000);

  it('starts the backbone from the shipped pretrained one when asked, and refuses a missing one or another width in one sentence', async () => {
    // A "pretrained" backbone file as pretrain:detect writes it (a detector whose backbone.* weights are the point), width 0.25.
    const donor = buildDetector(detectArchitecture({ widthMultiplier: 0.25, d: 32, encoder: { kind: 'none', layers: 0 } }), 77);
    const { json, weights } = await serializeDetector(donor, { pretext: 'test' });
    const files = new Map<string, ArrayBuffer>([
      ['backbone.json', new TextEncoder().encode(JSON.stringify(json)).buffer as ArrayBuffer],
      ['backbone.bin', weights],
    ]);
    const data = await generateDetectDataset({ seed: 2, trainSize: 4, testSize: 2 });
    const labWith = (read: ShippedReader) => new DetectLab({ loadDetection: async () => ({ ...data, name: 'set' }) }, new DetectZoo(read), () => undefined);
    const prepare = (lab: DetectLab, config: DetectConfig) =>
      lab.plan(config, 'r').prepare(
        () => undefined,
        () => undefined,
      );
    const config = tiny({ dataset: 'ds-x', trainSize: 4, testSize: 2, pretrainedBackbone: true });
    const session = (await prepare(
      labWith(async (path) => files.get(path) ?? null),
      config,
    )) as DetectSession;
    const k = 'backbone.block5.dw.conv.kernel';
    expect(Array.from(await session.trainer.model.store.trainable.get(k)!.data())).toEqual(Array.from(await donor.store.trainable.get(k)!.data()));
    const stateName = [...donor.store.state.keys()].find((n) => n.startsWith('backbone.last.'))!; // a BN running statistic
    expect(Array.from(await session.trainer.model.store.state.get(stateName)!.data())).toEqual(Array.from(await donor.store.state.get(stateName)!.data()));
    session.dispose();
    disposeParams(donor.store);
    await expect(prepare(labWith(none), config)).rejects.toThrow(
      /There is no pretrained backbone \(public\/models\/detect\/backbone.json: run `npm run pretrain:detect`\)/,
    );
    await expect(
      prepare(
        labWith(async (path) => files.get(path) ?? null),
        { ...config, width: 0.5 },
      ),
    ).rejects.toThrow(/The pretrained backbone has width 0.25; set the backbone width multiplier to 0.25/);
  }, 60_000);
});

describe('fine-tuning the viewer’s detector (fineTune)', () => {
  it('starts from every weight of the pane’s detector and counts its steps on; refuses no encoder, an empty pane, another architecture', async () => {
    const data = await generateDetectDataset({ seed: 2, trainSize: 4, testSize: 2 });
    const zoo = new DetectZoo(await shippedFiles({ transformer: 0.3, conv: 0.2 }));
    const lab = new DetectLab({ loadDetection: async () => ({ ...data, name: 'set' }) }, zoo, () => undefined);
    const config = tiny({ dataset: 'ds-x', trainSize: 4, testSize: 2, fineTune: true, pretrainedBackbone: true });
    const plan = lab.plan(config, 'ft');
    const session = (await plan.prepare(
      () => undefined,
      () => undefined,
    )) as DetectSession;
    const held = zoo.get('transformer')!;
    const names = [...held.model.store.trainable.keys(), ...held.model.store.state.keys()];
    expect(names.length).toBeGreaterThan(50);
    const value = (m: DetectSession['trainer']['model'], n: string) => (m.store.trainable.get(n) ?? m.store.state.get(n))!.data();
    for (const n of names) expect(Array.from(await value(session.trainer.model, n)), n).toEqual(Array.from(await value(held.model, n)));
    // Once done (a step and an evaluation), the fine-tuned detector's provenance counts the shipped one's 5 steps and this run's 1.
    await session.step();
    await session.evaluate();
    zoo.put('transformer', held.model, { ...held.provenance, ap50: 0 }); // so that the new detector fills the pane whatever its AP
    expect(plan.finish(session, 'done')).toBe(true);
    expect(zoo.get('transformer')!.provenance).toMatchObject({ steps: 6, origin: 'ft' });
    session.dispose();

    const prepare = (c: DetectConfig, l = lab) =>
      l.plan(c, 'r').prepare(
        () => undefined,
        () => undefined,
      );
    // dwconv belongs in the conv pane, whose detector has a conv encoder.
    await expect(prepare({ ...config, encoder: 'dwconv' })).rejects.toThrow(
      /The viewer’s conv detector is built otherwise than the form says \(encoder dwconv in the form, conv in the detector\)/,
    );
    await expect(prepare({ ...config, queries: 5, decoderLayers: 2 })).rejects.toThrow(
      /\(decoder layers 2 in the form, 1 in the detector; queries 5 in the form, 4 in the detector\)/,
    );
    // The head count is not in the weights' shapes: the check has to catch it.
    await expect(prepare({ ...config, heads: 4 })).rejects.toThrow(/heads 4 in the form, 2 in the detector/);
    await expect(prepare({ ...config, encoder: 'none' })).rejects.toThrow(/A detector without an encoder has no viewer pane to start from/);
    const empty = new DetectLab({ loadDetection: async () => ({ ...data, name: 'set' }) }, new DetectZoo(none), () => undefined);
    await expect(prepare(config, empty)).rejects.toThrow(/The viewer’s transformer pane is empty, so there is no detector to fine-tune/);
    for (const { model } of zoo.all()) disposeParams(model.store);
  }, 60_000);
});
