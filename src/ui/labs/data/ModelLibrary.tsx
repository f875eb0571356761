import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { getEngine } from '../../../client';
import { SEG_SIZE_PIXELS } from '../../../protocol/labs/segment';
import type { ModelFile, ModelInfo } from '../../../protocol/models';
import { useWorkbench } from '../../../store';
import { StorageStatus } from '../../components/StorageStatus';
import { downloadBytes } from '../../runFiles';
import { savedSomething } from '../../storage';
import { importFilesProblem, zooPlacement } from './modelDisplay';
import { ModelRow } from './ModelRow';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * The Data tab's "Models" section (issue #14): every model a finished run kept (IndexedDB, in the worker), newest
 * first, renamed in place, downloaded as the workbench's .json + .bin or exported to ONNX, deleted after a confirm
 * step in its row; a model's .json + .bin (or the .onnx the workbench wrote) imported back (a refusal is a sentence and nothing listed changes).
 */
export function ModelLibrary() {
  const models = useWorkbench((s) => s.models);
  const loaded = useWorkbench((s) => s.modelsLoaded);
  const ready = useWorkbench((s) => s.engineStatus === 'ready');
  const datasets = useWorkbench((s) => s.datasets);
  const input = useRef<HTMLInputElement>(null);
  const [importing, setImporting] = useState(false);
  const [importError, setImportError] = useState<string | null>(null);
  const [imported, setImported] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  /** The model a download, export or delete is working on, and which. */
  const [busy, setBusy] = useState<{ id: string; what: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const setPush = useWorkbench((s) => s.setPush);
  const setConfig = useWorkbench((s) => s.setConfig);
  const segmentSize = useWorkbench((s) => s.configs.segment.size);
  const requestTab = useWorkbench((s) => s.requestTab);
  const evaluateModel = useWorkbench((s) => s.evaluateModel);
  const focus = useWorkbench((s) => s.modelFocus);
  /** The row a run table's link asked for, highlighted until the list is left (or another is asked for). */
  const [focusedId, setFocusedId] = useState<string | null>(focus?.id ?? null);
  useEffect(() => setFocusedId(focus?.id ?? null), [focus]);
  // Leaving the Data tab ends the highlight: coming back later does not scroll to the row again.
  useEffect(() => () => useWorkbench.setState({ modelFocus: null }), []);

  /** Run one of a row's actions; a refusal or a failed call becomes the section's error sentence. */
  const act = async (id: string, what: string, work: () => Promise<string | null>) => {
    if (busy) return;
    setBusy({ id, what });
    setActionError(null);
    setDone(null);
    try {
      const refusal = await work();
      if (refusal) setActionError(refusal);
    } catch (err) {
      setActionError(message(err));
    } finally {
      setBusy(null);
    }
  };
  const files = (id: string) =>
    act(id, 'files', async () => {
      const r = await getEngine().modelFiles(id);
      if (!r.ok) return r.error.message;
      downloadBytes(r.files.json.name, r.files.json.bytes, 'application/json');
      downloadBytes(r.files.weights.name, r.files.weights.bytes);
      return null;
    });
  const onnx = (id: string) =>
    act(id, 'onnx', async () => {
      const r = await getEngine().exportModelOnnx(id);
      if (!r.ok) return r.error.message;
      downloadBytes(r.file.name, r.file.bytes);
      return null;
    });
  const remove = (id: string) =>
    act(id, 'delete', async () => {
      const r = await getEngine().deleteModel(id);
      return r.ok ? null : r.error.message;
    });
  /** A library model's reference for a lab's slot: a shipped one is the lab's own "shipped". */
  const ref = (m: ModelInfo) => (m.shipped ? 'shipped' : m.id);
  /** Put a Segment model into its zoo slot at its size; then, for the viewer, show that size and open the lab on the viewer. */
  const toZoo = (m: ModelInfo, view: boolean) =>
    act(m.id, view ? 'view' : 'use', async () => {
      const place = zooPlacement(m);
      if (!place) return `“${m.name}” fits no slot of the Segment zoo.`;
      const r = await getEngine().call('segment', 'useInZoo', [place.size, place.slot, ref(m)]);
      if (!r.ok) return r.error.message;
      setPush({ lab: 'segment', name: 'zoo', value: r.zoo });
      const { height, width } = SEG_SIZE_PIXELS[place.size];
      if (view) {
        if (segmentSize !== place.size) setConfig('segment', { size: place.size });
        requestTab('segment', 'seg.viewer');
      } else setDone(`“${m.name}” is now in the Segment zoo (${place.slot} slot, ${height}×${width} input).`);
      return null;
    });
  const toTeacher = (m: ModelInfo) =>
    act(m.id, 'use', async () => {
      const r = await getEngine().call('affinity', 'useTeacher', [ref(m)]);
      if (!r.ok) return r.error.message;
      setPush({ lab: 'affinity', name: 'teacher', value: r.teacher });
      setDone(`“${m.name}” is now the Affinity lab's teacher: student runs distil from it.`);
      return null;
    });
  const use = (m: ModelInfo) => void (m.lab === 'segment' ? toZoo(m, false) : toTeacher(m));
  const rename = async (id: string, name: string): Promise<string | null> => {
    try {
      const r = await getEngine().renameModel(id, name);
      return r.ok ? null : r.error.message;
    } catch (err) {
      return message(err);
    }
  };

  const importChosen = async (e: ChangeEvent<HTMLInputElement>) => {
    const chosen = Array.from(e.target.files ?? []);
    e.target.value = '';
    if (chosen.length === 0) return;
    setImportError(null);
    setImported(null);
    // one .onnx the workbench wrote, or a model's .json + .bin
    const problem = importFilesProblem(chosen.map((f) => f.name));
    if (problem) return setImportError(problem);
    setImporting(true);
    try {
      const modelFiles: ModelFile[] = await Promise.all(chosen.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
      const r = await getEngine().importModel(modelFiles);
      if (!r.ok) setImportError(r.error.message);
      else {
        setImported(`Imported “${r.model.name}”.`);
        void savedSomething(); // the first saved model asks for persistent storage
      }
    } catch (err) {
      setImportError(`The import failed: ${message(err)}`);
    } finally {
      setImporting(false);
    }
  };

  return (
    <section className="models-panel" aria-labelledby="models-title" data-testid="models">
      <div className="models-head controls">
        <h2 id="models-title">Models</h2>
        <button type="button" data-testid="models.import.button" disabled={!ready || importing} onClick={() => input.current?.click()}>
          {importing ? 'Importing…' : 'Import a model (.json + .bin, or .onnx)…'}
        </button>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          accept=".json,.bin,.onnx"
          aria-label="A model's .json and .bin files, or its .onnx file"
          data-testid="models.import"
          onChange={(e) => void importChosen(e)}
        />
      </div>
      {importError && (
        <p className="notice notice-error" role="alert" data-testid="models.import.error">
          {importError}
        </p>
      )}
      {imported && (
        <p className="models-imported" role="status" data-testid="models.import.done">
          {imported}
        </p>
      )}
      {done && (
        <p className="models-imported" role="status" data-testid="models.done">
          {done}
        </p>
      )}
      {actionError && (
        <p className="notice notice-error" role="alert" data-testid="models.error">
          {actionError}
        </p>
      )}
      {loaded && !models.some((m) => !m.shipped) && (
        <p className="runs-empty" data-testid="models.empty">
          No models of your own yet. Every finished run of the Train, Prune, Segment and Affinity labs keeps its model here, to rename, download, export to ONNX
          or delete; a model's .json and .bin, or an .onnx, downloaded from a workbench can be imported.
          {models.length > 0 && ' The models the workbench ships are listed below.'}
        </p>
      )}
      {!loaded ? (
        <p className="runs-empty">Loading the model library…</p>
      ) : models.length === 0 ? null : (
        <div className="runs-table-wrap">
          <table className="runs models" data-testid="models.list">
            <thead>
              <tr>
                <th>Name</th>
                <th>Lab</th>
                <th>Architecture</th>
                <th className="num">Params</th>
                <th className="num">MACs</th>
                <th className="num">Metric</th>
                <th>Dataset</th>
                <th>Saved</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <ModelRow
                  key={m.id}
                  m={m}
                  datasetName={datasets.find((d) => d.id === m.dataset)?.name ?? (m.datasetName || m.dataset)}
                  busy={busy?.id === m.id ? busy.what : null}
                  locked={busy !== null}
                  onRename={rename}
                  onFiles={(id) => void files(id)}
                  onOnnx={(id) => void onnx(id)}
                  onDelete={(id) => void remove(id)}
                  onUse={use}
                  onView={(model) => void toZoo(model, true)}
                  onPrune={(model) => evaluateModel(model.id)}
                  focused={focusedId === m.id}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <StorageStatus testId="models.storage" />
    </section>
  );
}
