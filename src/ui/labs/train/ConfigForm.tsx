import { DatasetSelect } from '../../components/DatasetSelect';
import { WidthSelect } from '../../components/WidthSelect';
import { memo } from 'react';
import { getEngine } from '../../../client';
import { MODELS, TRAIN_PARAMS, type LiveKey, type TrainConfig, type TrainParamKey } from '../../../protocol';
import { useWorkbench } from '../../../store';
import { ParamField } from '../../components/ParamField';

/** Test ids of the form controls (the names where it gives them). */
const IDS: Partial<Record<TrainParamKey, string>> = {
  lr: 'hp.lr',
  batchSize: 'hp.batch',
  steps: 'hp.steps',
  momentum: 'hp.momentum',
  weightDecay: 'hp.weightDecay',
};

/** The run settings. Structural ones lock while a run is active; live ones go to the worker at once. */
export const ConfigForm = memo(function ConfigForm() {
  const config = useWorkbench((s) => s.config);
  const setConfig = useWorkbench((s) => s.setConfig);
  const run = useWorkbench((s) => s.run);
  const engineReady = useWorkbench((s) => s.engineStatus === 'ready');
  const active = run !== null && (run.status === 'running' || run.status === 'paused' || run.status === 'preparing');

  const commit = (key: TrainParamKey, v: number) => {
    setConfig({ [key]: v } as Partial<TrainConfig>);
    if (active && TRAIN_PARAMS[key].live === true && engineReady) {
      void getEngine().setHyperparams({ [key as LiveKey]: v });
    }
  };

  const field = (key: TrainParamKey, hint?: string) => (
    <ParamField
      key={key}
      id={IDS[key] ?? `hp.${key}`}
      spec={TRAIN_PARAMS[key]}
      value={config[key]}
      disabled={active && TRAIN_PARAMS[key].live !== true}
      onCommit={(v) => commit(key, v)}
      {...(hint ? { hint } : {})}
    />
  );

  return (
    <form className="config" onSubmit={(e) => e.preventDefault()} aria-label="Run settings">
      <div className="field">
        <label htmlFor="f-model">Model</label>
        <select
          id="f-model"
          data-testid="hp.model"
          value={config.model}
          disabled={active}
          onChange={(e) => setConfig({ model: e.target.value as TrainConfig['model'] })}
        >
          {MODELS.map((m) => (
            <option key={m} value={m}>
              {m === 'vgg16' ? 'VGG-16 (CIFAR variant)' : m === 'resnet18' ? 'ResNet-18 (CIFAR variant)' : m}
            </option>
          ))}
        </select>
      </div>
      <WidthSelect id="hp.width" value={config.width} disabled={active} onChange={(width) => setConfig({ width })} />
      <DatasetSelect value={config.dataset} augment={config.augment} disabled={active} onChange={setConfig} />
      {field('batchSize')}
      {field('steps')}
      <h3>Live (changeable mid-run)</h3>
      {field('lr', 'Changes mid-run are applied between two steps and marked on the charts.')}
      {field('momentum')}
      {field('weightDecay')}
      <details>
        <summary>Data and evaluation</summary>
        {field('evalEvery')}
        {field('trainSize')}
        {field('testSize')}
        {field('seed')}
      </details>
    </form>
  );
});
