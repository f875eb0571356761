import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { disposeParams } from '../models/params';
import { createModel } from '../models/registry';
import { buildDetector } from '../models/detect/detector';
import { detectArchitecture } from '../models/detect/detectArch';
import { measureDetectLatency, measureLatency, median } from './latency';

describe('measureLatency', () => {
  it('returns a positive median over the timed runs and leaks no tensor', async () => {
    const m = createModel('resnet18', { width: 1 / 16, numClasses: 10, inputSize: 16, seed: 0 });
    const before = tf.memory().numTensors;
    const r = await measureLatency(m, 2, 16, { warmup: 1, runs: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.runsMs).toHaveLength(3);
    expect(r.msPerBatch).toBeGreaterThan(0);
    expect(r.msPerBatch).toBe(median(r.runsMs));
    expect(r.msPerImage).toBeCloseTo(r.msPerBatch / 2, 9);
    expect(r.minMs).toBeLessThanOrEqual(r.msPerBatch);
    expect(r.maxMs).toBeGreaterThanOrEqual(r.msPerBatch);
    expect(r.backend).toBe('cpu');
    await expect(measureLatency(m, 1, 16, { runs: 0 })).rejects.toThrow(/at least one timed run/);
    disposeParams(m.store);
  });

  it('times a batch-1 detector forward at its own input size and leaks no tensor', async () => {
    const arch = detectArchitecture({
      inputHeight: 64,
      inputWidth: 96,
      widthMultiplier: 0.25,
      d: 16,
      encoder: { kind: 'conv', layers: 1, heads: 2, ffn: 32 },
      decoder: { layers: 2, heads: 2, ffn: 32, queries: 4 },
    });
    const m = buildDetector(arch, 1);
    const before = tf.memory().numTensors;
    const r = await measureDetectLatency(m, { warmup: 1, runs: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.runsMs).toHaveLength(3);
    expect(r.msPerBatch).toBe(median(r.runsMs));
    expect(r.msPerBatch).toBeGreaterThan(0);
    expect({ batchSize: r.batchSize, inputSize: r.inputSize, msPerImage: r.msPerImage }).toEqual({ batchSize: 1, inputSize: 64, msPerImage: r.msPerBatch });
    await expect(measureDetectLatency(m, { warmup: -1 })).rejects.toThrow(/non-negative integer/);
    disposeParams(m.store);
  });

  it('takes the median (odd and even counts)', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
