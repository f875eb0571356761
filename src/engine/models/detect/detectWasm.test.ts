import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../wasm/trainingKernels';
import { disposeParams } from '../params';
import { detectArchitecture, type DetectEncoderKind } from './detectArch';
import { buildDetector } from './detector';

/** Every trainable gradient of a tiny detector (weighted sum of all outputs, training mode) on the current backend. */
async function detectorGradients(kind: DetectEncoderKind): Promise<Map<string, Float32Array>> {
  const m = buildDetector(
    detectArchitecture({
      inputHeight: 64,
      inputWidth: 64,
      widthMultiplier: 0.25,
      d: 16,
      encoder: { kind, layers: 1, heads: 2, ffn: 32 },
      decoder: { layers: 2, heads: 2, ffn: 32, queries: 5 },
    }),
    2,
  );
  const rand = (shape: number[], seed: number) =>
    tf.tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(seed * 1000 + i * 0.7)),
      shape,
    );
  const x = rand([2, 64, 64, 3], 1) as tf.Tensor4D;
  const [wl, wb] = [rand([2, 5, 2], 2), rand([2, 5, 4], 3)];
  const { value, grads } = tf.variableGrads(() => {
    const out = m.forward(x, { training: true });
    return tf.addN([...out.logits.map((l) => tf.sum(tf.mul(l, wl))), ...out.boxes.map((b) => tf.sum(tf.mul(b, wb)))]) as tf.Scalar;
  }, [...m.store.trainable.values()]);
  const out = new Map<string, Float32Array>();
  for (const [name, v] of m.store.trainable) out.set(name, (await grads[v.name]!.data()) as Float32Array);
  out.set('loss', (await value.data()) as Float32Array);
  tf.dispose([x, wl, wb, value, ...Object.values(grads)]);
  disposeParams(m.store);
  return out;
}

describe('a tiny detector has the same gradients on wasm (custom conv/depthwise backprop kernels) as on cpu', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const kind of ['conv', 'dwconv', 'transformer'] as const) {
    it(`${kind} encoder: every parameter within 1e-3 relative (scale floored at 1e-3 of the largest gradient)`, async () => {
      await tf.setBackend('cpu');
      const ref = await detectorGradients(kind);
      await import('@tensorflow/tfjs-backend-wasm');
      registerWasmTrainingKernels();
      await tf.setBackend('wasm');
      const got = await detectorGradients(kind);
      expect([...got.keys()]).toEqual([...ref.keys()]);
      // MobileNetV3's bneck projection BN βs get no gradient in theory (the next block starts with a linear conv and a
      // training-mode BN, which removes a per-channel shift), ~1e-6 float noise: every error is measured against the larger of
      // the variable's own gradient scale and 1e-3 of the largest gradient of the net.
      const floor = 1e-3 * Math.max(...[...ref.values()].map((r) => Math.max(...Array.from(r, Math.abs))));
      const errors: Record<string, number> = {};
      for (const [name, r] of ref) {
        const g = got.get(name)!;
        let [num, den] = [0, 0];
        r.forEach((v, i) => {
          num = Math.max(num, Math.abs(g[i]! - v));
          den = Math.max(den, Math.abs(v));
        });
        errors[name] = num / Math.max(den, floor);
      }
      const worst = Object.entries(errors).sort((a, b) => b[1] - a[1]);
      expect(worst[0]![1], worst[0]![0]).toBeLessThan(1e-3);
    });
  }
});
