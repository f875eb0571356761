import { memo, useMemo } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TooltipContentProps } from 'recharts';
import type { LayerReport } from '../../../protocol';
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

function BarTip({ active, payload }: TooltipContentProps) {
  const row = payload?.[0]?.payload as Row | undefined;
  if (!active || !row) return null;
  return (
    <div className="pv-tip">
      <strong>{row.name}</strong>
      sparsity {row.pct.toFixed(1)}%<br />
      {row.zeros} of {row.groups} groups zero
    </div>
  );
}

const percentTick = (v: number) => `${v}%`;

/**
 * Channel sparsity per conv layer (forward order). For tests and screen readers the values are also in
 * a visually hidden list: one `<li data-layer="<kernel name>">` per layer holding
 * `<span data-testid="prune.sparsity.layer" data-value="<fraction>">37.5%</span>`.
 */
export const LayerSparsityBars = memo(function LayerSparsityBars({ report }: Props) {
  const rows = useMemo(() => (report ? toRows(report) : []), [report]);
  const many = rows.length > 14;
  return (
    <figure className="chart" data-testid="prune.sparsity.layers">
      <figcaption>Channel sparsity per layer{report ? ` (on ${report.measuredOn}, step ${report.step})` : ''}</figcaption>
      <div className="chart-body">
        {rows.length === 0 ? (
          <div className="chart-empty" style={{ position: 'static', height: 240 }}>
            No per-layer data yet: start a pruning run.
          </div>
        ) : (
          <ResponsiveContainer width="100%" height={240}>
            <BarChart data={rows} margin={{ top: 12, right: 12, bottom: 4, left: 0 }} barCategoryGap="15%">
              <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" vertical={false} />
              <XAxis dataKey="label" interval={0} tick={{ fontSize: 10 }} angle={many ? -50 : 0} textAnchor={many ? 'end' : 'middle'} height={many ? 52 : 24} />
              <YAxis domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} tickFormatter={percentTick} width={48} />
              <Tooltip content={BarTip} cursor={{ fill: '#f3f4f6' }} isAnimationActive={false} />
              <Bar dataKey="pct" name="channel sparsity" fill="#7c3aed" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        )}
      </div>
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
