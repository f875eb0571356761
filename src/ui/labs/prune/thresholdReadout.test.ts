import { describe, expect, it } from 'vitest';
import { PRUNE_LAB, type LayerReport } from '../../../protocol';
import { reportScales, thresholdReadout } from './thresholdReadout';

const defaults = PRUNE_LAB.defaults();

describe('thresholdReadout', () => {
  it('global: the single threshold √(2λ1/β)', () => {
    expect(thresholdReadout({ lambda1: 2, beta: 1, thresholds: 'global' }, [0.5, 2])).toEqual({ label: 'hard threshold √(2λ1/β) =', value: '2' });
  });

  it('per-layer: the range min s_l·t – max s_l·t, or "s_l × t" before a run reported the scales', () => {
    // t = √(2·0.32/1) = 0.8.
    expect(thresholdReadout({ lambda1: 0.32, beta: 1, thresholds: 'per-layer' }, [1, 2, 1.5]).value).toBe('per-layer 0.8–1.6');
    expect(thresholdReadout({ lambda1: 0.32, beta: 1, thresholds: 'per-layer' }, null).value).toBe('per-layer s_l × 0.8');
  });

  it("reportScales: only a per-layer run's scales, only for the same model, width and grouping", () => {
    const report = { layerScales: [1, 2] } as LayerReport;
    const config = { ...defaults, thresholds: 'per-layer' as const };
    expect(reportScales({ config, report }, config)).toEqual([1, 2]);
    expect(reportScales({ config, report }, { ...config, width: 1 })).toBeNull();
    expect(reportScales({ config: { ...config, thresholds: 'global' }, report }, config)).toBeNull();
    expect(reportScales({ config, report: null }, config)).toBeNull();
    expect(reportScales(null, config)).toBeNull();
  });
});
