import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Box } from '../../detect/boxes';
import { detrAuxLoss } from '../../detect/detrLoss';
import { hungarianMatchLayers } from '../../detect/matching';
import { AdamW } from '../../optim/adamw';
import { minimize } from '../../optim/minimize';
import { disposeParams } from '../params';
import { detectArchitecture } from './detectArch';
import { buildDetector } from './detector';

describe('compact DETR trains on the cpu backend (§4)', () => {
  it('DETR loss (Hungarian matching, aux losses) falls by over 10% on one fixed batch in 12 AdamW steps', async () => {
    const m = buildDetector(
      detectArchitecture({
        inputHeight: 64,
        inputWidth: 64,
        widthMultiplier: 0.25,
        d: 16,
        encoder: { kind: 'transformer', layers: 1, heads: 2, ffn: 32 },
        decoder: { layers: 2, heads: 2, ffn: 32, queries: 5 },
      }),
      1,
    );
    const x = tf.randomNormal([2, 64, 64, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
    const gt: Box[][] = [
      [
        [0.3, 0.4, 0.2, 0.5],
        [0.7, 0.6, 0.3, 0.4],
      ],
      [[0.5, 0.5, 0.4, 0.6]],
    ];
    const opt = new AdamW(m.store.trainable, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-4 });
    const losses: number[] = [];
    for (let step = 0; step < 12; step++) {
      const probe = m.forward(x, { training: true });
      const layers = probe.logits.map((logits, i) => ({ logits, boxes: probe.boxes[i]! }));
      const matches = await hungarianMatchLayers(layers, gt);
      tf.dispose([...probe.logits, ...probe.boxes]);
      const loss = minimize(
        () => {
          const out = m.forward(x, { training: true });
          const aux = detrAuxLoss(
            out.logits.map((logits, i) => ({ logits, boxes: out.boxes[i]! })),
            gt,
            matches,
          );
          for (const t of aux.layers) tf.dispose([t.total, t.ce, t.l1, t.giou]);
          return aux.total;
        },
        m.store.trainable,
        (g) => opt.step(g),
      );
      losses.push((await loss.data())[0]!);
      loss.dispose();
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]!, losses.join(', ')).toBeLessThan(0.9 * losses[0]!);
    opt.dispose();
    x.dispose();
    disposeParams(m.store);
  });
});
