/**
 * Segment-lab benchmark on the current backend: for the teacher (width 1/4 and 1/2), the tutor and both students (at the
 * lab's widths), inference time per image (batch 1, median) and the training step time (CE + OHEM + aux,
 * no distillation source) at one input size.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SegTrainer, segHyperparamsOf, segCost, segImagesTensor, generateStreetDataset } from '../engine';
import { SEG_MODEL_WIDTH, SEG_TEACHER_WIDTH_VALUE, SEGMENT_LAB, type SegSizeName } from '../protocol/labs/segment';
import type { SegBenchResult } from './types';

const MODELS = [
  { slot: 'teacher', label: 'teacher', kind: 'teacher', upscale: 'bilinear', width: SEG_MODEL_WIDTH.teacher },
  // The shipped teacher's width since 2026-12-01 (the form's Teacher width 1/2).
  { slot: 'teacher-w2', label: 'teacher (width 1/2)', kind: 'teacher', upscale: 'bilinear', width: SEG_TEACHER_WIDTH_VALUE['1/2'] },
  { slot: 'tutor', label: 'tutor', kind: 'tutor', upscale: 'bilinear', width: SEG_MODEL_WIDTH.tutor },
  { slot: 'student-bilinear', label: 'student (bilinear)', kind: 'student', upscale: 'bilinear', width: SEG_MODEL_WIDTH.student },
  { slot: 'student-pixelshuffle', label: 'student (PixelShuffle)', kind: 'student', upscale: 'pixelshuffle', width: SEG_MODEL_WIDTH.student },
] as const;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Inference ms/image and training ms/step of the four models (or of `only` one) at `size`, batch `batchSize`. */
export async function benchSegment(size: SegSizeName, batchSize: number, timedSteps: number, inferenceRuns: number, only?: string): Promise<SegBenchResult> {
  const data = await generateStreetDataset({ seed: 1, size, trainSize: Math.max(16, batchSize * 2), testSize: 4 });
  const models: SegBenchResult['models'] = [];
  for (const m of MODELS.filter((x) => !only || x.slot === only)) {
    const trainer = new SegTrainer(
      {
        kind: m.kind,
        upscale: m.upscale,
        width: m.width,
        seed: 1,
        batchSize,
        totalSteps: 1000,
        flip: true,
        hyperparams: segHyperparamsOf(SEGMENT_LAB.defaults()),
      },
      data,
    );
    try {
      const cost = segCost(trainer.model);
      const x = segImagesTensor(data.test.images.subarray(0, data.height * data.width * 3), 1, data.height, data.width);
      const infer: number[] = [];
      for (let i = 0; i <= inferenceRuns; i++) {
        const t0 = performance.now();
        const logits = tf.tidy(() => trainer.model.forward(x, { training: false }).logits);
        await logits.data();
        logits.dispose();
        if (i > 0) infer.push(performance.now() - t0); // run 0 compiles the shaders
      }
      x.dispose();
      await trainer.step(); // warm-up
      const t0 = performance.now();
      for (let i = 0; i < timedSteps; i++) await trainer.step();
      const stepMs = (performance.now() - t0) / timedSteps;
      models.push({ label: m.label, params: cost.inference.params, macs: cost.inference.macs, inferenceMs: median(infer), stepMs });
    } finally {
      trainer.dispose();
    }
  }
  return { kind: 'segment', size, height: data.height, width: data.width, batchSize, models };
}
