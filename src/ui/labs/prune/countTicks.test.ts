import { describe, expect, it } from 'vitest';
import { countTicks } from './NormHistogram';

describe('countTicks (histogram count axis)', () => {
  it('steps by 1, 2 or 5 × 10^k up to a top at or above the largest count', () => {
    expect(countTicks(0)).toEqual({ top: 1, ticks: [0, 1] });
    expect(countTicks(3)).toEqual({ top: 3, ticks: [0, 1, 2, 3] });
    // 37 / 4 = 9.25 → step 10 → top 40.
    expect(countTicks(37)).toEqual({ top: 40, ticks: [0, 10, 20, 30, 40] });
    // 130 / 4 = 32.5 → step 50 → top 150.
    expect(countTicks(130)).toEqual({ top: 150, ticks: [0, 50, 100, 150] });
  });
});
