import { describe, expect, it } from 'vitest';
import { formatHp, formatTick } from './format';

describe('formatTick', () => {
  it('keeps axis ticks short at every magnitude (the loss chart cut "100000" to "00000")', () => {
    expect(formatTick(100000)).toBe('1e5');
    expect(formatTick(250000)).toBe('2.5e5');
    expect(formatTick(-12000)).toBe('-1.2e4');
    expect(formatTick(0.00025)).toBe('2.5e-4');
    expect(formatTick(12.5)).toBe('13');
    expect(formatTick(0.5)).toBe('0.5');
    expect(formatTick(9999)).toBe('10000');
    expect(formatTick(0)).toBe('0');
    for (const v of [1e5, 3.3e7, 1.25e-6, -4.5e9, 1234, 0.0123]) expect(formatTick(v).length).toBeLessThanOrEqual(6);
  });
});

describe('formatHp', () => {
  it('writes small and large hyperparameters with exponents', () => {
    expect(formatHp(0.0005)).toBe('5e-4');
    expect(formatHp(0.02)).toBe('0.02');
    expect(formatHp(20000)).toBe('2e4');
  });
});
