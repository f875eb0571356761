import { memo } from 'react';
import { getEngine } from '../../../client';
import { isSegmentation, STREETS_DATASET_ID, type LiveKey } from '../../../protocol';
import {
  allowedChains,
  distillSource,
  SEG_CHAIN_LABELS,
  SEG_MODELS,
  SEG_PARAMS,
  SEG_SIZES,
  UPSCALES,
  type SegConfig,
  type SegParamKey,
} from '../../../protocol/segment';
import { useWorkbench } from '../../../store';
import { ParamField } from '../../components/ParamField';
import { modelChange, sizeLabel } from './segView';
import { isActive } from './segStatus';

const MODEL_LABELS = { teacher: 'Teacher (HRNet-like)', tutor: 'Tutor (student + high-res path)', student: 'Student (FasterSeg-like)' } as const;
const UPSCALE_LABELS = { bilinear: 'Bilinear', pixelshuffle: 'Depthwise conv + PixelShuffle' } as const;
const IDS: Partial<Record<SegParamKey, string>> = { steps: 'seg.steps' };
const KD_KEYS: readonly SegParamKey[] = ['alpha', 'temperature'];

function Select<T extends string>(props: {
  id: string;
  label: string;
  value: T;
  options: readonly T[];
  names: Record<T, string>;
  disabled: boolean;
  onChange(v: T): void;
  hint?: string;
  warn?: boolean;
}) {
  return (
    <div className="field">
      <label htmlFor={`f-${props.id}`}>{props.label}</label>
      <select id={`f-${props.id}`} data-testid={props.id} value={props.value} disabled={props.disabled} onChange={(e) => props.onChange(e.target.value as T)}>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {props.names[o]}
          </option>
        ))}
      </select>
      {props.hint && (
        <p className={props.warn ? 'field-error' : 'field-hint'} data-testid={props.warn ? `${props.id}.warning` : undefined}>
          {props.hint}
        </p>
      )}
    </div>
  );
}

/** The segmentation datasets (the built-in street scenes and imported ones). */
function SegDatasetSelect({ value, disabled, onChange }: { value: string; disabled: boolean; onChange(id: string): void }) {
  const all = useWorkbench((s) => s.datasets);
  const loaded = useWorkbench((s) => s.datasetsLoaded);
  const sets = all.filter(isSegmentation);
  const names: Record<string, string> = Object.fromEntries(
    sets.map((d) => [
      d.id,
      d.kind === 'builtin'
        ? `${d.name}, ${d.classNames.length} classes`
        : `${d.name} (${d.classNames.length} classes, ${d.trainCount.toLocaleString('en-US')} train)`,
    ]),
  );
  const ids = sets.map((d) => d.id);
  if (!ids.includes(STREETS_DATASET_ID) && !loaded) {
    ids.unshift(STREETS_DATASET_ID);
    names[STREETS_DATASET_ID] = 'Street scenes (built-in)';
  }
  const known = ids.includes(value);
  if (!known) {
    ids.push(value);
    names[value] = loaded ? `${value} (not in this browser)` : value;
  }
  return (
    <Select
      id="seg.dataset"
      label="Dataset"
      value={value}
      options={ids}
      names={names}
      disabled={disabled}
      onChange={onChange}
      {...(loaded && !known ? { hint: 'This dataset is not stored in this browser: import it on the Data tab or choose another.' } : {})}
    />
  );
}

