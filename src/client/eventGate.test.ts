import { describe, expect, it } from 'vitest';
import { EventGate } from './eventGate';

describe('EventGate', () => {
  it('hands batches over at once without a gate, and through a gate that releases at once', () => {
    const got: number[][] = [];
    const g = new EventGate<number>((e) => got.push(e));
    g.deliver([1, 2]);
    g.setGate((release) => release());
    g.deliver([3]);
    g.deliver([]);
    expect(got).toEqual([[1, 2], [3]]);
  });

  it('holds batches while the gate waits, keeps their order, and hands them over together once', () => {
    const got: number[][] = [];
    const pending: (() => void)[] = [];
    const g = new EventGate<number>((e) => got.push(e));
    g.setGate((release) => pending.push(release));
    g.deliver([1]);
    g.deliver([2, 3]);
    g.deliver([4]);
    expect(got).toEqual([]);
    expect(pending).toHaveLength(1); // one release scheduled for the three batches
    pending[0]!();
    expect(got).toEqual([[1, 2, 3, 4]]);
    g.deliver([5]);
    expect(pending).toHaveLength(2);
    g.release(); // e.g. the worker is replaced: what it said lands first
    pending[1]!(); // the scheduled release finds nothing
    expect(got).toEqual([[1, 2, 3, 4], [5]]);
  });

  it('hands over what it holds when the gate is removed', () => {
    const got: number[][] = [];
    const g = new EventGate<number>((e) => got.push(e));
    g.setGate(() => undefined);
    g.deliver([7, 8]);
    g.setGate(null);
    expect(got).toEqual([[7, 8]]);
    g.deliver([9]);
    expect(got).toEqual([[7, 8], [9]]);
  });
});
