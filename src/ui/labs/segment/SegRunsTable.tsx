import { memo, useEffect } from 'react';
import { SEG_CHAIN_LABELS } from '../../../protocol/segment';
import { useWorkbench, type SegRunRecord } from '../../../store';
import { formatCount, formatPercent } from '../../format';
import { SegRunsPivot } from './SegRunsPivot';

const pct = (v: number | null) => (v === null ? '—' : formatPercent(v));
const started = (t: number) => new Date(t).toLocaleString('en-GB', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

const Row = memo(function Row({ r, onDelete }: { r: SegRunRecord; onDelete(id: string): void }) {
  const c = r.config;
  const label = `${c.model} ${SEG_CHAIN_LABELS[c.chain]} ${c.size}`;
  return (
    <tr data-testid="seg.runs.row" data-id={r.id}>
      <td>{c.model}</td>
      <td>{SEG_CHAIN_LABELS[c.chain]}</td>
      <td>{c.model === 'teacher' ? '—' : c.upscale}</td>
      <td>{c.size}</td>
      <td className="num">
        {r.stepsDone} / {c.steps}
      </td>
      <td className="num">{c.seed}</td>
      <td className="num" data-testid="seg.runs.row.miou">
        {pct(r.mIoU)}
      </td>
      <td className="num">{pct(r.pixelAccuracy)}</td>
      <td className="num">{r.params === null ? '—' : formatCount(r.params)}</td>
      <td title={new Date(r.startedAt).toISOString()}>{started(r.startedAt)}</td>
      <td>
        <span className={`status status-${r.status}`} title={r.error ?? undefined}>
          {r.status}
        </span>
      </td>
      <td className="row-actions">
        <button type="button" data-testid="seg.runs.row.delete" onClick={() => onDelete(r.id)} aria-label={`Delete run ${label}`}>
          Delete
        </button>
      </td>
    </tr>
  );
});

/** Every finished segmentation run (IndexedDB), and the students' chain × upscaling × size pivot. */
export function SegRunsTable() {
  const runs = useWorkbench((s) => s.segRuns);
  const loadSegRuns = useWorkbench((s) => s.loadSegRuns);
  const removeSegRun = useWorkbench((s) => s.removeSegRun);
  const addNotice = useWorkbench((s) => s.addNotice);
  useEffect(() => {
    void loadSegRuns();
  }, [loadSegRuns]);
  const remove = (id: string) =>
    void removeSegRun(id).catch((err: unknown) => addNotice('warning', `The run could not be deleted: ${err instanceof Error ? err.message : String(err)}`));

  return (
    <section className="runs-panel" aria-labelledby="seg-runs-title" data-testid="seg.runs">
      <h2 id="seg-runs-title">Runs</h2>
      {runs.length === 0 ? (
        <p className="runs-empty" data-testid="seg.runs.empty">
          No segmentation runs yet. Finished and stopped runs appear here.
        </p>
      ) : (
        <>
          <SegRunsPivot runs={runs} />
          <div className="runs-table-wrap">
            <table className="runs" data-testid="seg.runs.table">
              <thead>
                <tr>
                  <th>Model</th>
                  <th>Chain</th>
                  <th>Upscale</th>
                  <th>Size</th>
                  <th>Steps</th>
                  <th>Seed</th>
                  <th>mIoU</th>
                  <th>Pixel acc</th>
                  <th>Params</th>
                  <th>Started</th>
                  <th>Status</th>
                  <th aria-label="Actions" />
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <Row key={r.id} r={r} onDelete={remove} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
