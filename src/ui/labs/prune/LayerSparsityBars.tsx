import { memo, useMemo, useState } from 'react';
import type { LayerReport } from '../../../protocol';
import { BarCanvas } from '../../components/BarCanvas';
import { formatHp, formatPercent } from '../../format';
import { shortLayerLabels } from './layerLabels';
import './prune-views.css';

interface Row {
  label: string;
  name: string;
  /** Sparsity in percent (the bar height). */
  pct: number;
  groups: number;
  zeros: number;
}

interface Props {
  report: LayerReport | null;
}

function toRows(r: LayerReport): Row[] {
  const labels = shortLayerLabels(r.names);
  return r.names.map((name, i) => {
    const s = r.sparsity[i] ?? 0;
    const groups = r.groups[i] ?? r.norms[i]?.length ?? 0;
    return { label: labels[i]!, name, pct: s * 100, groups, zeros: Math.round(s * groups) };
  });
}

const percentTick = (v: number) => `${v}%`;
const Y_TICKS = [0, 25, 50, 75, 100];
const BAR = '#7c3aed';

/**
 * Channel sparsity per conv layer (forward order). For tests and screen readers the values are also in
 * a visually hidden list: one `<li data-layer="<kernel name>">` per layer holding
 * `<span data-testid="prune.sparsity.layer" data-value="<fraction>">37.5%</span>`.
 */
export const LayerSparsityBars = memo(function LayerSparsityBars({ report }: Props) {
  const rows = useMemo(() => (report ? toRows(report) : []), [report]);
  const many = rows.length > 14;
  const bars = useMemo(() => rows.map((r) => ({ value: r.pct, color: BAR })), [rows]);
  const xTicks = useMemo(() => rows.map((r, i) => ({ at: i + 0.5, label: r.label })), [rows]);
  const [hover, setHover] = useState<number | null>(null);
  const tip = hover === null ? undefined : rows[hover];
  return (
    <figure className="chart" data-testid="prune.sparsity.layers">
      <figcaption>Channel sparsity per layer{report ? ` (on ${report.measuredOn}, step ${report.step})` : ''}</figcaption>
      <div className="chart-body">
        {rows.length === 0 ? (
          <div className="chart-empty" style={{ position: 'static', height: 240 }}>
            No per-layer data yet: start a pruning run.
          </div>
        ) : (
          <BarCanvas
            bars={bars}
            yMax={100}
            yTicks={Y_TICKS}
            yFormat={percentTick}
            xTicks={xTicks}
            slanted={many}
            height={240}
            ariaLabel={`Channel sparsity of ${rows.length} layers`}
            perfName="prune.sparsity.layers"
            onHover={setHover}
          />
        )}
      </div>
      {tip && (
        <p className="pv-note" data-testid="prune.sparsity.layers.hover">
          <b>{tip.name}</b>: sparsity {tip.pct.toFixed(1)}%, {tip.zeros} of {tip.groups} groups zero
        </p>
      )}
      {report && (
        <p className="pv-note">
          total <b>{formatPercent(report.total)}</b> of groups zero (norm &lt; {formatHp(report.zeroThreshold)})
        </p>
      )}
      <ul className="pv-sr-only" aria-label="Channel sparsity per layer">
        {rows.map((r, i) => (
          <li key={r.name} data-layer={r.name}>
            {r.name}:{' '}
            <span data-testid="prune.sparsity.layer" data-value={report?.sparsity[i] ?? 0}>
              {r.pct.toFixed(1)}%
            </span>{' '}
            ({r.zeros} of {r.groups} groups)
          </li>
        ))}
      </ul>
    </figure>
  );
});
