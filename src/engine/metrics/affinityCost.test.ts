import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { measureAffinityCost } from './affinityCost';

describe('measureAffinityCost (FA vs FFA as the map grows)', () => {
  it('times both losses per size, FA holds more memory than FFA, and nothing leaks', async () => {
    const before = tf.memory().numTensors;
    const rows = await measureAffinityCost({ sides: [4, 8], k: 4, order: 2, batch: 1, studentChannels: 4, faBudgetBytes: 2 ** 30, repeats: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(rows.map((r) => [r.side, r.n, r.method])).toEqual([
      [4, 16, 'fa'],
      [4, 16, 'ffa'],
      [8, 64, 'fa'],
      [8, 64, 'ffa'],
    ]);
    for (const r of rows) {
      expect(r.ms).toBeGreaterThan(0);
      expect(r.peakBytes).toBeGreaterThan(0);
      expect(r.note).toBeNull();
    }
    // At N = 64 FA holds 64×64 matrices; FFA only N×k = 64×4 products.
    const at = (m: string) => rows.find((r) => r.side === 8 && r.method === m)!.peakBytes!;
    expect(at('fa')).toBeGreaterThan(at('ffa'));
  }, 60_000);

  it('skips FA above its memory budget (and every larger size) with the reason, and still measures FFA', async () => {
    const rows = await measureAffinityCost({ sides: [4, 8, 16], k: 4, order: 1, batch: 1, studentChannels: 4, faBudgetBytes: 4 * 16 * 16 + 1, repeats: 1 });
    const fa = rows.filter((r) => r.method === 'fa');
    expect(fa[0]!.ms).toBeGreaterThan(0);
    expect(fa[1]!.ms).toBeNull();
    expect(fa[1]!.note).toMatch(/skipped: the batch’s N×N affinity matrices would take 0 MB each/);
    expect(fa[2]!.note).toBe(fa[1]!.note);
    expect(rows.filter((r) => r.method === 'ffa').every((r) => r.ms !== null && r.ms > 0)).toBe(true);
  }, 60_000);
});
