import { formatWidth, type NumberSpec } from '../../../protocol';
import { isDetection } from '../../../protocol/datasets';
import {
  DETECT_LAB,
  PEOPLE_ID,
  PEOPLE_REALISTIC_ID,
  detectSlotOf,
  isBuiltinPeople,
  architectureDifferences,
  summaryOfConfig,
  type DetectConfig,
  type DetectZooInfo,
} from '../../../protocol/labs/detect';
import { useWorkbench } from '../../../store';
import { selectLast } from '../../../store/selectors';
import { ConfigForm, useSendLive, type FieldState, type FormItem } from '../../components/ConfigForm';

/** Test ids: `detect.<key>`, except the score threshold, `detect.threshold` (the names). */
const idOf = (key: string) => (key === 'scoreThreshold' ? 'detect.threshold' : `detect.${key}`);

/** A menu of a number setting's allowed values (width multiplier, d, heads). */
function ChoiceSelect({ field, value, disabled, onChange }: { field: 'width' | 'd' | 'heads'; value: number; disabled: boolean; onChange(v: number): void }) {
  const spec: NumberSpec = DETECT_LAB.numbers[field];
  const id = idOf(field);
  const show = (v: number) => (field === 'width' ? formatWidth(v) : String(v));
  return (
    <div className="field">
      <label htmlFor={`f-${id}`}>{spec.label}</label>
      <select id={`f-${id}`} data-testid={id} value={String(value)} disabled={disabled} onChange={(e) => onChange(Number(e.target.value))}>
        {(spec.choices ?? [value]).map((c) => (
          <option key={c} value={String(c)}>
            {show(c)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The detection datasets: the built-in street scenes with person boxes and imported COCO / VOC person sets. */
function DetectDatasetSelect({ value, disabled, onChange }: { value: string; disabled: boolean; onChange(id: string): void }) {
  const all = useWorkbench((s) => s.datasets);
  const loaded = useWorkbench((s) => s.datasetsLoaded);
  // Imported detection sets carry task 'detect' (the Data tab's COCO / VOC importers).
  const imported = all.filter((d) => isDetection(d) && !isBuiltinPeople(d.id));
  const known = isBuiltinPeople(value) || imported.some((d) => d.id === value);
  return (
    <div className="field">
      <label htmlFor="f-detect.dataset">Dataset</label>
      <select id="f-detect.dataset" data-testid="detect.dataset" value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
        <option value={PEOPLE_ID}>Built-in street scenes (people)</option>
        <option value={PEOPLE_REALISTIC_ID}>Built-in realistic street scenes (people)</option>
        {imported.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name} ({d.trainCount.toLocaleString('en-US')} train, {d.testCount.toLocaleString('en-US')} validation)
          </option>
        ))}
        {!known && <option value={value}>{loaded ? `${value} (not in this browser)` : value}</option>}
      </select>
      {loaded && !known && <p className="field-error">This dataset is not stored in this browser: import it on the Data tab or choose another.</p>}
      {value === PEOPLE_ID && <p className="field-hint">The classic scenes (block people): what the shipped detectors were trained on.</p>}
      {value === PEOPLE_REALISTIC_ID && (
        <p className="field-hint">
          Realistic streets: people with heads, hair, skin tones, limbs, clothing, bags and hats, front or side views, walking; lighting, blur and noise vary.
        </p>
      )}
      {!isBuiltinPeople(value) && known && (
        <p className="field-hint">Imported sets train on all their images; the image counts below apply to the built-in scenes.</p>
      )}
    </div>
  );
}

/** What each encoder is, under the menu (its option labels are long for the panel). */
const ENCODER_HINTS: Record<DetectConfig['encoder'], string> = {
  transformer: 'L post-norm self-attention layers over the stride-32 tokens, sine positions added to queries and keys.',
  conv: 'L residual 3×3 convolution blocks at d channels.',
  dwconv: 'L residual depthwise 3×3 + pointwise blocks: the cheapest encoder.',
  none: 'The baseline: the projected backbone map goes straight to the decoder.',
};

/**
 * Under the score threshold: the live run's latest evaluation's best-F1 threshold (IoU 0.5, on the validation images), the
 * one the viewer suggests, with a button that moves the slider there (a live change and its marker during a run).
 */
function SuggestedThreshold({ current }: { current: number }) {
  const threshold = useWorkbench(selectLast('detect', 'test.f1Threshold'));
  const f1 = useWorkbench(selectLast('detect', 'test.bestF1'));
  const sendLive = useSendLive('detect');
  const setConfig = useWorkbench((s) => s.setConfig);
  if (threshold === undefined || !Number.isFinite(threshold)) return null;
  const { min, max } = DETECT_LAB.numbers.scoreThreshold;
  // Exact, not rounded: the threshold is a cut between two scores, and rounding could let a box across it.
  const v = Math.min(max, Math.max(min, threshold));
  const use = () => {
    setConfig('detect', { scoreThreshold: v });
    sendLive({ scoreThreshold: v });
  };
  return (
    <p className="field-hint" data-testid="detect.threshold.suggested">
      This run’s latest evaluation has its best F1{f1 === undefined ? '' : ` (${(f1 * 100).toFixed(1)} %)`} at {v.toFixed(2)}.{' '}
      {v === current ? (
        'The slider is there.'
      ) : (
        <button type="button" className="link-button" data-testid="detect.threshold.useSuggested" onClick={use}>
          Use {v.toFixed(2)}
        </button>
      )}
    </p>
  );
}

function fieldState(key: keyof DetectConfig, c: DetectConfig, zoo: DetectZooInfo | null): FieldState | undefined {
  if (key === 'encoder') return { hint: ENCODER_HINTS[c.encoder] };
  if (key === 'encoderLayers' && c.encoder === 'none') return { hint: 'Not used: without an encoder the projection feeds the decoder.' };
  if (key === 'encoderLayers' && c.encoder !== 'transformer') return { hint: 'Residual convolution blocks of the encoder.' };
  if (key === 'heads' && c.d % c.heads !== 0) return { hint: `d = ${c.d} is not divisible by ${c.heads} heads.`, warn: true };
  if (key === 'fineTune')
    return c.fineTune
      ? c.encoder === 'none'
        ? { hint: 'A detector without an encoder has no viewer pane to start from: pick an encoder or untick this.', warn: true }
        : fineTuneState(c, zoo)
      : { hint: 'E.g. the shipped detector fine-tuned on your imported COCO / VOC photos.' };
  if (key === 'pretrainedBackbone' && c.fineTune) return { hint: 'Not used: the run starts from the viewer’s detector.' };
  if (key === 'pretrainedBackbone')
    return c.pretrainedBackbone
      ? c.width === 0.5
        ? { hint: 'MobileNetV3 trained on the built-in scenes’ class maps (the stand-in for ImageNet); lr 1e-4, backbone ×0.1 suit it.' }
        : { hint: 'The pretrained backbone has width 0.5: set the width to 0.5 or untick this.', warn: true }
      : { hint: 'Random backbone: DETR did not learn from one in 1,500 steps here.' };
  if (key === 'scoreThreshold') return { hint: 'Boxes below it are not drawn or counted; AP ranks every query regardless.' };
  return undefined;
}

function items(config: DetectConfig, active: boolean, setConfig: (p: Partial<DetectConfig>) => void): FormItem<DetectConfig>[] {
  const choice = (field: 'width' | 'd' | 'heads') => ({
    key: field,
    node: <ChoiceSelect field={field} value={config[field]} disabled={active} onChange={(v) => setConfig({ [field]: v })} />,
  });
  return [
    { field: 'encoder' },
    { key: 'dataset', node: <DetectDatasetSelect value={config.dataset} disabled={active} onChange={(dataset) => setConfig({ dataset })} /> },
    { field: 'flip' },
    { field: 'letterbox', hint: 'Images squeezed between grey side bars, as the viewer fits a portrait or 4:3 photo; 0.5 in the shipped fine-tune.' },
    { field: 'zoom', hint: 'Images zoomed in 1–2.5× at a random place, boxes clipped: near people as photos show them.' },
    { field: 'pretrainedBackbone' },
    { field: 'fineTune' },
    { heading: 'Architecture' },
    choice('width'),
    choice('d'),
    { field: 'encoderLayers' },
    { field: 'decoderLayers', hint: 'The loss is applied after every decoder layer (aux losses); the last one predicts.' },
    choice('heads'),
    { field: 'ffnRatio' },
    { field: 'queries' },
    { heading: 'Run' },
    { field: 'batchSize' },
    { field: 'steps' },
    { heading: 'Optimiser (live: lr, clip)' },
    { field: 'lr', hint: 'AdamW; the backbone trains at lr × its multiplier.' },
    { field: 'clip' },
    { field: 'backboneLr' },
    { field: 'weightDecay' },
    { heading: 'Loss weights (live)' },
    { field: 'wCE' },
    { field: 'wL1' },
    { field: 'wGIoU' },
    { field: 'eosCoef', hint: 'Weight of the no-object class in the CE (DETR: 0.1).' },
    { field: 'scoreThreshold' },
    { key: 'suggestedThreshold', node: <SuggestedThreshold current={config.scoreThreshold} /> },
    { details: 'Matching costs (Hungarian)', items: [{ field: 'costClass' }, { field: 'costBbox' }, { field: 'costGiou' }] },
    { details: 'Evaluation, data, seed', items: [{ field: 'evalEvery' }, { field: 'trainSize' }, { field: 'testSize' }, { field: 'seed' }] },
  ];
}

/** The fine-tune option's hint: which pane's detector the run starts from, and a warning when the form is built otherwise. */
function fineTuneState(c: DetectConfig, zoo: DetectZooInfo | null): FieldState {
  const slot = detectSlotOf(c.encoder);
  const held = zoo?.entries.find((e) => e.slot === slot);
  const differences = held ? architectureDifferences(held.architecture, summaryOfConfig(c)) : [];
  if (differences.length > 0)
    return {
      hint: `The viewer’s ${slot} detector is built otherwise than the form says (${differences.join('; ')}): set the form to match it, or the run will be refused.`,
      warn: true,
    };
  return {
    hint: `Every weight from the viewer’s ${slot} pane (shipped, or the last run that filled it); the architecture below must be its (the shipped pair: the defaults).`,
  };
}

/** Detect-lab settings: the architecture locks during a run; lr, clip, the loss weights and the score threshold stay live. */
export function DetectConfigForm() {
  const setConfig = useWorkbench((s) => s.setConfig);
  const zoo = useWorkbench((s) => s.labData.detect?.zoo ?? null);
  return (
    <ConfigForm
      lab="detect"
      ariaLabel="Detect settings"
      items={(c, active) => items(c, active, (p) => setConfig('detect', p))}
      idOf={idOf}
      fieldState={(key, c) => fieldState(key, c, zoo)}
    />
  );
}
