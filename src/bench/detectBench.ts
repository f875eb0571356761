/**
 * Detect-lab benchmark on the current backend (issue #12, Performance): for one encoder kind at the shipped detectors'
 * architecture (width 0.5, d 64, L 2, 2 decoder layers, 20 queries, 128×256), params and MACs, batch-1 inference time
 * (forward + read-back of the last layer's logits and boxes, median; run 0 compiles) and the training step time (batch 8:
 * probe pass, matching, gradient pass, clip, AdamW). Target: the shipped detector's batch-1 inference on wasm under 50 ms.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DetectTrainer, detectCost, generateDetectDataset, segImagesTensor, type DetectEncoderKind } from '../engine';
import type { DetectBenchResult } from './types';

/** The shipped detectors' architecture (scripts/node/pretrainDetect.ts), with the encoder varied. */
const SHIPPED = { widthMultiplier: 0.5, d: 64, layers: 2, heads: 4, ffn: 256, decLayers: 2, queries: 20 } as const;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchDetect(encoder: DetectEncoderKind, batchSize: number, timedSteps: number, inferenceRuns: number): Promise<DetectBenchResult> {
  const data = await generateDetectDataset({ seed: 1, trainSize: Math.max(16, batchSize * 2), testSize: 4 });
  const s = SHIPPED;
  const trainer = new DetectTrainer(
    {
      architecture: {
        widthMultiplier: s.widthMultiplier,
        d: s.d,
        encoder: { kind: encoder, layers: s.layers, heads: s.heads, ffn: s.ffn },
        decoder: { layers: s.decLayers, heads: s.heads, ffn: s.ffn, queries: s.queries },
      },
      seed: 1,
      batchSize,
    },
    data,
  );
  try {
    const cost = detectCost(trainer.model);
    const x = segImagesTensor(data.test.images.subarray(0, data.height * data.width * 3), 1, data.height, data.width);
    const infer: number[] = [];
    try {
      for (let i = 0; i <= inferenceRuns; i++) {
        const t0 = performance.now();
        const out = trainer.model.forward(x, { training: false });
        const last = out.logits.length - 1;
        await Promise.all([out.logits[last]!.data(), out.boxes[last]!.data()]);
        tf.dispose([...out.logits, ...out.boxes]);
        if (i > 0) infer.push(performance.now() - t0);
      }
    } finally {
      x.dispose();
    }
    await trainer.step(); // warm-up
    const t0 = performance.now();
    for (let i = 0; i < timedSteps; i++) await trainer.step();
    const stepMs = (performance.now() - t0) / timedSteps;
    return {
      kind: 'detect',
      encoder,
      height: data.height,
      width: data.width,
      batchSize,
      params: cost.params,
      macs: cost.macs,
      inferenceMs: median(infer),
      stepMs,
    };
  } finally {
    trainer.dispose();
  }
}
