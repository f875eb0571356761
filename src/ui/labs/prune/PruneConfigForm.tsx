import { hardThreshold, PRUNE_LAB, type PruneConfig } from '../../../protocol';
import { useWorkbench } from '../../../store';
import { ConfigForm, type FieldState, type FormItem } from '../../components/ConfigForm';
import { DatasetSelect } from '../../components/DatasetSelect';
import { WidthSelect } from '../../components/WidthSelect';
import { formatHp } from '../../format';
import { PrunePresets, SparsityHint } from './PrunePresets';

const IDS: Partial<Record<keyof PruneConfig, string>> = {
  batchSize: 'hp.batch',
  method: 'prune.method',
  model: 'prune.model',
  grouping: 'prune.grouping',
  prox: 'prune.prox',
  schedule: 'prune.schedule',
};
/** Which methods a sparsity knob acts on (others ignore it). */
const USED_BY: Partial<Record<keyof PruneConfig, readonly PruneConfig['method'][]>> = {
  lambda1: ['rgsm'],
  lambda2: ['rgsm'],
  beta: ['rgsm'],
  lambdaGL: ['gl-penalty', 'gl-prox'],
};

function fieldState(key: keyof PruneConfig, config: PruneConfig, active: boolean): FieldState | undefined {
  const users = USED_BY[key];
  if (!users || users.includes(config.method)) return undefined;
  return { hint: `Not used by ${PRUNE_LAB.fields.method.optionLabels[config.method]}.`, disabled: active };
}

function items(config: PruneConfig, active: boolean, setConfig: (p: Partial<PruneConfig>) => void): FormItem<PruneConfig>[] {
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
          hard threshold √(2λ1/β) = <b data-testid="prune.threshold">{formatHp(hardThreshold(config.lambda1, config.beta))}</b>
        </p>
      ),
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
        { field: 'schedule' },
        { field: 'evalEvery' },
        { field: 'trainSize' },
        { field: 'testSize' },
        { field: 'seed' },
      ],
    },
  ];
}

/** Prune-lab settings: structure locks during a run; λ1, λ2, β, λ_GL, lr, momentum, wd and the zero threshold stay live. */
export function PruneConfigForm() {
  const setConfig = useWorkbench((s) => s.setConfig);
  return (
    <ConfigForm
      lab="prune"
      ariaLabel="Prune settings"
      items={(c, active) => items(c, active, (p) => setConfig('prune', p))}
      idOf={(k) => IDS[k as keyof PruneConfig] ?? `hp.${k}`}
      fieldState={fieldState}
    />
  );
}
