import { useEffect, useState } from 'react';
import { getEngine } from '../../../client';
import { BUILTIN_DATASET_ID, isClassification, isDetection, isSegmentation, type DatasetInfo, type DatasetSamples } from '../../../protocol/datasets';
import { useWorkbench } from '../../../store';
import { useActiveLab } from '../../runStatus';
import type { TabProps } from '../tab';
import { DatasetList } from './DatasetList';
import { DetectDatasetList } from './DetectDatasetList';
import { DetectSampleGrid } from './DetectSampleGrid';
import { ImportPanel } from './ImportPanel';
import { ModelLibrary } from './ModelLibrary';
import { SampleGrid } from './SampleGrid';
import { SegDatasetList } from './SegDatasetList';
import { SegSampleGrid } from './SegSampleGrid';

const SAMPLES_PER_CLASS = 8;
/** Images (with their label maps) shown of a segmentation dataset. */
const SEG_SAMPLES = 6;
/** Images (with their boxes) shown of a person-detection dataset. */
const DETECT_SAMPLES = 8;

/** The dataset manager (import, list, inspect and delete datasets; choose the classification set runs train on) and the model library. */
export function DataLab({ openTab }: TabProps) {
  const datasets = useWorkbench((s) => s.datasets);
  const loaded = useWorkbench((s) => s.datasetsLoaded);
  const trainingId = useWorkbench((s) => s.configs.train.dataset);
  const setConfig = useWorkbench((s) => s.setConfig);
  const activeLab = useActiveLab();
  const runActive = activeLab === 'train' || activeLab === 'prune';
  /** The classification labs (Train and Prune) train on the set picked here. */
  const pickForClassifiers = (dataset: string) => {
    setConfig('train', { dataset });
    setConfig('prune', { dataset });
  };
  const [selected, setSelected] = useState<string | null>(null);
  const [samples, setSamples] = useState<DatasetSamples | null>(null);
  const [sampleError, setSampleError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);

  const selectedInfo = datasets.find((d) => d.id === selected);
  const perClass = selectedInfo ? samplesPerRequest(selectedInfo) : 1;
  useEffect(() => {
    if (!selected) return;
    let live = true;
    setSampleError(null);
    getEngine()
      .datasetSamples(selected, 'train', perClass)
      .then(
        (s) => live && setSamples(s),
        (err: unknown) => live && setSampleError(err instanceof Error ? err.message : String(err)),
      );
    return () => {
      live = false;
    };
  }, [selected, perClass]);

  const remove = async (id: string) => {
    const d = datasets.find((x) => x.id === id);
    if (!d || !window.confirm(`Delete "${d.name}" (${d.trainCount + d.testCount} images) from this browser?`)) return;
    setBusyId(id);
    const r = await getEngine().deleteDataset(id);
    setBusyId(null);
    if (!r.ok) return;
    if (selected === id) {
      setSelected(null);
      setSamples(null);
    }
    if (trainingId === id) pickForClassifiers(BUILTIN_DATASET_ID);
  };

  const shown = samples && samples.id === selected ? samples : null;
  const title = shown ? (datasets.find((d) => d.id === shown.id)?.name ?? shown.id) : '';
  return (
    <div className="lab lab-data">
      <aside className="panel">
        <ImportPanel />
      </aside>
      <section className="main">
        <h2>Datasets in this browser</h2>
        {!loaded ? (
          <p className="muted">Loading the list…</p>
        ) : (
          <>
            <h3>Classification (one class per image)</h3>
            <DatasetList
              datasets={datasets.filter(isClassification)}
              selectedId={selected}
              trainingId={trainingId}
              busyId={busyId}
              onShow={setSelected}
              onUse={(id) => {
                if (runActive) return;
                pickForClassifiers(id);
                openTab('train');
              }}
              onDelete={(id) => void remove(id)}
            />
            <h3>Segmentation (a class per pixel, for the Segment lab)</h3>
            <SegDatasetList
              datasets={datasets.filter(isSegmentation)}
              selectedId={selected}
              busyId={busyId}
              onShow={setSelected}
              onDelete={(id) => void remove(id)}
              onTrain={(id) => {
                setConfig('segment', { dataset: id });
                openTab('segment');
              }}
            />
            <h3>Person detection (boxes per image, for the Detect lab)</h3>
            <DetectDatasetList
              datasets={datasets.filter(isDetection)}
              selectedId={selected}
              busyId={busyId}
              onShow={setSelected}
              onDelete={(id) => void remove(id)}
              onTrain={(id) => {
                setConfig('detect', { dataset: id });
                openTab('detect');
              }}
            />
          </>
        )}
        {sampleError && (
          <p className="notice notice-error" role="alert">
            {sampleError}
          </p>
        )}
        {shown &&
          (shown.boxes ? (
            <DetectSampleGrid samples={shown} title={title} />
          ) : shown.labelMaps ? (
            <SegSampleGrid samples={shown} title={title} />
          ) : (
            <SampleGrid samples={shown} title={title} />
          ))}
        <ModelLibrary />
      </section>
    </div>
  );
}

/** The `perClass` of a samples request: images of a segmentation or detection set; enough per class for a ~100-image grid otherwise. */
function samplesPerRequest(d: DatasetInfo): number {
  if (isSegmentation(d)) return SEG_SAMPLES;
  if (isDetection(d)) return DETECT_SAMPLES;
  if (d.id === BUILTIN_DATASET_ID) return 4;
  return Math.max(1, Math.min(SAMPLES_PER_CLASS, Math.floor(100 / d.classNames.length)));
}
