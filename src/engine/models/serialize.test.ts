import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../random';
import type { Classifier, ResNetArchitecture } from './model';
import { countParams, disposeParams } from './params';
import { buildModel, createModel } from './registry';
import { loadModel, serializeModel, type ModelJson } from './serialize';

/** Random values in every variable (BN stats positive), so a round trip that dropped anything shows. */
function randomise(m: Classifier, seed: number): void {
  const rng = mulberry32(seed);
  for (const [name, v] of [...m.store.trainable, ...m.store.state]) {
    const lo = name.endsWith('runningVar') ? 0.5 : -0.5;
    const t = tf.tensor(
      Float32Array.from({ length: v.size }, () => lo + rng()),
      v.shape,
    );
    v.assign(t);
    t.dispose();
  }
}

const clone = (j: ModelJson): ModelJson => JSON.parse(JSON.stringify(j)) as ModelJson;

describe('serializeModel / loadModel', () => {
  it('round-trips VGG-16 and a non-uniform ResNet-18 plan through JSON text with identical outputs', async () => {
    const models = [
      createModel('vgg16', { width: 1 / 16, numClasses: 10, inputSize: 32, seed: 1 }),
      buildModel(
        { model: 'resnet18', numClasses: 7, inputSize: 32, channels: { stages: [3, 5, 6, 9], inner: [2, 4, 3, 5, 6, 1, 9, 8] }, stridePad: 'symmetric' },
        2,
      ),
    ];
    for (const [i, m] of models.entries()) {
      randomise(m, 10 + i);
      const { modelJson, weightData } = await serializeModel(m);
      expect(modelJson.format).toBe('prune-distill-workbench');
      expect(modelJson.weightsManifest[0]!.paths).toEqual(['weights.bin']);
      const names = modelJson.weightsManifest[0]!.weights.map((w) => w.name);
      expect(names).toEqual([...m.store.trainable.keys(), ...m.store.state.keys()]);
      expect(names).toContain('fc.kernel');
      expect(names.some((n) => n.endsWith('.runningVar'))).toBe(true);
      const stateScalars = [...m.store.state.values()].reduce((n, v) => n + v.size, 0);
      expect(weightData.byteLength).toBe(4 * (countParams(m.store) + stateScalars));

      const before = tf.memory().numTensors;
      const loaded = loadModel(JSON.parse(JSON.stringify(modelJson)), weightData.slice(0));
      expect(tf.memory().numTensors).toBe(before + m.store.trainable.size + m.store.state.size);
      expect(loaded.architecture).toEqual(m.architecture);
      const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
      const a = m.forward(x, { training: false });
      const b = loaded.forward(x, { training: false });
      expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
      tf.dispose([x, a, b]);
      disposeParams(loaded.store);
      disposeParams(m.store);
    }
  });

  it("ResNet-18 stridePad: new files say 'symmetric'; a file from before the field loads as 'same' with the outputs it was trained with", async () => {
    const arch: Omit<ResNetArchitecture, 'stridePad'> = {
      model: 'resnet18',
      numClasses: 5,
      inputSize: 32,
      channels: { stages: [3, 4, 5, 6], inner: [2, 3, 4, 4, 5, 5, 6, 6] },
    };
    const old = buildModel({ ...arch, stridePad: 'same' }, 4);
    randomise(old, 20);
    const fresh = createModel('resnet18', { width: 1 / 16, numClasses: 5, inputSize: 32, seed: 5 });
    expect((await serializeModel(fresh)).modelJson.architecture).toMatchObject({ stridePad: 'symmetric' });
    disposeParams(fresh.store);

    const { modelJson, weightData } = await serializeModel(old);
    const legacy = JSON.parse(JSON.stringify(modelJson)) as { architecture: Record<string, unknown> };
    delete legacy.architecture.stridePad; // the model.json of a file written before the field
    const loaded = loadModel(legacy, weightData);
    expect(loaded.architecture).toEqual({ ...arch, stridePad: 'same' });
    // the same weights read as a symmetric (PyTorch) model: different outputs at this even size
    const symJson = JSON.parse(JSON.stringify(modelJson)) as ModelJson;
    symJson.architecture = { ...symJson.architecture, stridePad: 'symmetric' } as ModelJson['architecture'];
    const asSymmetric = loadModel(symJson, weightData);
    const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const [want, got, other] = [old.forward(x, { training: false }), loaded.forward(x, { training: false }), asSymmetric.forward(x, { training: false })];
    expect(Array.from(await got.data())).toEqual(Array.from(await want.data()));
    const d = tf.tidy(() => tf.max(tf.abs(tf.sub(other, want))).dataSync()[0]!);
    expect(d).toBeGreaterThan(1e-4);
    // and a re-save writes the field explicitly
    expect((await serializeModel(loaded)).modelJson.architecture).toMatchObject({ stridePad: 'same' });
    tf.dispose([x, want, got, other]);
    for (const m of [old, loaded, asSymmetric]) disposeParams(m.store);

    const bad = JSON.parse(JSON.stringify(modelJson)) as { architecture: Record<string, unknown> };
    bad.architecture.stridePad = 'reflect';
    expect(() => loadModel(bad, weightData)).toThrow(/^The model.json is invalid at architecture\.stridePad: /);
  });

  it('rejects bad input with one clear sentence and leaks nothing', async () => {
    const m = createModel('vgg16', { width: 1 / 16, numClasses: 10, inputSize: 32, seed: 3 });
    const { modelJson, weightData } = await serializeModel(m);
    disposeParams(m.store);
    const before = tf.memory().numTensors;
    const weights = modelJson.weightsManifest[0]!.weights;

    expect(() => loadModel({ ...clone(modelJson), format: 'tfjs-layers' }, weightData)).toThrow(
      /^This is not a Prune & Distill Workbench model: its format is "tfjs-layers"/,
    );
    expect(() => loadModel('hello', weightData)).toThrow(/not a Prune & Distill Workbench model/);

    const badPlan = clone(modelJson);
    badPlan.architecture = { ...badPlan.architecture, channels: [4, 4] } as ModelJson['architecture'];
    expect(() => loadModel(badPlan, weightData)).toThrow(/^The model.json is invalid at architecture\.channels: /);

    const badDtype = clone(modelJson) as unknown as { weightsManifest: { weights: { dtype: string }[] }[] };
    badDtype.weightsManifest[0]!.weights[0]!.dtype = 'int32';
    expect(() => loadModel(badDtype, weightData)).toThrow(/invalid at weightsManifest\.0\.weights\.0\.dtype/);

    expect(() => loadModel(modelJson, weightData.slice(0, weightData.byteLength - 4))).toThrow(
      `The weight file has ${weightData.byteLength - 4} bytes but the manifest describes ${weightData.byteLength}.`,
    );

    // drop the last weight (bn12.runningVar, 32 floats) from manifest and buffer: sizes agree, the name is missing
    const missing = clone(modelJson);
    const last = missing.weightsManifest[0]!.weights.pop()!;
    expect(last.name).toBe('bn12.runningVar');
    expect(() => loadModel(missing, weightData.slice(0, weightData.byteLength - 4 * 32))).toThrow(
      "The weights manifest lacks 'bn12.runningVar', which this vgg16 architecture needs.",
    );

    // same element count, wrong layout: conv1.kernel HWIO [3,3,4,4] declared as [9,4,4,1]
    const reshaped = clone(modelJson);
    const i = weights.findIndex((w) => w.name === 'conv1.kernel');
    reshaped.weightsManifest[0]!.weights[i]!.shape = [9, 4, 4, 1];
    expect(() => loadModel(reshaped, weightData)).toThrow("Weight 'conv1.kernel' has shape [9, 4, 4, 1] but the architecture needs [3, 3, 4, 4].");

    const renamed = clone(modelJson);
    renamed.weightsManifest[0]!.weights[0]!.name = 'conv0.weights';
    expect(() => loadModel(renamed, weightData)).toThrow("The weights manifest lacks 'conv0.kernel', which this vgg16 architecture needs.");

    const extra = clone(modelJson);
    extra.weightsManifest[0]!.weights.push({ name: 'extra.bias', shape: [2], dtype: 'float32' });
    const bigger = new Uint8Array(weightData.byteLength + 8);
    bigger.set(new Uint8Array(weightData));
    expect(() => loadModel(extra, bigger.buffer)).toThrow("The weights manifest lists 'extra.bias', which this vgg16 architecture does not have.");

    const badSize = clone(modelJson);
    badSize.architecture = { ...badSize.architecture, inputSize: 48 };
    expect(() => loadModel(badSize, weightData)).toThrow(/^The architecture in model.json cannot be built: VGG-16 needs an input size divisible by 32/);

    expect(tf.memory().numTensors).toBe(before);
  });
});
