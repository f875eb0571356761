import { useState } from 'react';
import { SEG_CHAIN_LABELS, SEG_CHAINS, SEG_SIZES, UPSCALE_LABELS, UPSCALE_SHORT } from '../../../protocol/labs/segment';
import type { SegRunRecord } from './segView';
import { formatPercent } from '../../format';
import { pivotDatasets, pivotDelta, studentPivot } from './segView';

const points = (d: number) => `${d >= 0 ? '+' : '−'}${(Math.abs(d) * 100).toFixed(1)} pt`;

/** Students only: mIoU by chain (rows) × input size and upscaling (columns), best or mean over finished runs, each variant with its difference to bilinear. */
export function SegRunsPivot({ runs }: { runs: readonly SegRunRecord[] }) {
  const [by, setBy] = useState<'best' | 'mean'>('best');
  const [chosen, setChosen] = useState<string | null>(null);
  const sets = pivotDatasets(runs);
  const dataset = chosen !== null && sets.some((s) => s.id === chosen) ? chosen : (sets[0]?.id ?? null);
  if (dataset === null) return null;
  const pivot = studentPivot(runs, SEG_CHAINS, dataset);
  if (pivot.rows.every((r) => r.cells.every((c) => c === null))) return null;
  return (
    <figure className="seg-pivot-fig">
      <figcaption className="seg-section-head">
        <span>Students: validation mIoU of finished runs on</span>
        <label className="inline-field">
          <select data-testid="seg.runs.pivot.dataset" value={dataset} onChange={(e) => setChosen(e.target.value)} aria-label="Dataset">
            {sets.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          <select data-testid="seg.runs.pivot.by" value={by} onChange={(e) => setBy(e.target.value as 'best' | 'mean')} aria-label="Aggregate">
            <option value="best">best</option>
            <option value="mean">mean</option>
          </select>
          over runs (n)
        </label>
      </figcaption>
      <table className="runs seg-pivot" data-testid="seg.runs.pivot">
        <thead>
          <tr>
            <th rowSpan={2}>Chain</th>
            {SEG_SIZES.map((s) => (
              <th key={s} colSpan={pivot.columns.filter((c) => c.size === s).length} className="seg-pivot-group">
                {s} size
              </th>
            ))}
          </tr>
          <tr>
            {pivot.columns.map((c) => (
              <th
                key={`${c.size}-${c.upscale}`}
                title={c.upscale === 'bilinear' ? UPSCALE_LABELS[c.upscale] : `${UPSCALE_LABELS[c.upscale]}; below: − bilinear, percentage points`}
              >
                {UPSCALE_SHORT[c.upscale]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {pivot.rows.map((row) => (
            <tr key={row.chain} data-testid="seg.runs.pivot.row" data-chain={row.chain}>
              <td>{SEG_CHAIN_LABELS[row.chain]}</td>
              {pivot.columns.map((c, i) => {
                const cell = row.cells[i] ?? null;
                const delta = pivotDelta(pivot, row.cells, i, by);
                return (
                  <td key={`${c.size}-${c.upscale}`} className="num" data-testid="seg.runs.pivot.cell" data-upscale={c.upscale} data-size={c.size}>
                    {cell ? (
                      <>
                        {formatPercent(cell[by])} <span className="muted">({cell.n})</span>
                      </>
                    ) : (
                      '—'
                    )}
                    {delta !== null && <div className={`seg-delta ${delta >= 0 ? 'seg-delta-up' : 'seg-delta-down'}`}>{points(delta)}</div>}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
