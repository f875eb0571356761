import { memo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HyperparamChange } from '../../protocol';
import type { Series } from '../../store';
import { formatHp, formatTick } from '../format';

export interface ChartSeries {
  key: string;
  label: string;
  color: string;
  series: Series | undefined;
  /** Draw point markers (for sparse series such as periodic evaluations). */
  dots?: boolean;
  /** A dashed line (a reference or shadow next to the series it accompanies). */
  dashed?: boolean;
}

interface Props {
  testId: string;
  title: string;
  lines: readonly ChartSeries[];
  markers: readonly HyperparamChange[];
  yDomain?: [number | 'auto', number | 'auto'];
  yFormat?: (v: number) => string;
  /** Log scale keeps early spikes (e.g. the first evaluation's loss) from flattening the rest. */
  yScale?: 'linear' | 'log';
  maxPoints?: number;
}

/** Keep at most `max` points of a series (evenly spaced, always the last one). */
export function thin(s: Series, max: number): Series {
  const n = s.steps.length;
  if (n <= max) return s;
  const stride = Math.ceil(n / max);
  const steps: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < n; i += stride) {
    steps.push(s.steps[i]!);
    values.push(s.values[i]!);
  }
  if (steps.at(-1) !== s.steps[n - 1]) {
    steps.push(s.steps[n - 1]!);
    values.push(s.values[n - 1]!);
  }
  return { steps, values };
}

/** Merge several step-indexed series into recharts rows. */
function toRows(lines: readonly ChartSeries[], max: number): Record<string, number>[] {
  const byStep = new Map<number, Record<string, number>>();
  for (const l of lines) {
    if (!l.series) continue;
    const s = thin(l.series, max);
    s.steps.forEach((step, i) => {
      const row = byStep.get(step) ?? { step };
      row[l.key] = s.values[i]!;
      byStep.set(step, row);
    });
  }
  return [...byStep.values()].sort((a, b) => a.step! - b.step!);
}

/** A live line chart against step, with hyperparameter changes drawn as vertical markers. */
export const MetricChart = memo(function MetricChart({ testId, title, lines, markers, yDomain, yFormat, yScale = 'linear', maxPoints = 400 }: Props) {
  const rows = toRows(lines, maxPoints);
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      {/* The chart stays mounted while empty, so its costly first mount happens before a run starts. */}
      <div className="chart-body">
        {rows.length === 0 && <div className="chart-empty">No data yet: start a run.</div>}
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={rows} margin={{ top: 16, right: 24, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" />
            <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} />
            <YAxis scale={yScale} domain={yDomain ?? ['auto', 'auto']} tickFormatter={yFormat ?? formatTick} width={48} allowDataOverflow={false} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? (yFormat ? yFormat(v) : v.toFixed(4)) : String(v))} labelFormatter={(s) => `step ${s}`} />
            <Legend />
            {lines.map((l) => (
              <Line
                key={l.key}
                dataKey={l.key}
                name={l.label}
                stroke={l.color}
                dot={l.dots ? { r: 2.5 } : false}
                isAnimationActive={false}
                connectNulls
                strokeWidth={1.6}
                {...(l.dashed ? { strokeDasharray: '5 4' } : {})}
              />
            ))}
            {markers.map((m, i) => (
              <ReferenceLine
                key={`${m.step}-${m.key}-${i}`}
                x={m.step}
                stroke="#b45309"
                strokeDasharray="4 3"
                ifOverflow="extendDomain"
                className="hp-marker"
                label={{ value: `${m.key} ${formatHp(m.from)}→${formatHp(m.to)}`, position: 'insideTopLeft', fontSize: 10, fill: '#b45309' }}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
});
