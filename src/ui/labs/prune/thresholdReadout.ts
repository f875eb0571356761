/**
 * The live RGSM threshold readout next to the λ1/β sliders (TECHNIQUES.md §1): the global hard threshold
 * √(2λ1/β), or, with per-layer thresholds (ours), the range of s_l·√(2λ1/β) over the layers once a run of the
 * same network has reported its scales s_l.
 */
import { hardThreshold, layerThresholdRange, type LayerReport, type PruneConfig } from '../../../protocol';
import { formatHp } from '../../format';

export interface ThresholdReadout {
  /** The words before the value. */
  label: string;
  /** The value (what the test id sits on): "1.34", "per-layer 0.8–1.6" or "per-layer s_l × 1.34". */
  value: string;
}

export function thresholdReadout(config: Pick<PruneConfig, 'lambda1' | 'beta' | 'thresholds'>, scales: readonly number[] | null | undefined): ThresholdReadout {
  const t = hardThreshold(config.lambda1, config.beta);
  if (config.thresholds !== 'per-layer') return { label: 'hard threshold √(2λ1/β) =', value: formatHp(t) };
  const range = layerThresholdRange(config.lambda1, config.beta, scales);
  return {
    label: 'hard thresholds s_l·√(2λ1/β):',
    value: range ? `per-layer ${formatHp(range[0])}–${formatHp(range[1])}` : `per-layer s_l × ${formatHp(t)}`,
  };
}

/** The layer scales of a run's latest report, when that run trained the network the form describes (per-layer mode). */
export function reportScales(
  run: { config: Pick<PruneConfig, 'model' | 'width' | 'grouping' | 'thresholds'>; report: Pick<LayerReport, 'layerScales'> | null } | null,
  config: Pick<PruneConfig, 'model' | 'width' | 'grouping'>,
): number[] | null {
  if (!run?.report?.layerScales || run.config.thresholds !== 'per-layer') return null;
  const c = run.config;
  return c.model === config.model && c.width === config.width && c.grouping === config.grouping ? run.report.layerScales : null;
}
