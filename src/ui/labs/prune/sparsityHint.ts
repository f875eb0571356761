/**
 * The Prune lab's presets and its "nothing moves" hint. RGSM zeroes a group when its ℓ2 norm is under the hard
 * threshold √(2λ1/β) (TECHNIQUES.md §1); He-initialised input-channel groups start at norm ≈ √(2·c_out/c_in)
 * (1.4–2 in VGG-16), so with the authors' λ1 = 0.01 (threshold 0.14) nothing is near it in a short run. The
 * presets were chosen from 400-step runs of VGG-16 width 1/16 on wasm (README, "Prune lab defaults"): the
 * sparsity jumps between λ1 0.8 (0 %) and 1.0 (51 %), because most groups start at the same norm.
 */
import { hardThreshold, type LayerReport, type PruneConfig } from '../../../protocol';

export interface PrunePreset {
  id: 'authors' | 'gentle' | 'strong';
  label: string;
  title: string;
  values: Pick<PruneConfig, 'lambda1' | 'lambda2' | 'beta'>;
}

export const PRUNE_PRESETS: readonly PrunePreset[] = [
  {
    id: 'authors',
    label: "authors'",
    title: "The RGSM authors' values: λ1 0.01, λ2 1e-5, β 1 (threshold 0.14)",
    values: { lambda1: 0.01, lambda2: 1e-5, beta: 1 },
  },
  {
    id: 'gentle',
    label: 'gentle (default)',
    title: 'λ1 0.9, λ2 1e-5, β 1 (threshold 1.34): ~15 % of channels in 400 steps at width 1/16, accuracy within 3 points of dense',
    values: { lambda1: 0.9, lambda2: 1e-5, beta: 1 },
  },
  {
    id: 'strong',
    label: 'strong',
    title: 'λ1 1, λ2 1e-5, β 1 (threshold 1.41): ~50 % of channels in 400 steps at width 1/16, at a large accuracy cost',
    values: { lambda1: 1, lambda2: 1e-5, beta: 1 },
  },
];

/** How far above the threshold the smallest group may sit before the hint speaks. */
const FAR = 1.5;

/**
 * One sentence when no group is near the method's threshold and nothing is pruned yet, naming the slider that
 * moves things; null otherwise (or for the dense method, or before the first layer report).
 */
export function sparsityHint(report: LayerReport | null, config: Pick<PruneConfig, 'method' | 'lambda1' | 'beta' | 'lambdaGL'>): string | null {
  if (!report || config.method === 'none') return null;
  let min = Infinity;
  let zero = 0;
  for (const norms of report.norms)
    for (const v of norms) {
      if (v < report.zeroThreshold) zero++;
      else if (v < min) min = v;
    }
  if (zero > 0 || !Number.isFinite(min)) return null;
  if (config.method === 'rgsm') {
    const t = hardThreshold(config.lambda1, config.beta);
    const scales = report.layerScales;
    if (scales) {
      // Per-layer thresholds (ours): layer l's threshold is s_l·t; speak only when no layer has a group near its own.
      const near = report.norms.some((norms, l) => norms.some((v) => v <= FAR * (scales[l] ?? 1) * t));
      if (near) return null;
      return `No group is near its layer's RGSM threshold s_l·√(2λ1/β) (√(2λ1/β) = ${fmt(t)}): raise λ1 (or lower β) until the thresholds reach the smallest norms.`;
    }
    if (min <= FAR * t) return null;
    return `No group is near RGSM's threshold √(2λ1/β) = ${fmt(t)} (the smallest group norm is ${fmt(min)}): raise λ1 (or lower β) until the threshold reaches the smallest norms, or try the gentle preset.`;
  }
  return `Nothing is pruned yet (the smallest group norm is ${fmt(min)}): raise λ_GL to shrink the groups faster.`;
}

const fmt = (v: number) => (v >= 0.01 && v < 1000 ? String(Number(v.toPrecision(2))) : v.toExponential(1));
