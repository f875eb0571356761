import { describe, expect, it } from 'vitest';
import { thin } from './chartData';

describe('thin (chart series thinning)', () => {
  it('keeps short series as they are', () => {
    const s = { steps: [1, 2, 3], values: [3, 2, 1] };
    expect(thin(s, 10)).toBe(s);
  });
  it('keeps at most about max evenly spaced points and always the last one', () => {
    const n = 1003;
    const s = { steps: Array.from({ length: n }, (_, i) => i + 1), values: Array.from({ length: n }, (_, i) => i * 2) };
    const t = thin(s, 100);
    expect(t.steps.length).toBeLessThanOrEqual(101);
    expect(t.steps[0]).toBe(1);
    expect(t.steps.at(-1)).toBe(n);
    t.steps.forEach((step, i) => expect(t.values[i]).toBe((step - 1) * 2));
  });
});
