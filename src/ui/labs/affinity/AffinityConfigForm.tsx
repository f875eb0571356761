import type { AffinityConfig } from '../../../protocol';
import { useWorkbench } from '../../../store';
import { ConfigForm, type FieldState, type FormItem } from '../../components/ConfigForm';
import { DatasetSelect } from '../../components/DatasetSelect';
import { WidthSelect } from '../../components/WidthSelect';

/** Test ids: choices `affinity.<key>`, numbers `hp.<key>` (the names), switches `affinity.<key>`. */
const idOf = (key: string) =>
  ['role', 'lossType', 'order', 'kdMode', 'zMode', 'tap32', 'tap16', 'tap8', 'tap4'].includes(key) ? `affinity.${key}` : `hp.${key}`;

function fieldState(key: keyof AffinityConfig, c: AffinityConfig): FieldState | undefined {
  const teacherRun = c.role === 'teacher';
  if (teacherRun && ['lossType', 'order', 'kdMode', 'zMode', 'kdWeight', 'faWeight', 'ceWeight', 'temperature', 'k', 'shadowEvery'].includes(key))
    return { hint: 'Not used when training the teacher (CE on labels, weight 1).' };
  if (key === 'ceWeight' && c.ceWeight === 0 && !teacherRun) return { hint: 'Label-free: the student learns from the teacher alone.' };
  if ((key === 'k' || key === 'zMode' || key === 'shadowEvery') && c.lossType !== 'ffa') return { hint: 'Used by FFA only.' };
  if (key === 'temperature' && c.kdMode !== 'kl') return { hint: 'Used by KL distillation only.' };
  if (key === 'tap32' && c.tap32 && c.lossType === 'fa') return { hint: 'N = 1024: exact FA holds a 1024×1024 matrix per image.', warn: true };
  return undefined;
}

function items(config: AffinityConfig, active: boolean, setConfig: (p: Partial<AffinityConfig>) => void): FormItem<AffinityConfig>[] {
  return [
    { field: 'role' },
    { key: 'width', node: <WidthSelect id="affinity.width" value={config.width} disabled={active} onChange={(width) => setConfig({ width })} /> },
    { key: 'dataset', node: <DatasetSelect value={config.dataset} augment={config.augment} disabled={active} onChange={setConfig} /> },
    { field: 'batchSize' },
    { field: 'steps' },
    { heading: 'Distillation' },
    { field: 'lossType' },
    { field: 'order' },
    { field: 'kdMode' },
    { field: 'zMode' },
    { field: 'tap16' },
    { field: 'tap8' },
    { field: 'tap4' },
    { field: 'tap32' },
    { heading: 'Weights (live)' },
    { field: 'kdWeight' },
    { field: 'faWeight' },
    { field: 'ceWeight' },
    { field: 'temperature' },
    { field: 'k', hint: 'Probe vectors of FFA: its cost grows like N·k, its spread falls like 1/√k.' },
    { heading: 'Optimiser (live)' },
    { field: 'lr', hint: 'Cosine schedule from this rate.' },
    { field: 'momentum' },
    { field: 'weightDecay' },
    { field: 'clipNorm' },
    {
      details: 'Evaluation, data, seed',
      items: [{ field: 'evalEvery' }, { field: 'shadowEvery' }, { field: 'trainSize' }, { field: 'testSize' }, { field: 'seed' }],
    },
  ];
}

/** Affinity-lab settings: structure locks during a run; the loss weights, T, k and the optimiser stay live. */
export function AffinityConfigForm() {
  const setConfig = useWorkbench((s) => s.setConfig);
  return (
    <ConfigForm
      lab="affinity"
      ariaLabel="Affinity settings"
      items={(c, active) => items(c, active, (p) => setConfig('affinity', p))}
      idOf={idOf}
      fieldState={(key, c) => fieldState(key, c)}
    />
  );
}
