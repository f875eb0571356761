import { describe, expect, it } from 'vitest';
import { oneOf } from './spec';

describe('oneOf', () => {
  const options = ['none', 'fa', 'ffa'] as const;
  it('gives back a value that is one of the options, and undefined for anything else', () => {
    expect(oneOf(options, 'ffa')).toBe('ffa');
    expect(oneOf(options, 'FFA')).toBeUndefined();
    expect(oneOf(options, undefined)).toBeUndefined();
    expect(oneOf(options, 0)).toBeUndefined();
    expect(oneOf(options, ['fa'])).toBeUndefined();
  });
});
