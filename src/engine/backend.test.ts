import { describe, expect, it } from 'vitest';
import { defaultWasmThreads } from './backend';

describe('default XNNPACK thread count', () => {
  it('is every logical core but one, at least 1 and at most the threaded build’s pool of 8', () => {
    expect([1, 2, 3, 4, 8, 9, 16, 64].map(defaultWasmThreads)).toEqual([1, 1, 2, 3, 7, 8, 8, 8]);
  });
  it('assumes 2 cores when the platform does not say', () => {
    expect(defaultWasmThreads(undefined)).toBe(1);
    expect(defaultWasmThreads(0)).toBe(1);
    expect(defaultWasmThreads(Number.NaN)).toBe(1);
  });
});
