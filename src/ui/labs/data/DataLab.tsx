import { useEffect, useState } from 'react';
import { getEngine } from '../../../client';
import type { DatasetSamples } from '../../../protocol/datasets';
import { useWorkbench } from '../../../store';
import { DatasetList } from './DatasetList';
import { ImportPanel } from './ImportPanel';
import { SampleGrid } from './SampleGrid';

const SAMPLES_PER_CLASS = 8;

/** The dataset manager: import, list, inspect and delete datasets; choose the one runs train on. */
export function DataLab({ onTrain }: { onTrain(): void }) {
  const datasets = useWorkbench((s) => s.datasets);
  const loaded = useWorkbench((s) => s.datasetsLoaded);
  const trainingId = useWorkbench((s) => s.config.dataset);
  const setConfig = useWorkbench((s) => s.setConfig);
  const runActive = useWorkbench((s) => s.run !== null && ['preparing', 'running', 'paused'].includes(s.run.status));
  const [selected, setSelected] = useState<string | null>(null);
  const [samples, setSamples] = useState<DatasetSamples | null>(null);
  const [sampleError, setSampleError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);

  const selectedClasses = datasets.find((d) => d.id === selected)?.classNames.length;
  useEffect(() => {
    if (!selected) return;
    let live = true;
    setSampleError(null);
    getEngine()
      .datasetSamples(selected, 'train', selected === 'shapes' ? 4 : datasetsPerClass(selectedClasses))
      .then(
        (s) => live && setSamples(s),
        (err: unknown) => live && setSampleError(err instanceof Error ? err.message : String(err)),
      );
    return () => {
      live = false;
    };
  }, [selected, selectedClasses]);

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
    if (trainingId === id) setConfig({ dataset: 'shapes' });
  };

  const shown = samples && samples.id === selected ? samples : null;
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
          <DatasetList
            datasets={datasets}
            selectedId={selected}
            trainingId={trainingId}
            busyId={busyId}
            onShow={setSelected}
            onUse={(id) => {
              if (runActive) return;
              setConfig({ dataset: id });
              onTrain();
            }}
            onDelete={(id) => void remove(id)}
          />
        )}
        {sampleError && (
          <p className="notice notice-error" role="alert">
            {sampleError}
          </p>
        )}
        {shown && <SampleGrid samples={shown} title={datasets.find((d) => d.id === shown.id)?.name ?? shown.id} />}
      </section>
    </div>
  );
}

/** Enough images per class for a ~100-image grid (8 for 10 classes, 1 for 100). */
function datasetsPerClass(classes = 10): number {
  return Math.max(1, Math.min(SAMPLES_PER_CLASS, Math.floor(100 / classes)));
}
