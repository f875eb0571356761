import { getEngine } from '../../../client';
import type { LayerReport, PruneConfig } from '../../../protocol';
import { useWorkbench } from '../../../store';
import { useLabActive, useLabConfig } from '../../runStatus';
import { PRUNE_PRESETS, sparsityHint } from './sparsityHint';

/** Preset buttons that set λ1, λ2 and β together (live: a run takes them between two steps, as a slider change). */
export function PrunePresets() {
  const config = useLabConfig('prune');
  const setConfig = useWorkbench((s) => s.setConfig);
  const active = useLabActive('prune');
  const ready = useWorkbench((s) => s.engineStatus === 'ready');
  const apply = (values: Partial<PruneConfig>) => {
    setConfig('prune', values);
    if (active && ready) void getEngine().setHyperparams('prune', values);
  };
  const current = PRUNE_PRESETS.find((p) => p.values.lambda1 === config.lambda1 && p.values.lambda2 === config.lambda2 && p.values.beta === config.beta);
  return (
    <div className="prune-presets" role="group" aria-label="RGSM presets">
      <span>RGSM presets:</span>
      {PRUNE_PRESETS.map((p) => (
        <button
          key={p.id}
          type="button"
          className={current?.id === p.id ? 'preset preset-on' : 'preset'}
          aria-pressed={current?.id === p.id}
          data-testid={`prune.preset.${p.id}`}
          title={p.title}
          onClick={() => apply(p.values)}
        >
          {p.label}
        </button>
      ))}
    </div>
  );
}

/** The "nothing moves" hint under the sparsity sliders, from the run's latest layer report. */
export function SparsityHint() {
  const config = useLabConfig('prune');
  const report: LayerReport | null = useWorkbench((s) => s.runs.prune?.extras.layers?.latest ?? null);
  const hint = sparsityHint(report, config);
  if (!hint) return null;
  return (
    <p className="field-hint prune-hint" data-testid="prune.sparsityHint">
      {hint}
    </p>
  );
}
