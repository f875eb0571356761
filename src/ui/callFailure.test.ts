import { describe, expect, it } from 'vitest';
import { failed } from './callFailure';

describe('failed', () => {
  it('turns a rejected lab call into a failed outcome with a sentence', () => {
    expect(failed(new Error('The engine stopped answering and was restarted.'))).toEqual({
      ok: false,
      error: { code: 'internal', message: 'The engine stopped answering and was restarted.' },
    });
    expect(failed('gone').error.message).toBe('The engine did not answer: gone');
  });
});
