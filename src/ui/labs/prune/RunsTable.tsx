import { memo } from 'react';
import { formatWidth } from '../../../protocol';
import { useWorkbench } from '../../../store';
import type { RunRecord } from '../../../store/runRecord';
import { formatCount, formatHp, formatPercent } from '../../format';
import { METHOD_SHORT, downloadText, methodHyperparams, runFileBase, runLabel, runMethod, runToCsv, runToJson } from './runExport';
import './runs.css';

const pct = (v: number | null) => (v === null ? '—' : formatPercent(v));
const count = (v: number | null) => (v === null ? '—' : formatCount(v));
/** "1.00 M → 400.00 k" once compacted, else the dense figure. */
const denseToCompact = (dense: number | null, compact: number | null) => (compact === null ? count(dense) : `${count(dense)} → ${formatCount(compact)}`);

function started(t: number): string {
  return new Date(t).toLocaleString('en-GB', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

interface RowProps {
  r: RunRecord;
  compared: boolean;
  onCompare(id: string): void;
  onDelete(id: string): void;
}

const RunRow = memo(function RunRow({ r, compared, onCompare, onDelete }: RowProps) {
  const s = r.summary;
  const label = runLabel(r);
  const hp = [methodHyperparams(r), `lr ${formatHp(r.config.lr)}`].filter(Boolean).join(', ');
  const showW = s.testAccuracyW !== null && pct(s.testAccuracyW) !== pct(s.testAccuracy);
  const method = runMethod(r);
  return (
    <tr data-testid="runs.row" data-id={r.id} className={compared ? 'compared' : undefined}>
      <td>
        <input type="checkbox" data-testid="runs.row.compare" checked={compared} onChange={() => onCompare(r.id)} aria-label={`Compare run ${label}`} />
      </td>
      <td title={new Date(r.startedAt).toISOString()}>{started(r.startedAt)}</td>
      <td>{r.lab}</td>
      <td data-testid="runs.row.method">{METHOD_SHORT[method]}</td>
      <td>
        {r.config.model} {formatWidth(r.config.width)}
      </td>
      <td>{r.datasetName}</td>
      <td className="hp" data-testid="runs.row.hp">
        {hp}
      </td>
      <td className="num">{s.steps}</td>
      <td className="num">
        <span data-testid="runs.row.acc" title={method === 'rgsm' ? 'on u (the sparse weights)' : undefined}>
          {pct(s.testAccuracy)}
        </span>
        {showW && (
          <span className="sub" data-testid="runs.row.accW">
            on w {pct(s.testAccuracyW)}
          </span>
        )}
      </td>
      <td className="num" data-testid="runs.row.channelSparsity">
        {pct(s.channelSparsity)}
      </td>
      <td className="num" data-testid="runs.row.weightSparsity">
        {pct(s.weightSparsity)}
      </td>
      <td className="num" data-testid="runs.row.params">
        {denseToCompact(s.params, s.compactParams)}
      </td>
      <td className="num" data-testid="runs.row.macs">
        {denseToCompact(s.denseMacs, s.compactMacs)}
      </td>
      <td>
        <span className={`status status-${r.status}`} data-testid="runs.row.status">
          {r.status}
        </span>
      </td>
      <td className="row-actions">
        <button
          type="button"
          data-testid="runs.row.json"
          onClick={() => downloadText(`${runFileBase(r)}.json`, runToJson(r), 'application/json')}
          aria-label={`Download run ${label} as JSON`}
        >
          JSON
        </button>
        <button
          type="button"
          data-testid="runs.row.csv"
          onClick={() => downloadText(`${runFileBase(r)}.csv`, runToCsv(r), 'text/csv')}
          aria-label={`Download metrics of run ${label} as CSV`}
        >
          CSV
        </button>
        <button type="button" data-testid="runs.row.delete" onClick={() => onDelete(r.id)} aria-label={`Delete run ${label}`}>
          Delete
        </button>
      </td>
    </tr>
  );
});

/** Every saved run with its settings and final figures; pick two to compare, export or delete. */
export function RunsTable() {
  const runs = useWorkbench((s) => s.runs);
  const compareIds = useWorkbench((s) => s.compareIds);
  const toggleCompare = useWorkbench((s) => s.toggleCompare);
  const deleteRun = useWorkbench((s) => s.deleteRun);
  const loaded = useWorkbench((s) => s.runsLoaded);

  if (runs.length === 0) {
    return (
      <p className="runs-empty" data-testid="runs.empty">
        {loaded ? 'No saved runs yet. Finished and stopped runs appear here.' : 'Loading saved runs…'}
      </p>
    );
  }
  return (
    <div className="runs-table-wrap">
      <table className="runs" data-testid="runs.table">
        <thead>
          <tr>
            <th>Compare</th>
            <th>Started</th>
            <th>Lab</th>
            <th>Method</th>
            <th>Model</th>
            <th>Dataset</th>
            <th>Hyperparameters</th>
            <th>Steps</th>
            <th>Test acc</th>
            <th>Channel sparsity</th>
            <th>Weight sparsity</th>
            <th>Params</th>
            <th>MACs</th>
            <th>Status</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <RunRow key={r.id} r={r} compared={compareIds.includes(r.id)} onCompare={toggleCompare} onDelete={deleteRun} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
