import { memo } from 'react';
import { getEngine } from '../../../client';
import {
  GROUPINGS,
  LR_SCHEDULES,
  MODELS,
  PROX_KINDS,
  PRUNE_METHODS,
  TRAIN_PARAMS,
  hardThreshold,
  type LiveKey,
  type TrainConfig,
  type TrainParamKey,
} from '../../../protocol';
import { useWorkbench } from '../../../store';
import { DatasetSelect } from '../../components/DatasetSelect';
import { WidthSelect } from '../../components/WidthSelect';
import { ParamField } from '../../components/ParamField';
import { formatHp } from '../../format';

export const METHOD_LABEL: Record<TrainConfig['method'], string> = {
  none: 'None (dense SGD)',
  'gl-penalty': 'Group Lasso, penalty (Wen et al. 2016)',
  'gl-prox': 'Group Lasso, proximal',
  rgsm: 'RGSM (relaxed group-wise splitting)',
};
const IDS: Partial<Record<TrainParamKey, string>> = { batchSize: 'hp.batch', steps: 'hp.steps' };
/** Which method a sparsity knob acts on (others ignore it). */
const USED_BY: Partial<Record<TrainParamKey, readonly TrainConfig['method'][]>> = {
  lambda1: ['rgsm'],
  lambda2: ['rgsm'],
  beta: ['rgsm'],
  lambdaGL: ['gl-penalty', 'gl-prox'],
};

function Choice<K extends 'model' | 'method' | 'prox' | 'grouping' | 'schedule'>(props: {
  id: string;
  label: string;
  k: K;
  options: readonly TrainConfig[K][];
  names?: Partial<Record<TrainConfig[K], string>>;
  disabled: boolean;
}) {
  const value = useWorkbench((s) => s.config[props.k]);
  const setConfig = useWorkbench((s) => s.setConfig);
  return (
    <div className="field">
      <label htmlFor={`f-${props.id}`}>{props.label}</label>
      <select
        id={`f-${props.id}`}
        data-testid={props.id}
        value={value}
        disabled={props.disabled}
        onChange={(e) => setConfig({ [props.k]: e.target.value } as Partial<TrainConfig>)}
      >
        {props.options.map((o) => (
          <option key={o} value={o}>
            {props.names?.[o] ?? o}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Prune-lab settings: structure locks during a run; λ1, λ2, β, λ_GL, lr, momentum, wd and the zero threshold stay live. */
export const PruneConfigForm = memo(function PruneConfigForm() {
  const config = useWorkbench((s) => s.config);
  const setConfig = useWorkbench((s) => s.setConfig);
  const run = useWorkbench((s) => s.run);
  const engineReady = useWorkbench((s) => s.engineStatus === 'ready');
  const active = run !== null && run.lab === 'prune' && ['running', 'paused', 'preparing'].includes(run.status);
  const locked = run !== null && ['running', 'paused', 'preparing'].includes(run.status);

  const commit = (key: TrainParamKey, v: number) => {
    setConfig({ [key]: v } as Partial<TrainConfig>);
    if (active && TRAIN_PARAMS[key].live === true && engineReady) void getEngine().setHyperparams({ [key as LiveKey]: v });
  };
  const field = (key: TrainParamKey, hint?: string) => {
    const users = USED_BY[key];
    const unused = users && !users.includes(config.method);
    return (
      <ParamField
        key={key}
        id={IDS[key] ?? `hp.${key}`}
        spec={TRAIN_PARAMS[key]}
        value={config[key]}
        disabled={(locked && TRAIN_PARAMS[key].live !== true) || Boolean(unused && active)}
        onCommit={(v) => commit(key, v)}
        {...(unused ? { hint: `Not used by ${METHOD_LABEL[config.method]}.` } : hint ? { hint } : {})}
      />
    );
  };

  return (
    <form className="config" onSubmit={(e) => e.preventDefault()} aria-label="Prune settings">
      <Choice id="prune.method" label="Method" k="method" options={PRUNE_METHODS} names={METHOD_LABEL} disabled={locked} />
      <Choice
        id="prune.model"
        label="Model"
        k="model"
        options={MODELS}
        names={{ vgg16: 'VGG-16 (CIFAR, 13 conv)', resnet18: 'ResNet-18 (CIFAR)' }}
        disabled={locked}
      />
      <WidthSelect id="prune.width" value={config.width} disabled={locked} onChange={(width) => setConfig({ width })} />
      <DatasetSelect value={config.dataset} augment={config.augment} disabled={locked} onChange={setConfig} />
      {field('batchSize')}
      {field('steps')}
      <h3>Sparsity (live)</h3>
      {field('lambda1')}
      <p className="readout threshold">
        hard threshold √(2λ1/β) = <b data-testid="prune.threshold">{formatHp(hardThreshold(config.lambda1, config.beta))}</b>
      </p>
      {field('lambda2')}
      {field('beta')}
      {field('lambdaGL')}
      {field('zeroThreshold', 'A group counts as zero when its ℓ2 norm is below this.')}
      <h3>Optimiser (live)</h3>
      {field('lr', 'Base rate; the schedule scales it.')}
      {field('momentum')}
      {field('weightDecay')}
      <details>
        <summary>Grouping, prox, schedule, data</summary>
        <Choice
          id="prune.grouping"
          label="Groups"
          k="grouping"
          options={GROUPINGS}
          names={{ input: 'input channels (axes 0,1,3)', output: 'output channels (filters)' }}
          disabled={locked}
        />
        <Choice
          id="prune.prox"
          label="RGSM prox"
          k="prox"
          options={PROX_KINDS}
          names={{ hard: 'hard (group ℓ0)', soft: 'soft (group ℓ1)' }}
          disabled={locked}
        />
        <Choice
          id="prune.schedule"
          label="Learning-rate schedule"
          k="schedule"
          options={LR_SCHEDULES}
          names={{ step: 'step ×0.1 at 40/60/80 %', cosine: 'cosine', constant: 'constant' }}
          disabled={locked}
        />
        {field('evalEvery')}
        {field('trainSize')}
        {field('testSize')}
        {field('seed')}
      </details>
    </form>
  );
});
