import { describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../protocol/events';
import { EtaEstimator } from './eta';
import { EventQueue } from './eventQueue';

const metric = (step: number): EngineEvent => ({ type: 'metrics', runId: 'r', batches: [{ series: 'train.loss', steps: [step], values: [step / 10] }] });
const progress = (step: number): EngineEvent => ({
  type: 'progress',
  runId: 'r',
  progress: { step, totalSteps: 9, epoch: 0, etaSeconds: null, stepsPerSecond: 1, imagesPerSecond: 1, phase: 'training' },
});

describe('EventQueue', () => {
  it('batches events at most every interval, merges metric points and keeps only the latest progress', () => {
    vi.useFakeTimers();
    const batches: EngineEvent[][] = [];
    const q = new EventQueue((e) => batches.push(e), 100);
    for (let s = 1; s <= 5; s++) {
      q.push(metric(s));
      q.push(progress(s));
    }
    expect(batches).toHaveLength(0); // delivered on the next tick, not synchronously
    vi.advanceTimersByTime(1);
    expect(batches).toHaveLength(1);
    const [first] = batches;
    const metrics = first!.filter((e) => e.type === 'metrics');
    const progresses = first!.filter((e) => e.type === 'progress');
    // metric points are never dropped: every step arrives, in order
    expect(metrics.flatMap((e) => (e.type === 'metrics' ? e.batches[0]!.steps : []))).toEqual([1, 2, 3, 4, 5]);
    expect(progresses).toHaveLength(1);
    expect(progresses[0]!.type === 'progress' && progresses[0]!.progress.step).toBe(5);
    vi.advanceTimersByTime(10);
    q.push(metric(6));
    vi.advanceTimersByTime(80);
    expect(batches).toHaveLength(1); // throttled: not before 100 ms after the last flush
    vi.advanceTimersByTime(10);
    expect(batches).toHaveLength(2);
    vi.useRealTimers();
  });

  it('flush() delivers at once and holds events until a sink subscribes', () => {
    const q = new EventQueue(null, 100);
    q.push(metric(1));
    q.flush();
    const got: EngineEvent[][] = [];
    q.setSink((e) => got.push(e));
    q.flush();
    expect(got).toHaveLength(1);
  });
});

describe('EtaEstimator', () => {
  it('skips the warm-up step, smooths step times and adds evaluations', () => {
    const eta = new EtaEstimator(0.5);
    eta.recordStep(10); // warm-up (shader compilation): ignored
    expect(eta.eta(100, 0)).toBeNull();
    eta.recordStep(1);
    eta.recordStep(2);
    expect(eta.secondsPerStep).toBeCloseTo(1.5, 10);
    eta.recordEval(4);
    expect(eta.eta(10, 2)).toBeCloseTo(10 * 1.5 + 2 * 4, 10);
  });
});
