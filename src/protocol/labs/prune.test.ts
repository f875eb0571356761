import { describe, expect, it } from 'vitest';
import { hardThreshold, layerThresholdRange, PRUNE_LAB } from './prune';

describe('Prune lab spec: BN recalibration and per-layer thresholds', () => {
  it('defaults: 8 recalibration batches, global thresholds', () => {
    expect(PRUNE_LAB.defaults()).toMatchObject({ bnRecalBatches: 8, thresholds: 'global' });
    expect(PRUNE_LAB.series).toContain('test.accURecal');
    expect(PRUNE_LAB.liveKeys).not.toContain('bnRecalBatches');
  });

  it('an old config without the new keys normalises to the defaults without complaint', () => {
    const old = { ...PRUNE_LAB.defaults(), lambda1: 2 } as Record<string, unknown>;
    delete old.bnRecalBatches;
    delete old.thresholds;
    const { config, issues } = PRUNE_LAB.normalize(old);
    expect(issues).toEqual([]);
    expect(config).toMatchObject({ lambda1: 2, bnRecalBatches: 8, thresholds: 'global' });
  });

  it('validates the new keys (0 = off allowed, whole numbers, known modes)', () => {
    const ok = (over: Record<string, unknown>) => PRUNE_LAB.schema.safeParse({ ...PRUNE_LAB.defaults(), ...over }).success;
    expect(ok({ bnRecalBatches: 0, thresholds: 'per-layer' })).toBe(true);
    expect(ok({ bnRecalBatches: 2.5 })).toBe(false);
    expect(ok({ bnRecalBatches: -1 })).toBe(false);
    expect(ok({ thresholds: 'layer' })).toBe(false);
    const { config, issues } = PRUNE_LAB.normalize({ bnRecalBatches: '3', thresholds: 'per-layer' });
    expect(config).toMatchObject({ bnRecalBatches: 3, thresholds: 'per-layer' });
    expect(issues).toEqual([]);
  });

  it('layerThresholdRange is [min s_l, max s_l]·sqrt(2λ1/β)', () => {
    const t = hardThreshold(0.5, 1); // 1
    expect(layerThresholdRange(0.5, 1, [0.8, 1.6, 1])).toEqual([0.8 * t, 1.6 * t]);
    expect(layerThresholdRange(0.5, 1, null)).toBeNull();
    expect(layerThresholdRange(0.5, 1, [])).toBeNull();
  });
});
