import { useEffect, useRef, useState } from 'react';
import { failed } from '../../callFailure';
import { getEngine } from '../../../client';
import type { LoadedModelReport } from '../../../protocol';
import { useWorkbench } from '../../../store';
import { useLabConfig } from '../../runStatus';
import { formatCount, formatPercent } from '../../format';

/** Load an exported model (model.json + weights.bin) back and evaluate it on the selected dataset. */
export function LoadModelPanel() {
  const config = useLabConfig('prune');
  const ready = useWorkbench((s) => s.engineStatus === 'ready');
  const [report, setReport] = useState<LoadedModelReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // "Open in Prune" on a library row: evaluate that stored model (its .json + .bin read from the library) once the engine is ready.
  const request = useWorkbench((s) => s.modelToEvaluate);
  const handled = useRef<number | null>(null);
  useEffect(() => {
    if (!request || !ready || handled.current === request.nonce) return;
    handled.current = request.nonce;
    void (async () => {
      setError(null);
      setReport(null);
      setBusy(true);
      try {
        const files = await getEngine().modelFiles(request.id);
        if (!files.ok) return setError(files.error.message);
        const text = new TextDecoder().decode(files.files.json.bytes);
        const weights = files.files.weights.bytes;
        const r = await getEngine()
          .call('prune', 'loadModel', [text, weights, config], [weights])
          .catch((err: unknown) => failed(err));
        if (r.ok) setReport({ ...r.report, name: files.info.name });
        else setError(r.error.message);
      } catch (err) {
        setError(err instanceof Error ? err.message : String(err));
      } finally {
        setBusy(false);
      }
    })();
  }, [request, ready, config]);

  const load = async (files: File[]) => {
    setError(null);
    setReport(null);
    const json = files.find((f) => /\.json$/i.test(f.name));
    const bin = files.find((f) => /\.bin$/i.test(f.name));
    if (!json || !bin) return setError('Choose both files of an exported model: the .json description and the .weights.bin file.');
    setBusy(true);
    const weights = await bin.arrayBuffer();
    const r = await getEngine()
      .call('prune', 'loadModel', [await json.text(), weights, config], [weights])
      .catch((err: unknown) => failed(err));
    setBusy(false);
    if (r.ok) setReport(r.report);
    else setError(r.error.message);
  };

  return (
    <section className="load-model" data-testid="prune.load.panel" aria-label="Load a model">
      <h3>Load a compact model</h3>
      <p className="muted">Or pick one in the model library (Data tab → Models → Open in Prune).</p>
      <label className="file-label">
        Exported model (.json + .weights.bin)
        <input
          type="file"
          multiple
          accept=".json,.bin"
          data-testid="prune.load"
          disabled={!ready || busy}
          onChange={(e) => {
            void load(Array.from(e.target.files ?? []));
            e.target.value = '';
          }}
        />
      </label>
      {busy && <p className="muted">Evaluating…</p>}
      {error && (
        <p className="notice notice-error" role="alert" data-testid="prune.load.error">
          {error}
        </p>
      )}
      {report && (
        <p className="readout" data-testid="prune.load.report">
          {report.name}: <b>{formatCount(report.params)}</b> params, <b>{formatCount(report.macs)}</b> MACs/image, conv channels {report.convChannels.join('·')}
          {report.testAccuracy !== null && (
            <>
              {' '}
              · test accuracy on {report.datasetName} <b data-testid="prune.load.accuracy">{formatPercent(report.testAccuracy)}</b>
            </>
          )}
          {report.note && <span className="muted"> {report.note}</span>}
        </p>
      )}
    </section>
  );
}
