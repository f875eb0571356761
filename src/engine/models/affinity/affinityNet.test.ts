import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { minimize } from '../../optim/minimize';
import { countParams, disposeParams } from '../params';
import { AFFINITY_PLANS, affinityArchitecture, affinityNetCost, createAffinityNet, type AffinityNet, type AffinityRole } from './affinityNet';

const ROLES: AffinityRole[] = ['student', 'teacher'];
const CLASSES = 10;

const input = (seed: number) => tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', seed) as tf.Tensor4D;

const ceLoss = (net: AffinityNet, x: tf.Tensor4D, labels: tf.Tensor2D) => () =>
  tf.losses.softmaxCrossEntropy(labels, net.forward(x, { training: true }).logits) as tf.Scalar;

describe('AffinityNet (EfficientNet-like teacher and student, §3)', () => {
  it('follows the documented table at width 1; the teacher is wider and deeper', () => {
    for (const role of ROLES) {
      const arch = affinityArchitecture(role, { numClasses: CLASSES, width: 1 });
      const plan = AFFINITY_PLANS[role];
      expect(arch).toEqual({ kind: 'affinity-net', role, width: 1, numClasses: CLASSES, inputSize: 32, stem: plan.stem, stages: plan.stages, head: plan.head });
    }
    const [s, t] = [AFFINITY_PLANS.student, AFFINITY_PLANS.teacher];
    expect(t.stem).toBeGreaterThan(s.stem);
    expect(t.head).toBeGreaterThan(s.head);
    t.stages.forEach((ts, i) => {
      expect(ts.channels).toBeGreaterThan(s.stages[i]!.channels);
      expect(ts.repeats).toBeGreaterThanOrEqual(s.stages[i]!.repeats);
    });
    // width 1/16: stem and stages clamp to 8, the head is 320 / 16 = 20
    const tiny = affinityArchitecture('student', { numClasses: CLASSES, width: 1 / 16 });
    expect([tiny.stem, ...tiny.stages.map((st) => st.channels), tiny.head]).toEqual([8, 8, 8, 8, 8, 20]);
  });

  for (const role of ROLES) {
    it(`${role} at width 1: affinityNetCost(arch).params = countParams(store), layer by layer`, () => {
      const net = createAffinityNet(role, { numClasses: 100, width: 1, seed: 1 });
      const cost = affinityNetCost(net.architecture);
      expect(cost.params).toBe(countParams(net.store));
      const names = [...net.store.trainable.keys()];
      for (const l of cost.layers) {
        const own = names.filter((n) => n.startsWith(`${l.name}.`));
        expect(own.length, l.name).toBeGreaterThan(0);
        expect(
          own.reduce((n, name) => n + net.store.trainable.get(name)!.size, 0),
          l.name,
        ).toBe(l.params);
      }
      expect(cost.layers.reduce((n, l) => n + l.macs, 0)).toBe(cost.macs);
      disposeParams(net.store);
    });
  }

  it('costs the teacher well above the student at every width', () => {
    for (const width of [1 / 4, 1 / 2, 1]) {
      const [s, t] = ROLES.map((role) => affinityNetCost(affinityArchitecture(role, { numClasses: 100, width })));
      expect(t!.params).toBeGreaterThan(2 * s!.params);
      expect(t!.macs).toBeGreaterThan(2 * s!.macs);
    }
    // regression: the width-1 totals at 100 classes (each equal to countParams, checked above)
    expect(affinityNetCost(affinityArchitecture('student', { numClasses: 100, width: 1 }))).toMatchObject({ params: 262_800, macs: 11_162_496 });
    expect(affinityNetCost(affinityArchitecture('teacher', { numClasses: 100, width: 1 }))).toMatchObject({ params: 1_438_770, macs: 50_288_416 });
  });

  for (const width of [1 / 4, 1]) {
    for (const role of ROLES) {
      it(`${role} at width ${width}: logits [2, ${CLASSES}], taps at 32/16/8/4 px with the stage channels; eval forward leaks nothing`, () => {
        const net = createAffinityNet(role, { numClasses: CLASSES, width, seed: 2 });
        const channels = net.architecture.stages.map((s) => s.channels);
        expect(net.stages).toEqual([32, 16, 8, 4].map((size, i) => ({ name: `stage${i + 1}`, size, channels: channels[i] })));
        const x = input(3);
        const before = tf.memory().numTensors;
        const { logits, taps } = net.forward(x, { training: false });
        expect(logits.shape).toEqual([2, CLASSES]);
        expect(taps.map((t) => t.shape)).toEqual(net.stages.map((s) => [2, s.size, s.size, s.channels]));
        tf.dispose([logits, ...taps]);
        expect(tf.memory().numTensors).toBe(before);
        x.dispose();
        disposeParams(net.store);
      });
    }
  }

  for (const role of ROLES) {
    it(`${role} at width 1/4: every trainable variable gets a non-zero gradient from CE; an SGD step leaks nothing`, () => {
      const net = createAffinityNet(role, { numClasses: CLASSES, width: 1 / 4, seed: 4 });
      const x = input(5);
      const labels = tf.oneHot(tf.tensor1d([1, 7], 'int32'), CLASSES) as tf.Tensor2D;
      const { value, grads } = tf.variableGrads(ceLoss(net, x, labels), [...net.store.trainable.values()]);
      for (const [name, v] of net.store.trainable) {
        const g = grads[v.name];
        expect(g, name).toBeDefined();
        expect(
          tf.tidy(() => tf.max(tf.abs(g!)).dataSync()[0]),
          name,
        ).toBeGreaterThan(0);
      }
      tf.dispose([value, ...Object.values(grads)]);
      const before = tf.memory().numTensors;
      const loss = minimize(ceLoss(net, x, labels), net.store.trainable, (g) =>
        tf.tidy(() => {
          for (const [name, v] of net.store.trainable) v.assign(tf.sub(v, tf.mul(g[name]!, 0.1)));
        }),
      );
      loss.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, labels]);
      disposeParams(net.store);
    });
  }

  it('refuses a bad width, input size or class count with one sentence', () => {
    expect(() => createAffinityNet('student', { numClasses: 10, width: 0, seed: 0 })).toThrow(/positive width multiplier/);
    expect(() => createAffinityNet('student', { numClasses: 10, width: 1, seed: 0, inputSize: 20 })).toThrow(/multiple of 8/);
    expect(() => createAffinityNet('teacher', { numClasses: 0, width: 1, seed: 0 })).toThrow(/class count/);
  });
});
