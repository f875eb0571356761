import { describe, expect, it } from 'vitest';
import { TRAIN_LAB } from '../protocol/labs/train';
import { backendFromSearch, configToHash, hashToConfig } from './urlState';

describe('URL state', () => {
  it('round-trips a config through the hash', () => {
    const c = { ...TRAIN_LAB.defaults(), width: 1 / 16, lr: 0.0031, seed: 42, steps: 12 };
    const back = hashToConfig('train', configToHash(c));
    expect(back.issues).toEqual([]);
    expect(back.config).toEqual(c);
  });

  it('clamps out-of-range values and says so', () => {
    const r = hashToConfig('train', '#lr=5&batchSize=0&steps=12.6');
    expect(r.config.lr).toBe(1);
    expect(r.config.batchSize).toBe(1);
    expect(r.config.steps).toBe(13);
    expect(r.issues.join(' ')).toMatch(/Learning rate \(lr\): 5 is outside/);
    expect(r.issues.join(' ')).toMatch(/Batch size/);
    expect(r.issues.join(' ')).toMatch(/Training steps \(steps\): 12.6 is not a whole number; rounded to 13\./);
  });

  it('names every offered width when a link asks for another (never silently)', () => {
    const r = hashToConfig('train', '#width=7');
    expect(r.config.width).toBe(1);
    expect(r.issues).toEqual(['Width multiplier (width): 7 is not offered (1/16, 1/8, 1/4, 1/2, 1); using 1.']);
    expect(hashToConfig('train', '#width=-2').config.width).toBe(1 / 16);
  });

  it('replaces malformed values by defaults and reports unknown keys', () => {
    const r = hashToConfig('train', '#lr=abc&width=0.3&model=resnet99&bogus=1');
    expect(r.config.lr).toBe(TRAIN_LAB.defaults().lr);
    expect(r.config.width).toBe(0.25); // nearest offered width
    expect(r.config.model).toBe('vgg16');
    expect(r.issues).toHaveLength(4);
  });

  it('reads ?backend= and rejects unknown names', () => {
    expect(backendFromSearch('?backend=webgpu')).toEqual({ preference: 'webgpu', issue: null });
    expect(backendFromSearch('')).toEqual({ preference: null, issue: null });
    expect(backendFromSearch('?backend=metal').issue).toBe('?backend=metal is not a backend (auto, webgpu, webgl, wasm, cpu); choosing automatically.');
  });
});
