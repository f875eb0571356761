import { isSegmentation, type DatasetInfo } from '../../../protocol';
import { STREET_DATASET_NAMES } from '../../../protocol/datasets';
import {
  allowedChains,
  distillSource,
  sameClassSet,
  SEGMENT_LAB,
  SEG_TEACHER_REFINE,
  SEG_TEACHER_REFINE_FULL,
  type SegConfig,
  type SegZooInfo,
} from '../../../protocol/labs/segment';
import { useWorkbench } from '../../../store';
import { ConfigForm, type FieldState, type FormItem } from '../../components/ConfigForm';
import { modelChange, sizeLabel } from './segView';
import { useSegChain } from './useSegChain';

const KD_KEYS: readonly (keyof SegConfig)[] = ['alpha', 'temperature'];

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
  if (!loaded)
    for (const [id, name] of Object.entries(STREET_DATASET_NAMES))
      if (!ids.includes(id)) {
        ids.unshift(id);
        names[id] = name;
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

/** What the form says about a field: the chains the model allows and where a distillation source comes from, unused knobs. */
function fieldState(
  key: keyof SegConfig,
  config: SegConfig,
  zoo: SegZooInfo | null,
  datasets: readonly DatasetInfo[],
  chainRunning: boolean,
): FieldState | undefined {
  const source = distillSource(config);
  switch (key) {
    case 'chain': {
      // While Train the chain runs, each stage brings its own model and chain (the chain panel names them): the form's would mislead.
      if (chainRunning)
        return { options: allowedChains(config.model), hint: 'Train the chain is running: each stage uses its own model and distillation chain (see above).' };
      const held = source !== null && zoo !== null && !zoo.loading ? (zoo.entries.find((e) => e.slot === source && e.size === config.size) ?? null) : null;
      const missing = source !== null && zoo !== null && !zoo.loading && !held;
      const how = `model ${source}${source === 'tutor' ? ', chain teacher → student' : ', chain none'}`;
      // Known before Start: a source trained on other classes than the chosen dataset's cannot teach it.
      const data = datasets.find((d) => d.id === config.dataset);
      const otherClasses = held !== null && data !== undefined && !sameClassSet(held.classNames, data.classNames);
      const hint = !source
        ? 'Trains on the labels only.'
        : missing
          ? `The zoo has no ${source} at the ${config.size} size yet: train one first (${how}), or Train the chain (all four models in order), or pick another size.`
          : otherClasses
            ? `The zoo's ${source} at the ${config.size} size knows ${held.classNames.length} classes, but ${data.name} has ${data.classNames.length}: train a ${source} on ${data.name} first (${how}), or Train the chain (all four models in order).`
            : `Distils from the zoo's ${source} at the ${config.size} size (frozen).`;
      return { options: allowedChains(config.model), hint, warn: missing || otherClasses };
    }
    case 'upscale':
      return config.model === 'teacher'
        ? { disabled: true, hint: 'The teacher always upsamples bilinearly.' }
        : {
            hint: 'Student params over bilinear (8 classes, width 1/2): (a) +4.6 %, (b) +3.0 %, (c) +7.6 %, sub-pixel ×4 +0.8 %, v1 +5.3 %. No BN or ReLU acts on logits but in v1.',
          };
    case 'teacherWidth':
      return config.model === 'teacher'
        ? {
            hint: 'Width 1/2 costs 4× the MACs per step and was the better teacher on the realistic scenes and on real CamVid photos (README). Train the chain uses it for its teacher stage.',
          }
        : { hint: 'For the teacher stage only (model teacher, or Train the chain): the tutor and students are width 1/2.' };
    case 'teacherHead':
      return config.model === 'teacher'
        ? {
            hint: `The refinement joins the 1/4 head’s features with the first stem conv’s at 1/2 and adds its logits (${SEG_TEACHER_REFINE} channels, about +22 % MACs at width 1/2), for poles and people a 1/4 head draws too fat; the full-resolution stage joins its features with a conv of the image itself (${SEG_TEACHER_REFINE_FULL} channels, about +25 % MACs more), which found more of the thin poles. Each starts at zero, so Start from the zoo’s teacher with fewer of these heads works (README).`,
          }
        : { hint: 'For the teacher stage only (model teacher, or Train the chain).' };
    case 'size':
      return { optionLabels: { low: `low (${sizeLabel('low')})`, high: `high (${sizeLabel('high')})` } };
    case 'affinityLoss':
      return source === null
        ? { options: ['none'], hint: 'Needs a distillation chain: the term compares this model’s 1/8 features with the source’s.' }
        : { hint: `Between the ${source}’s and this model’s fused 1/8 features, through a learned 1×1 conv + ReLU adapter (§3).` };
    case 'affinityOrder':
    case 'affinityWeight':
      return config.affinityLoss === 'none' ? { hint: 'Not used without an affinity term.' } : undefined;
    case 'affinityK':
      return config.affinityLoss !== 'ffa' ? { hint: 'FFA only: the number of Gaussian probes (Z fixed per map size, seeded).' } : undefined;
    default:
      return KD_KEYS.includes(key) && source === null ? { hint: 'Not used without distillation (chain none).' } : undefined;
  }
}

function items(config: SegConfig, active: boolean, setConfig: (p: Partial<SegConfig>) => void): FormItem<SegConfig>[] {
  return [
    { field: 'model' },
    { field: 'teacherWidth' },
    { field: 'teacherHead' },
    { field: 'chain' },
    { field: 'upscale' },
    { field: 'size' },
    { key: 'dataset', node: <SegDatasetSelect value={config.dataset} disabled={active} onChange={(dataset) => setConfig({ dataset })} /> },
    {
      field: 'startFrom',
      hint: 'Train on from the zoo’s model of this run’s slot and size (same teacher width and head, or upscaling; same classes; a refined head may start from a plain teacher): a fresh lr schedule from the learning rate below, its steps added to the model’s. Train the chain’s stages start fresh, except the teacher’s second phase (set in its per-stage table).',
    },
    { field: 'flip' },
    {
      field: 'classBalance',
      hint: 'Weights each class’s pixels in the label losses by median frequency / its frequency in the training labels, capped at 10×: person and pole count. The square root halves that push (in log terms): fewer person and pole pixels drawn over buildings.',
    },
    { field: 'batchSize' },
    { field: 'steps' },
    { heading: 'Losses (live)' },
    { field: 'alpha', hint: 'Weight of the pixel-wise KL term (× T²).' },
    { field: 'temperature' },
    { field: 'auxWeight', hint: 'Weight of the 1/16 and 1/32 auxiliary heads.' },
    { field: 'ohemThreshold', hint: 'Keep pixels whose true-class probability is at most this (at least 1/16 of the batch’s pixels, the hardest).' },
    {
      field: 'lovaszWeight',
      hint: 'Adds the Lovász-softmax loss (Berman et al. 2018), a convex surrogate of 1 − IoU averaged over the classes in the batch: a thin class such as pole counts as much as road.',
    },
    { heading: 'Affinity term (§3)' },
    { field: 'affinityLoss' },
    { field: 'affinityOrder' },
    { field: 'affinityWeight' },
    { field: 'affinityK' },
    { heading: 'Optimiser (live)' },
    { field: 'lr' },
    { field: 'momentum' },
    { field: 'weightDecay' },
    {
      details: 'Evaluation, data, seed',
      items: [
        { field: 'evalEvery' },
        { field: 'trainSize', hint: 'The built-in street scenes only; imported sets use all their images.' },
        { field: 'testSize' },
        { field: 'seed' },
      ],
    },
  ];
}

/** A change that leaves the run without a distillation source also turns the affinity term off (it needs one). */
function withoutOrphanAffinity(config: SegConfig, change: Partial<SegConfig>): Partial<SegConfig> {
  const next = { ...config, ...change };
  return next.affinityLoss !== 'none' && distillSource(next) === null ? { ...change, affinityLoss: 'none' } : change;
}

/** Test ids: choices and switches `seg.<key>`, the step count `seg.steps`, other numbers `seg.param.<key>`. */
const idOf = (key: string) => (key === 'steps' || !(key in SEGMENT_LAB.numbers) ? `seg.${key}` : `seg.param.${key}`);

/** Segment-lab settings: structure locks while a segmentation run is going; lr, momentum, wd, α, T, aux weight, OHEM, affinity weight and k stay live. */
export function SegConfigForm() {
  const setConfig = useWorkbench((s) => s.setConfig);
  const zoo = useWorkbench((s) => s.labData.segment?.zoo ?? null);
  const datasets = useWorkbench((s) => s.datasets);
  const chainRunning = useSegChain()?.status === 'running';
  return (
    <ConfigForm
      lab="segment"
      ariaLabel="Segment settings"
      items={(c, active) => items(c, active, (p) => setConfig('segment', p))}
      idOf={idOf}
      fieldState={(key, config) => fieldState(key, config, zoo, datasets, chainRunning)}
      adjust={(change, config) => withoutOrphanAffinity(config, change.model ? { ...change, ...modelChange(config, change.model) } : change)}
    />
  );
}
