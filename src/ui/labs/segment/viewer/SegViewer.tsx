/**
 * The Segment lab's side-by-side viewer: the user's images (or built-in street scenes) segmented by every
 * zoo model at the selected size — input | teacher | tutor | student (bilinear) | student (PixelShuffle),
 * plus the labels when given — with agreement with the teacher, mIoU / pixel accuracy and inference time.
 */
import { useEffect, useMemo, useState } from 'react';
import { getEngine } from '../../../../client';
import {
  SEG_SIZE_PIXELS,
  SEG_SLOTS,
  SHIPPED_SEG_CAMVID,
  sameClassSet,
  type SegSlot,
  type SegZooInfo,
  type SegSizeName,
} from '../../../../protocol/labs/segment';
import { STREET_DATASET_IDS } from '../../../../protocol/datasets';
import { labelMapping } from '../../../../protocol';
import { useWorkbench } from '../../../../store';
import { Legend, ThumbStrip } from './canvases';
import { InputPane, LabelsPane, ModelPane, SLOT_CAPTIONS } from './SegPane';
import { usePredictions, zooKey } from './usePredictions';
import { useFitted } from './useFitted';
import { useSources } from './useSources';
import { ViewerInputs } from './ViewerInputs';
import './viewer.css';

const DEFAULT_OPACITY = 60;
/** A share as a whole percent ("36 %"). */
const pct0 = (f: number) => `${Math.round(f * 100)} %`;

/** One class set among the size's models: its classes, colours, the dataset that named them, and its models' slots. */
export interface ClassSet {
  key: string;
  classNames: string[];
  palette: [number, number, number][];
  dataset: string;
  slots: SegSlot[];
}

/** The size's models grouped by class set (the teacher's set first): a comparison never mixes two sets. */
export function classSetsAt(zoo: SegZooInfo | null, size: SegSizeName): ClassSet[] {
  const entries = (zoo?.entries ?? []).filter((e) => e.size === size);
  const sets: ClassSet[] = [];
  for (const e of [...entries].sort((a, b) => Number(b.slot === 'teacher') - Number(a.slot === 'teacher'))) {
    const set = sets.find((s) => sameClassSet(s.classNames, e.classNames));
    if (set) set.slots.push(e.slot);
    else sets.push({ key: e.classNames.join('\u0001'), classNames: e.classNames, palette: e.palette, dataset: e.dataset, slots: [e.slot] });
  }
  return sets;
}

const slotsAt = (zoo: SegZooInfo | null, size: SegSizeName) => new Set((zoo?.entries ?? []).filter((e) => e.size === size).map((e) => e.slot));

