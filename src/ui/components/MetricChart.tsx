import { memo, useCallback, useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { flushSync } from 'react-dom';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HyperparamChange } from '../../protocol';
import type { Series } from '../../store';
import { formatHp, formatTick } from '../format';
import { afterInput } from '../inputActivity';
import { markRender } from '../perfMarks';
import { decimateMinMax } from './decimate';

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

/** Merge several step-indexed series into recharts rows, each thinned to `max` points and then to `columns` min/max pixel columns. */
export function toRows(lines: readonly ChartSeries[], max: number, columns: number): Record<string, number>[] {
  const byStep = new Map<number, Record<string, number>>();
  for (const l of lines) {
    if (!l.series) continue;
    const s = decimateMinMax(thin(l.series, max), columns);
    s.steps.forEach((step, i) => {
      const row = byStep.get(step) ?? { step };
      row[l.key] = s.values[i]!;
      byStep.set(step, row);
    });
  }
  return [...byStep.values()].sort((a, b) => a.step! - b.step!);
}

/** Whether two line lists draw the same thing: same keys, looks and series objects (series are replaced, never mutated). */
function sameLines(a: readonly ChartSeries[], b: readonly ChartSeries[]): boolean {
  return (
    a.length === b.length &&
    a.every((l, i) => {
      const m = b[i]!;
      return l.key === m.key && l.series === m.series && l.label === m.label && l.color === m.color && l.dots === m.dots && l.dashed === m.dashed;
    })
  );
}

/**
 * The lines last drawn: new lines land in a task of their own (one chart per task, so a redraw never sits in the
 * same task as another chart's or as an input event), after any slider drag, and lines that draw the same thing
 * keep the old ones.
 */
function useOwnTask(lines: readonly ChartSeries[], name: string): readonly ChartSeries[] {
  const [shown, setShown] = useState(lines);
  const same = sameLines(shown, lines);
  useEffect(() => {
    if (same) return;
    return afterInput(() => {
      markRender(name);
      flushSync(() => setShown(lines));
    });
  }, [same, lines, name]);
  return shown;
}

/** Plot width in CSS pixels of a chart body (its width less the y axis and margins), measured as it resizes. */
function usePlotWidth(ref: RefObject<HTMLDivElement | null>): number {
  const [width, setWidth] = useState(600);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setWidth(Math.max(50, Math.round((e?.contentRect.width ?? 0) - Y_AXIS_WIDTH - MARGIN.right))));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return width;
}

/** The legend as plain HTML (recharts' own measures itself and re-lays the chart out on every redraw). */
const ChartLegend = memo(function ChartLegend({ lines }: { lines: readonly ChartSeries[] }) {
  return (
    <ul className="chart-legend">
      {lines.map((l) => (
        <li key={l.key}>
          <svg width="16" height="8" aria-hidden="true">
            <line x1="0" y1="4" x2="16" y2="4" stroke={l.color} strokeWidth="2" {...(l.dashed ? { strokeDasharray: '4 3' } : {})} />
          </svg>
          {l.label}
        </li>
      ))}
    </ul>
  );
});

const MARGIN = { top: 16, right: 24, bottom: 4, left: 0 };
const Y_AXIS_WIDTH = 48;
const DOT = { r: 2.5 };
const X_DOMAIN = ['dataMin', 'dataMax'];
const AUTO: [number | 'auto', number | 'auto'] = ['auto', 'auto'];
const markerLabel = (m: HyperparamChange) => ({
  value: `${m.key} ${formatHp(m.from)}→${formatHp(m.to)}`,
  position: 'insideTopLeft' as const,
  fontSize: 10,
  fill: '#b45309',
});
const stepLabel = (s: unknown) => `step ${String(s)}`;

/**
 * A live line chart against step, with hyperparameter changes drawn as vertical markers. Each line is thinned to
 * one min/max pair per two pixel columns of the plot before recharts sees it, every prop recharts gets is stable
 * between two redraws with the same data, and a redraw runs in a task of its own.
 */
export const MetricChart = memo(function MetricChart(props: Props) {
  const shown = useOwnTask(props.lines, props.testId);
  // Until the own task lands, the figure below is not re-rendered (same props): recharts sees each change once.
  return <ChartFigure {...props} lines={shown} />;
});

const ChartFigure = memo(function ChartFigure({ testId, title, lines, markers, yDomain, yFormat, yScale = 'linear', maxPoints = 400 }: Props) {
  const body = useRef<HTMLDivElement>(null);
  const plotWidth = usePlotWidth(body);
  const rows = useMemo(() => toRows(lines, maxPoints, Math.ceil(plotWidth / 2)), [lines, maxPoints, plotWidth]);
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      {/* The chart stays mounted while empty, so its costly first mount happens before a run starts. */}
      <div className="chart-body" ref={body}>
        {rows.length === 0 && <div className="chart-empty">No data yet: start a run.</div>}
        <ChartPlot rows={rows} lines={lines} markers={markers} yDomain={yDomain} yFormat={yFormat} yScale={yScale} />
      </div>
      <ChartLegend lines={lines} />
    </figure>
  );
});

interface PlotProps {
  rows: Record<string, number>[];
  lines: readonly ChartSeries[];
  markers: readonly HyperparamChange[];
  yDomain: Props['yDomain'];
  yFormat: Props['yFormat'];
  yScale: NonNullable<Props['yScale']>;
}

/** The recharts part alone: a new caption (or anything else around it) does not re-render it. */
const ChartPlot = memo(function ChartPlot({ rows, lines, markers, yDomain, yFormat, yScale }: PlotProps) {
  const tooltipValue = useCallback((v: unknown) => (typeof v === 'number' ? (yFormat ? yFormat(v) : v.toFixed(4)) : String(v)), [yFormat]);
  const labels = useMemo(() => markers.map(markerLabel), [markers]);
  return (
    <ResponsiveContainer width="100%" height={240}>
      <LineChart data={rows} margin={MARGIN}>
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e6ea" />
        {/* interval 0: recharts places the ticks without measuring each label in the DOM. */}
        <XAxis dataKey="step" type="number" domain={X_DOMAIN} allowDecimals={false} interval={0} />
        <YAxis scale={yScale} domain={yDomain ?? AUTO} tickFormatter={yFormat ?? formatTick} width={Y_AXIS_WIDTH} allowDataOverflow={false} interval={0} />
        <Tooltip formatter={tooltipValue} labelFormatter={stepLabel} />
        {lines.map((l) => (
          <Line
            key={l.key}
            dataKey={l.key}
            name={l.label}
            stroke={l.color}
            dot={l.dots ? DOT : false}
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
            label={labels[i]}
          />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
});
