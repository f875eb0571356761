import { memo, useEffect, useRef, useState } from 'react';
import type { HyperparamChange } from '../../protocol';
import { LivePlot, sameLook, type PlotLine } from './livePlot';

/** One line of a chart (the plot's own line description). */
export type ChartSeries = PlotLine;

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

/** The legend as plain HTML, re-rendered only when a line's label, colour or dash changes (not on new data). */
const ChartLegend = memo(
  function ChartLegend({ lines }: { lines: readonly ChartSeries[] }) {
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
  },
  (a, b) => a.lines.length === b.lines.length && a.lines.every((l, i) => sameLook(l, b.lines[i]!)),
);

/**
 * A live line chart against step, with hyperparameter changes drawn as vertical markers, on a canvas (uPlot; see
 * livePlot.ts). React renders the frame (caption, legend, empty note) only; the plot is fed outside React and
 * redraws when its own lines or markers change, in a task of its own and never during a slider drag. Each line is
 * thinned to one min/max pair per two pixel columns of the plot before it is drawn.
 */
export const MetricChart = memo(function MetricChart({ testId, title, lines, markers, yDomain, yFormat, yScale = 'linear', maxPoints = 400 }: Props) {
  const figure = useRef<HTMLElement>(null);
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<LivePlot | null>(null);
  const [empty, setEmpty] = useState(true);

  useEffect(() => {
    if (!host.current || !figure.current) return;
    const p = new LivePlot(host.current, figure.current, testId, setEmpty);
    plot.current = p;
    return () => {
      p.destroy();
      plot.current = null;
    };
  }, [testId]);

  useEffect(() => {
    plot.current?.update({ lines, markers, yDomain, yFormat, yScale, maxPoints });
  }, [lines, markers, yDomain, yFormat, yScale, maxPoints, testId]);

  return (
    <figure className="chart" data-testid={testId} ref={figure}>
      <figcaption>{title}</figcaption>
      <div className="chart-body">
        {empty && <div className="chart-empty">No data yet: start a run.</div>}
        {/* uPlot's canvas, the markers and the readout live in here, outside React. */}
        <div className="chart-host" ref={host} role="img" aria-label={title} />
      </div>
      <ChartLegend lines={lines} />
    </figure>
  );
});