/** Segment-lab settings: structure locks while a segmentation run is going; lr, momentum, wd, α, T, aux weight and OHEM stay live. */
export const SegConfigForm = memo(function SegConfigForm() {
  const config = useWorkbench((s) => s.segConfig);
  const setConfig = useWorkbench((s) => s.setSegConfig);
  const active = useWorkbench((s) => isActive(s.segRun?.status));
  const engineReady = useWorkbench((s) => s.engineStatus === 'ready');
  const source = distillSource(config);
  const zoo = useWorkbench((s) => s.segZoo);
  const missing = source !== null && zoo !== null && !zoo.loading && !zoo.entries.some((e) => e.slot === source && e.size === config.size);
  const chainHint = !source
    ? 'Trains on the labels only.'
    : missing
      ? `The zoo has no ${source} at the ${config.size} size yet: train one first (model ${source}${source === 'tutor' ? ', chain teacher → student' : ', chain none'}) or pick another size.`
      : `Distils from the zoo's ${source} at the ${config.size} size (frozen).`;

  const commit = (key: SegParamKey, v: number) => {
    setConfig({ [key]: v } as Partial<SegConfig>);
    if (active && SEG_PARAMS[key].live === true && engineReady) void getEngine().setHyperparams({ [key as LiveKey]: v });
  };
  const field = (key: SegParamKey, hint?: string) => {
    const spec = SEG_PARAMS[key];
    const unused = KD_KEYS.includes(key) && source === null;
    const shownHint = unused ? 'Not used without distillation (chain none).' : hint;
    return (
      <ParamField
        key={key}
        id={IDS[key] ?? `seg.param.${key}`}
        spec={spec}
        value={config[key]}
        disabled={active && spec.live !== true}
        onCommit={(v) => commit(key, v)}
        {...(shownHint ? { hint: shownHint } : {})}
      />
    );
  };

  return (
    <form className="config" onSubmit={(e) => e.preventDefault()} aria-label="Segment settings">
      <Select
        id="seg.model"
        label="Model to train"
        value={config.model}
        options={SEG_MODELS}
        names={MODEL_LABELS}
        disabled={active}
        onChange={(m) => setConfig(modelChange(config, m))}
      />
      <Select
        id="seg.chain"
        label="Distillation chain"
        value={config.chain}
        options={allowedChains(config.model)}
        names={SEG_CHAIN_LABELS}
        disabled={active}
        onChange={(chain) => setConfig({ chain })}
        hint={chainHint}
        warn={missing}
      />
      <Select
        id="seg.upscale"
        label="Upscaling"
        value={config.upscale}
        options={UPSCALES}
        names={UPSCALE_LABELS}
        disabled={active || config.model === 'teacher'}
        onChange={(upscale) => setConfig({ upscale })}
        {...(config.model === 'teacher' ? { hint: 'The teacher always upsamples bilinearly.' } : {})}
      />
      <Select
        id="seg.size"
        label="Input size"
        value={config.size}
        options={SEG_SIZES}
        names={{ low: `low (${sizeLabel('low')})`, high: `high (${sizeLabel('high')})` }}
        disabled={active}
        onChange={(size) => setConfig({ size })}
      />
      <SegDatasetSelect value={config.dataset} disabled={active} onChange={(dataset) => setConfig({ dataset })} />
      <div className="field">
        <label className="check">
          <input type="checkbox" data-testid="seg.flip" checked={config.flip} disabled={active} onChange={(e) => setConfig({ flip: e.target.checked })} />
          Random horizontal flip (image and labels)
        </label>
      </div>
      {field('batchSize')}
      {field('steps')}
      <h3>Losses (live)</h3>
      {field('alpha', 'Weight of the pixel-wise KL term (× T²).')}
      {field('temperature')}
      {field('auxWeight', 'Weight of the 1/16 and 1/32 auxiliary heads.')}
      {field('ohemThreshold', 'Keep pixels whose true-class probability is below this (at least 1/16 of them).')}
      <h3>Optimiser (live)</h3>
      {field('lr')}
      {field('momentum')}
      {field('weightDecay')}
      <details>
        <summary>Evaluation, data, seed</summary>
        {field('evalEvery')}
        {field('trainSize', 'The built-in street scenes only; imported sets use all their images.')}
        {field('testSize')}
        {field('seed')}
      </details>
    </form>
  );
});
