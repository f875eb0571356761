import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useWorkbench } from '../../../store';
import { failed } from '../../callFailure';
import { getEngine } from '../../../client';
import type { CompactionReport } from '../../../protocol';
import { formatCount, formatPercent } from '../../format';
import { downloadBytes } from './download';

const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;

/** Physically remove dead channels of the finished run, show the before/after figures, export the compact model. */
export function CompactPanel({ onCompacted }: { onCompacted(report: CompactionReport): void }) {
  // The run's id and status only: a step's event does not re-render the panel.
  const run = useWorkbench(useShallow((s) => (s.runs.prune ? { id: s.runs.prune.id, status: s.runs.prune.status } : null)));
  const [report, setReport] = useState<CompactionReport | null>(null);
  const [busy, setBusy] = useState<'compact' | 'export' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const finished = run !== null && (run.status === 'done' || run.status === 'stopped');
  const shown = report && run && report.runId === run.id ? report : null;

  const compact = async () => {
    if (!run) return;
    setBusy('compact');
    setError(null);
    const r = await getEngine()
      .call('prune', 'compact', [run.id])
      .catch((err: unknown) => failed(err));
    setBusy(null);
    if (!r.ok) return setError(r.error.message);
    setReport(r.report);
    onCompacted(r.report);
  };
  const exportModel = async () => {
    if (!run) return;
    setBusy('export');
    const r = await getEngine()
      .call('prune', 'exportModel', [run.id])
      .catch((err: unknown) => failed(err));
    setBusy(null);
    if (!r.ok) return setError(r.error.message);
    downloadBytes(`${r.model.fileBase}.json`, new TextEncoder().encode(r.model.modelJson), 'application/json');
    downloadBytes(`${r.model.fileBase}.weights.bin`, new Uint8Array(r.model.weights), 'application/octet-stream');
  };

  return (
    <section className="compact">
      <h3>Compaction</h3>
      <div className="controls">
        <button type="button" data-testid="prune.compact" disabled={!finished || busy !== null} onClick={() => void compact()}>
          {busy === 'compact' ? 'Compacting…' : 'Remove dead channels'}
        </button>
        <button type="button" data-testid="prune.export" disabled={!shown || busy !== null} onClick={() => void exportModel()}>
          Download compact model
        </button>
        {!finished && <span className="muted">Available when a Prune run has finished or was stopped.</span>}
      </div>
      {error && (
        <p className="notice notice-error" role="alert" data-testid="prune.compact.error">
          {error}
        </p>
      )}
      {shown && (
        <div className="compact-report">
          <table className="figures">
            <thead>
              <tr>
                <th />
                <th>masked</th>
                <th>compact</th>
                <th>ratio</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th>params</th>
                <td>{formatCount(shown.before.params)}</td>
                <td data-testid="prune.compact.params">{formatCount(shown.after.params)}</td>
                <td>{(shown.before.params / shown.after.params).toFixed(2)}×</td>
              </tr>
              <tr>
                <th>MACs / image</th>
                <td>{formatCount(shown.before.macs)}</td>
                <td data-testid="prune.compact.macs">{formatCount(shown.after.macs)}</td>
                <td>{(shown.before.macs / shown.after.macs).toFixed(2)}×</td>
              </tr>
              <tr>
                <th>FLOPs / image (2·MACs)</th>
                <td>{formatCount(2 * shown.before.macs)}</td>
                <td>{formatCount(2 * shown.after.macs)}</td>
                <td>{(shown.before.macs / shown.after.macs).toFixed(2)}×</td>
              </tr>
              <tr>
                <th>latency (batch {shown.batchSize})</th>
                <td>{ms(shown.before.latencyMs)}</td>
                <td data-testid="prune.compact.latency">{ms(shown.after.latencyMs)}</td>
                <td>{(shown.before.latencyMs / shown.after.latencyMs).toFixed(2)}× faster</td>
              </tr>
            </tbody>
          </table>
          <p className="readout">
            max |compact − masked| over {shown.batchSize} test logits: <b data-testid="prune.compact.diff">{shown.maxAbsDiff.toExponential(2)}</b> · compact
            test accuracy <b>{formatPercent(shown.testAccuracy)}</b> · measured on {shown.backend}
          </p>
          <p className="muted">Channels per conv layer: {shown.layers.map((l) => (l.before === l.after ? l.after : `${l.before}→${l.after}`)).join(' · ')}</p>
        </div>
      )}
    </section>
  );
}
