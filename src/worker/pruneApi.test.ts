import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../protocol/events';
import type { LayerReport, PruneConfig } from '../protocol/labs/prune';
import { testEngine, tinyConfig, tinyPruneConfig } from './engineApi.fixture';

const tiny = (over: Partial<PruneConfig> = {}) => tinyPruneConfig({ steps: 4, evalEvery: 2, lr: 0.05, ...over });
const layerReports = (events: EngineEvent[]) => events.flatMap((e) => (e.type === 'extra' && e.extra.kind === 'layers' ? [e.extra.payload] : []));
const engine = testEngine;

describe('Prune lab through the worker seam (cpu backend)', () => {
  it('an RGSM run with a large λ1 reports per-layer sparsity, accuracy on u and w, and compacts to an equivalent smaller net', async () => {
    const { api, events, statuses, waitFor } = await engine();
    expect((await api.start('prune', tiny({ method: 'rgsm', lambda1: 2 }), 'p1')).ok).toBe(true);
    await waitFor(() => statuses().includes('done'));
    const reports: LayerReport[] = layerReports(events);
    expect(reports.length).toBeGreaterThan(0);
    const last = reports.at(-1)!;
    expect(last.names).toHaveLength(13);
    expect(last.measuredOn).toBe('u');
    expect(last.hardThreshold).toBeCloseTo(2, 10);
    expect(last.total).toBeGreaterThan(0);
    const series = (name: string) => events.flatMap((e) => (e.type === 'metrics' ? e.batches.filter((b) => b.series === name).flatMap((b) => b.steps) : []));
    // Measured at the first, every evaluation and the last step (and in between when 250 ms passed).
    expect(series('sparsity.channel')).toEqual(expect.arrayContaining([1, 2, 4]));
    expect(series('test.accW')).toEqual([2, 4]);
    expect(series('test.accURecal')).toEqual([2, 4]); // BN recalibration for u is on by default
    expect(series('train.lr')).toEqual([1, 2, 3, 4]);

    const c = await api.call('prune', 'compact', ['p1']);
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.report.after.params).toBeLessThan(c.report.before.params);
    expect(c.report.maxAbsDiff).toBeLessThan(1e-3);
    // The compact net carries u's recalibrated BN statistics: its accuracy is the last accuracy on u with recalibration.
    const lastRecal = events
      .flatMap((e) => (e.type === 'metrics' ? e.batches.filter((b) => b.series === 'test.accURecal').flatMap((b) => b.values) : []))
      .at(-1);
    expect(c.report.testAccuracy).toBeCloseTo(lastRecal!, 6);
    expect(c.report.layers.some((l) => l.after < l.before)).toBe(true);

    const exported = await api.call('prune', 'exportModel', ['p1']);
    expect(exported.ok).toBe(true);
    if (!exported.ok) return;
    const loaded = await api.call('prune', 'loadModel', [exported.model.modelJson, exported.model.weights, tiny()]);
    expect(loaded.ok && loaded.report.params).toBe(c.report.after.params);
    expect(loaded.ok && loaded.report.testAccuracy).toBeCloseTo(c.report.testAccuracy, 6);
    const bad = await api.call('prune', 'loadModel', ['{"format":"keras"}', new ArrayBuffer(8), tiny()]);
    expect(bad.ok ? '' : bad.error.message).toMatch(/not a Prune & Distill Workbench model/);
  }, 120_000);

  it('a live λ1 change is recorded with its step; a train-lab run cannot be compacted', async () => {
    const { api, events, statuses, waitFor } = await engine();
    await api.start('prune', tiny({ steps: 400, evalEvery: 400 }), 'p2');
    await waitFor(() => layerReports(events).length > 0);
    expect((await api.setHyperparams('prune', { lambda1: 0.5 })).ok).toBe(true);
    await waitFor(() => events.some((e) => e.type === 'hpChange'));
    const change = events.find((e) => e.type === 'hpChange');
    expect(change?.type === 'hpChange' && change.change).toMatchObject({ key: 'lambda1', from: 0.9, to: 0.5 });
    await api.stop();
    expect(statuses().at(-1)).toBe('stopped');
    await api.start('train', tinyConfig({ evalEvery: 2, lr: 0.05, steps: 2 }), 't1');
    await waitFor(() => statuses().filter((s) => s === 'done').length === 1);
    const r = await api.call('prune', 'compact', ['t1']);
    expect(r.ok).toBe(false);
  }, 120_000);

  it('per-layer thresholds (ours): the layer reports carry the scales s_l', async () => {
    const { api, events, statuses, waitFor } = await engine();
    expect((await api.start('prune', tiny({ method: 'rgsm', thresholds: 'per-layer', steps: 2, evalEvery: 2 }), 'p3')).ok).toBe(true);
    await waitFor(() => statuses().includes('done'));
    const last = layerReports(events).at(-1)!;
    expect(last.layerScales).toHaveLength(13);
    expect(last.layerScales!.every((s) => s > 0 && Number.isFinite(s))).toBe(true);
  }, 120_000);
});