export function SegViewer() {
  const size = useWorkbench((s) => s.configs.segment.size);
  const zoo = useWorkbench((s) => s.labData.segment?.zoo ?? null);
  const setPush = useWorkbench((s) => s.setPush);
  const [zooError, setZooError] = useState<string | null>(null);
  const [opacity, setOpacity] = useState(DEFAULT_OPACITY);
  const sources = useSources();
  const classSets = classSetsAt(zoo, size);
  const [classSetKey, setClassSetKey] = useState<string | null>(null);
  const classSet = classSets.find((c) => c.key === classSetKey) ?? classSets[0] ?? null;
  const datasets = useWorkbench((s) => s.datasets);
  const datasetName = (id: string) => datasets.find((d) => d.id === id)?.name ?? id;
  // The selected image's labels read against the models shown: as they are, mapped onto the street classes, or not scored.
  const modelLegend = classSet ? { classNames: classSet.classNames, palette: classSet.palette } : sources.streetLegend;
  const modelsName = classSet ? datasetName(classSet.dataset) : 'street scenes';
  const labels = sources.selected?.labels ?? null;
  const modelClassKey = modelLegend?.classNames.join('\u0001') ?? '';
  const mapping = useMemo(
    () => (labels && modelLegend ? labelMapping(labels.classes, labels.name, { classNames: modelLegend.classNames, name: modelsName }) : null),
    // modelLegend is compared by its class names (a new object with the same classes does not map again).
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [labels, modelClassKey, modelsName],
  );
  const fitted = useFitted(sources.selected, size, mapping);
  const importedDataset = classSet && !STREET_DATASET_IDS.includes(classSet.dataset) ? classSet.dataset : null;
  const predictions = usePredictions(fitted.image, size, zooKey(zoo, size), classSet?.classNames ?? null);

  const zooLegend = classSet ? { classNames: classSet.classNames, palette: classSet.palette } : null;
  const { samples } = sources;
  const needStreetLegend = zooLegend === null;
  useEffect(() => {
    // No model tells the classes yet: take the street scenes' legend.
    if (needStreetLegend) samples().catch(() => undefined);
  }, [needStreetLegend, samples]);

  // First visit: show a built-in street scene at once, so the shipped models can be compared without an upload.
  const engineReady = useWorkbench((s) => s.engineStatus === 'ready');
  const empty = sources.sources.length === 0;
  const { addSample } = sources;
  const [autoPicked, setAutoPicked] = useState(false);
  useEffect(() => {
    if (!engineReady || autoPicked || !empty) return;
    setAutoPicked(true);
    void addSample(0);
  }, [engineReady, autoPicked, empty, addSample]);

  useEffect(() => {
    if (zoo) return;
    getEngine()
      .call('segment', 'zoo', [])
      .then(
        (value) => {
          setZooError(null);
          setPush({ lab: 'segment', name: 'zoo', value });
        },
        (err: unknown) => setZooError(`The model zoo could not be read: ${err instanceof Error ? err.message : String(err)}`),
      );
  }, [zoo, setPush]);

  const result = predictions.image === fitted.image ? predictions.result : null;
  const legend = result ? { classNames: result.classNames, palette: result.palette } : (zooLegend ?? sources.streetLegend);
  const palette = legend?.palette ?? null;
  const present = new Set(classSet?.slots ?? []);
  const otherSet = (slot: SegSlot) => classSets.find((c) => c !== classSet && c.slots.includes(slot)) ?? null;
  const presentElsewhere = slotsAt(zoo, size === 'low' ? 'high' : 'low');
  const predictionOf = (slot: string) => result?.images[0]?.predictions.find((p) => p.slot === slot);
  const busy = predictions.busy || sources.loading || fitted.fitting;
  const trainedOn = (slot: SegSlot) => {
    const e = zoo?.entries.find((x) => x.size === size && x.slot === slot);
    return e ? datasetName(e.dataset) : null;
  };
  // An uploaded photo (not a built-in scene) shown to models that learned only from the generated street scenes.
  const syntheticOnly = classSet !== null && STREET_DATASET_IDS.includes(classSet.dataset) && (sources.selected?.key.startsWith('upload-') ?? false);
  const { height, width } = SEG_SIZE_PIXELS[size];

  return (
    <section className="seg-viewer" data-testid="seg.viewer" aria-label="Segmentation viewer">
      <h3>Compare the models on an image</h3>
      {classSets.length > 1 && (
        <label className="seg-viewer-control seg-viewer-classset">
          <span>Class set</span>
          <select data-testid="seg.viewer.classSet" value={classSet?.key ?? ''} onChange={(e) => setClassSetKey(e.target.value)}>
            {classSets.map((c) => (
              <option key={c.key} value={c.key}>
                {datasetName(c.dataset)}, {c.classNames.length} classes ({c.slots.map((s) => SLOT_CAPTIONS[s]).join(', ')})
              </option>
            ))}
          </select>
          <span className="seg-viewer-note">Models trained on different classes are never compared with each other.</span>
        </label>
      )}
      <ViewerInputs sources={sources} target={{ legend: modelLegend, dataset: importedDataset }} opacity={opacity} onOpacity={setOpacity} />
      <p className="seg-viewer-note">
        Images are centre-cropped to 1:2 (width twice the height) and resized to {height}×{width} px, height × width (the {size} size).
        {busy && (
          <span className="seg-viewer-busy" role="status" data-testid="seg.viewer.busy">
            {sources.loading || fitted.fitting ? ' loading the image…' : ' predicting…'}
          </span>
        )}
      </p>
      {sources.inputError && (
        <p className="seg-viewer-error" role="alert" data-testid="seg.viewer.inputError">
          {sources.inputError}
        </p>
      )}
      {mapping && !(sources.selected?.key.startsWith('sample-') && mapping.scored) && (
        <p className={mapping.scored ? 'seg-viewer-note' : 'seg-viewer-warning'} data-testid="seg.viewer.labelMapping">
          {mapping.text}
        </p>
      )}
      {[fitted.error, predictions.error, zooError].filter(Boolean).map((e) => (
        <p key={e} className="seg-viewer-error" role="alert" data-testid="seg.viewer.error">
          {e}
        </p>
      ))}
      {syntheticOnly && (
        <p className="seg-viewer-note" data-testid="seg.viewer.syntheticNote">
          These models learned only from generated street scenes ({datasetName(classSet.dataset)}): on 20 real CamVid photos the shipped teacher, trained on the
          realistic scenes, scores {pct0(SHIPPED_SEG_CAMVID.teacher)} mIoU and the shipped students {pct0(SHIPPED_SEG_CAMVID['student-bilinear'])} and{' '}
          {pct0(SHIPPED_SEG_CAMVID['student-pixelshuffle'])}; a guess from where each class usually sits in the frame scores{' '}
          {pct0(SHIPPED_SEG_CAMVID.layoutPrior)} (README, <code>npm run eval:segment:real</code>). For real photos, import a labelled set (CamVid, Cityscapes)
          on the Data tab and use <em>Train the chain</em> on it.
        </p>
      )}
      <ThumbStrip sources={sources.sources} selectedKey={sources.selected?.key ?? null} onSelect={sources.select} />
      <div className="seg-viewer-panes" aria-busy={busy}>
        <InputPane image={fitted.image} />
        {SEG_SLOTS.map((slot) => (
          <ModelPane
            key={slot}
            slot={slot}
            size={size}
            present={present.has(slot)}
            otherClassSet={(() => {
              const o = present.has(slot) ? null : otherSet(slot);
              return o ? { dataset: datasetName(o.dataset), classCount: o.classNames.length } : null;
            })()}
            atOtherSize={presentElsewhere.has(slot)}
            zooLoading={!zoo || zoo.loading}
            image={fitted.image}
            prediction={predictionOf(slot)}
            palette={palette ?? []}
            opacity={opacity / 100}
            busy={predictions.busy}
            trainedOn={trainedOn(slot)}
          />
        ))}
        {fitted.image?.labels && <LabelsPane image={fitted.image} palette={palette ?? []} opacity={opacity / 100} />}
      </div>
      {legend && <Legend classNames={legend.classNames} palette={legend.palette} />}
    </section>
  );
}
