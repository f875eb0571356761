import type { TrainConfig } from '../../../protocol';
import { useWorkbench } from '../../../store';
import { ConfigForm, type FormItem } from '../../components/ConfigForm';
import { DatasetSelect } from '../../components/DatasetSelect';
import { WidthSelect } from '../../components/WidthSelect';

/** Test ids of the form controls (the names where it gives them). */
const IDS: Partial<Record<keyof TrainConfig, string>> = { batchSize: 'hp.batch' };

function items(config: TrainConfig, active: boolean, setConfig: (p: Partial<TrainConfig>) => void): FormItem<TrainConfig>[] {
  return [
    { field: 'model' },
    { key: 'width', node: <WidthSelect id="hp.width" value={config.width} disabled={active} onChange={(width) => setConfig({ width })} /> },
    { key: 'dataset', node: <DatasetSelect value={config.dataset} augment={config.augment} disabled={active} onChange={setConfig} /> },
    { field: 'batchSize' },
    { field: 'steps' },
    { heading: 'Live (changeable mid-run)' },
    { field: 'lr', hint: 'Changes mid-run are applied between two steps and marked on the charts.' },
    { field: 'momentum' },
    { field: 'weightDecay' },
    { details: 'Data and evaluation', items: [{ field: 'evalEvery' }, { field: 'trainSize' }, { field: 'testSize' }, { field: 'seed' }] },
  ];
}

/** The Train lab's settings. Structural ones lock while its run is active; live ones go to the worker at once. */
export function TrainConfigForm() {
  const setConfig = useWorkbench((s) => s.setConfig);
  return (
    <ConfigForm
      lab="train"
      ariaLabel="Run settings"
      items={(c, active) => items(c, active, (p) => setConfig('train', p))}
      idOf={(k) => IDS[k as keyof TrainConfig] ?? `hp.${k}`}
    />
  );
}
