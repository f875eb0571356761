import { PRUNE_LAB, type PruneConfig } from '../../../protocol';
import { useWorkbench } from '../../../store';
import { ConfigForm, type FieldState, type FormItem } from '../../components/ConfigForm';
import { DatasetSelect } from '../../components/DatasetSelect';
import { WidthSelect } from '../../components/WidthSelect';
import { useShallow } from 'zustand/react/shallow';
import { PrunePresets, SparsityHint } from './PrunePresets';
import { reportScales, thresholdReadout } from './thresholdReadout';

const IDS: Partial<Record<keyof PruneConfig, string>> = {
  batchSize: 'hp.batch',
  method: 'prune.method',
  model: 'prune.model',
  grouping: 'prune.grouping',
  prox: 'prune.prox',
  schedule: 'prune.schedule',
  thresholds: 'prune.thresholds',
  bnRecalBatches: 'prune.bnRecal',
};
/** Which methods a sparsity knob acts on (others ignore it). */
const USED_BY: Partial<Record<keyof PruneConfig, readonly PruneConfig['method'][]>> = {
  lambda1: ['rgsm'],
  lambda2: ['rgsm'],
  beta: ['rgsm'],
  thresholds: ['rgsm'],
  bnRecalBatches: ['rgsm'],
  lambdaGL: ['gl-penalty', 'gl-prox'],
};

function fieldState(key: keyof PruneConfig, config: PruneConfig, active: boolean): FieldState | undefined {
  const users = USED_BY[key];
  if (!users || users.includes(config.method)) return undefined;
  return { hint: `Not used by ${PRUNE_LAB.fields.method.optionLabels[config.method]}.`, disabled: active };
}

function items(config: PruneConfig, active: boolean, setConfig: (p: Partial<PruneConfig>) => void, scales: number[] | null): FormItem<PruneConfig>[] {
  const threshold = thresholdReadout(config, scales);
  return [
    { field: 'method' },
    { field: 'model' },
    { key: 'width', node: <WidthSelect id="prune.width" value={config.width} disabled={active} onChange={(width) => setConfig({ width })} /> },
    { key: 'dataset', node: <DatasetSelect value={config.dataset} augment={config.augment} disabled={active} onChange={setConfig} /> },
    { field: 'batchSize' },
    { field: 'steps' },
    { heading: 'Sparsity (live)' },
    { key: 'presets', node: <PrunePresets /> },
    { field: 'lambda1' },
    {
      key: 'threshold',
      node: (
        <p className="readout threshold">
          {threshold.label} <b data-testid="prune.threshold">{threshold.value}</b>
        </p>
      ),
    },
    {
      field: 'thresholds',
      hint: 'Per layer (ours, beyond the paper): layer l uses s_l·√(2λ1/β), s_l = median initial group norm of the layer / of all layers.',
    },
    { field: 'lambda2' },
    { field: 'beta' },
    { field: 'lambdaGL' },
    { field: 'zeroThreshold', hint: 'A group counts as zero when its ℓ2 norm is below this.' },
    { key: 'sparsityHint', node: <SparsityHint /> },
    { heading: 'Optimiser (live)' },
    { field: 'lr', hint: 'Base rate; the schedule scales it.' },
    { field: 'momentum' },
    { field: 'weightDecay' },
    {
      details: 'Grouping, prox, schedule, data',
      items: [
        { field: 'grouping' },
        { field: 'prox' },
        { field: 'bnRecalBatches', hint: "Before evaluating u, re-estimate BN statistics with u's weights over this many training batches." },
        { field: 'schedule' },
        { field: 'evalEvery' },
        { field: 'trainSize' },
        { field: 'testSize' },
        { field: 'seed' },
      ],
    },
  ];
}

const NO_SCALES: number[] = [];

/** Prune-lab settings: structure locks during a run; λ1, λ2, β, λ_GL, lr, momentum, wd and the zero threshold stay live. */
export function PruneConfigForm() {
  const setConfig = useWorkbench((s) => s.setConfig);
  // The run's config and its layers' threshold scales, not the whole run: a step's event does not re-render the form.
  const runConfig = useWorkbench((s) => s.runs.prune?.config ?? null);
  const layerScales = useWorkbench(useShallow((s) => s.runs.prune?.extras.layers?.latest?.layerScales ?? NO_SCALES));
  return (
    <ConfigForm
      lab="prune"
      ariaLabel="Prune settings"
      items={(c, active) =>
        items(
          c,
          active,
          (p) => setConfig('prune', p),
          reportScales(runConfig ? { config: runConfig, report: layerScales.length ? { layerScales } : null } : null, c),
        )
      }
      idOf={(k) => IDS[k as keyof PruneConfig] ?? `hp.${k}`}
      fieldState={fieldState}
    />
  );
}
