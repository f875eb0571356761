import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { disposeParams } from '../params';
import { createAffinityNet } from './affinityNet';
import { AFFINITY_MODEL_FORMAT, loadAffinityNet, serializeAffinityNet } from './affinitySerialize';

const PROVENANCE = { run: 'r1', dataset: 'shapes', steps: 3, accuracy: 0.5 };
const roundTrip = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** A width-1/4 student whose BN running statistics have moved (one training forward), serialised. */
async function saved() {
  const net = createAffinityNet('student', { numClasses: 5, width: 1 / 4, seed: 7 });
  const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 8) as tf.Tensor4D;
  const out = net.forward(x, { training: true });
  tf.dispose([out.logits, ...out.taps]);
  const file = await serializeAffinityNet(net, PROVENANCE);
  return { net, x, json: roundTrip(file.json), weights: file.weights };
}

describe('Affinity model files', () => {
  it('serialize → load gives identical eval logits, architecture and provenance', async () => {
    const { net, x, json, weights } = await saved();
    expect(json.format).toBe(AFFINITY_MODEL_FORMAT);
    const { net: back, provenance } = loadAffinityNet(json, weights);
    expect(provenance).toEqual(PROVENANCE);
    expect(back.architecture).toEqual(net.architecture);
    expect(back.stages).toEqual(net.stages);
    const [a, b] = [net.forward(x, { training: false }), back.forward(x, { training: false })];
    expect(Array.from(b.logits.dataSync())).toEqual(Array.from(a.logits.dataSync()));
    b.taps.forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(Array.from(a.taps[i]!.dataSync())));
    tf.dispose([a.logits, ...a.taps, b.logits, ...b.taps, x]);
    disposeParams(net.store);
    disposeParams(back.store);
  });

  it('refuses damaged files with one clear sentence and leaks nothing', async () => {
    const { net, x, json, weights } = await saved();
    const teacher = createAffinityNet('teacher', { numClasses: 5, width: 1 / 4, seed: 7 });
    const t = await serializeAffinityNet(teacher, {});
    const arch = json.architecture;
    const cases: [string, unknown, ArrayBuffer, RegExp][] = [
      ['not an object', 'model', weights, /not an Affinity-lab model: its format is null/],
      ['another format', { ...json, format: 'pdw-segmentation-model' }, weights, /format is "pdw-segmentation-model"/],
      ['another kind', { ...json, architecture: { ...arch, kind: 'seg-student' } }, weights, /invalid at architecture\.kind/],
      ['three stages', { ...json, architecture: { ...arch, stages: arch.stages.slice(0, 3) } }, weights, /invalid at architecture\.stages/],
      ['kernel 4', { ...json, architecture: { ...arch, stages: arch.stages.map((s) => ({ ...s, kernel: 4 })) } }, weights, /architecture\.stages\.0\.kernel/],
      ['input 20', { ...json, architecture: { ...arch, inputSize: 20 } }, weights, /architecture\.inputSize: expected a multiple of 8/],
      ['no provenance', { ...json, provenance: undefined }, weights, /invalid at provenance/],
      ['truncated weights', json, weights.slice(0, weights.byteLength - 4), /bytes but the manifest describes/],
      [
        'a reshaped weight',
        { ...json, weights: json.weights.map((w) => (w.name === 'fc.kernel' ? { ...w, shape: [w.shape[1], w.shape[0]] } : w)) },
        weights,
        /Weight 'fc\.kernel' has shape \[5, 80\] but the architecture needs \[80, 5\]/,
      ],
      ['teacher weights, student architecture', { ...json, weights: t.json.weights }, t.weights, /lacks|lists|shape/],
      ['a renamed weight', { ...json, weights: json.weights.map((w) => (w.name === 'fc.bias' ? { ...w, name: 'fc.b' } : w)) }, weights, /lacks 'fc\.bias'/],
    ];
    const before = tf.memory().numTensors;
    for (const [what, j, w, message] of cases) {
      let err: unknown;
      try {
        loadAffinityNet(j, w);
      } catch (e) {
        err = e;
      }
      expect(err, what).toBeInstanceOf(Error);
      expect((err as Error).message, what).toMatch(message);
      expect((err as Error).message.trim().split(/\.\s+[A-Z]/), what).toHaveLength(1);
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    disposeParams(net.store);
    disposeParams(teacher.store);
  });
});
