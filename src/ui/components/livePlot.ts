/**
 * The canvas side of MetricChart: one uPlot instance per chart, fed outside React. A change of the chart's own lines
 * or markers is drawn in a task of its own once no slider is being dragged (inputActivity.ts), and a redraw is one
 * uPlot `setData` (a few ms: one canvas path per line) rather than a React tree.
 *
 * DOM contract (read by the e2e specs and the bench): the chart's root element carries `data-points` (points drawn
 * in its first line), `data-series` (lines with at least one point drawn), `data-last-step` (the last step drawn,
 * empty without data) and `data-markers` (markers drawn); each hyperparameter marker is an element `[data-marker]`
 * over the canvas with its label as text and title.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './MetricChart.css';
import type { HyperparamChange } from '../../protocol';
import type { Series } from '../../store';
import { formatHp, formatTick } from '../format';
import { afterInput } from '../inputActivity';
import { markRender } from '../perfMarks';
import { alignLines, formatAxisTick, formatReadout, STEP_INCREMENTS, xRange, yRange, type Aligned, type Domain } from './chartData';

export interface PlotLine {
  key: string;
  label: string;
  color: string;
  series: Series | undefined;
  /** Draw point markers (for sparse series such as periodic evaluations). */
  dots?: boolean;
  /** A dashed line (a reference or shadow next to the series it accompanies). */
  dashed?: boolean;
}

export interface PlotInput {
  lines: readonly PlotLine[];
  markers: readonly HyperparamChange[];
  yDomain: Domain | undefined;
  yFormat: ((v: number) => string) | undefined;
  yScale: 'linear' | 'log';
  maxPoints: number;
}

export const PLOT_HEIGHT = 240;
const AXIS = '#6b7280';
const GRID = '#e3e6ea';
const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const AUTO: Domain = ['auto', 'auto'];
/** Pixel columns per min/max pair when thinning a line to the plot's width. */
const PX_PER_COLUMN = 2;

/** Whether two line lists draw the same thing: same keys, looks and series objects (a changed series is a new Series object; its arrays may be shared and grown in place, see appendPoints). */
export function sameLines(a: readonly PlotLine[], b: readonly PlotLine[]): boolean {
  return (
    a.length === b.length &&
    a.every((l, i) => {
      const m = b[i]!;
      return l.key === m.key && l.series === m.series && sameLook(l, m);
    })
  );
}

/** Same label, colour, dots and dash (what the uPlot series options and the legend are built from). */
export function sameLook(a: Omit<PlotLine, 'series'>, b: Omit<PlotLine, 'series'>): boolean {
  return a.key === b.key && a.label === b.label && a.color === b.color && !a.dots === !b.dots && !a.dashed === !b.dashed;
}

const sameLooks = (a: readonly PlotLine[], b: readonly PlotLine[]) => a.length === b.length && a.every((l, i) => sameLook(l, b[i]!));

export class LivePlot {
  private plot: uPlot | null = null;
  /** What the plot was built for (its series looks and scale kind): a change rebuilds it. */
  private builtFor: { lines: readonly PlotLine[]; yScale: 'linear' | 'log' } | null = null;
  private drawn: PlotInput | null = null;
  private latest: PlotInput | null = null;
  private cancel: (() => void) | null = null;
  private readonly resize: ResizeObserver;
  private width: number;
  private markerEls: HTMLElement[] = [];
  private readout: HTMLElement;
  private aligned: Aligned = { xs: [], ys: [], points: [] };

  constructor(
    private readonly body: HTMLElement,
    private readonly root: HTMLElement,
    private readonly name: string,
    private readonly onEmpty: (empty: boolean) => void,
  ) {
    this.width = Math.max(50, Math.round(body.clientWidth || 600));
    this.readout = document.createElement('div');
    this.readout.className = 'chart-readout';
    this.readout.hidden = true;
    body.appendChild(this.readout);
    this.setAttrs({ xs: [], ys: [], points: [] }, 0);
    this.resize = new ResizeObserver(([e]) => {
      const w = Math.max(50, Math.round(e?.contentRect.width ?? 0));
      if (w === this.width || w <= 0) return;
      this.width = w;
      if (!this.plot || !this.drawn) return;
      this.plot.setSize({ width: w, height: PLOT_HEIGHT });
      // The thinning depends on the width: align again for the new plot width.
      this.setData(this.drawn);
    });
    this.resize.observe(body);
  }

  /** New props: drawn in a task of its own after any slider drag, unless they draw the same thing as the last drawn. */
  update(input: PlotInput): void {
    this.latest = input;
    if (this.cancel) return; // a draw is pending; it takes the latest input
    if (this.drawn && sameInput(this.drawn, input)) return;
    this.cancel = afterInput(() => {
      this.cancel = null;
      const next = this.latest;
      if (!next || (this.drawn && sameInput(this.drawn, next))) return;
      markRender(this.name);
      this.draw(next);
    });
  }

  destroy(): void {
    this.cancel?.();
    this.cancel = null;
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = null;
    this.readout.remove();
  }

  private draw(input: PlotInput): void {
    const built = this.builtFor;
    if (!this.plot || !built || built.yScale !== input.yScale || !sameLooks(built.lines, input.lines)) this.build(input);
    this.drawn = input;
    this.setData(input);
  }

  private setData(input: PlotInput): void {
    const plot = this.plot;
    if (!plot) return;
    const plotWidth = plot.bbox.width > 0 ? plot.bbox.width / uPlot.pxRatio : this.width - 60;
    const aligned = alignLines(input.lines, input.maxPoints, Math.ceil(plotWidth / PX_PER_COLUMN), input.yScale === 'log');
    this.aligned = aligned;
    plot.setData([aligned.xs, ...aligned.ys] as uPlot.AlignedData, true);
    this.setAttrs(aligned, input.markers.length);
    this.onEmpty(aligned.xs.length === 0);
  }

  private setAttrs(a: Aligned, markers: number): void {
    const r = this.root;
    r.setAttribute('data-points', String(a.points[0] ?? 0));
    r.setAttribute('data-series', String(a.points.filter((p) => p > 0).length));
    r.setAttribute('data-last-step', a.xs.length ? String(a.xs[a.xs.length - 1]) : '');
    r.setAttribute('data-markers', String(markers));
  }

  /** A new uPlot instance for these lines' looks and this scale kind (the old one, if any, is destroyed). */
  private build(input: PlotInput): void {
    this.plot?.destroy();
    this.markerEls = [];
    const log = input.yScale === 'log';
    // Read through `this.drawn`/`this.latest` at draw time, so a new format, domain or marker list needs no rebuild.
    const current = () => this.drawn ?? input;
    const opts: uPlot.Options = {
      width: this.width,
      height: PLOT_HEIGHT,
      legend: { show: false },
      padding: [14, 16, 0, 0],
      cursor: {
        y: false,
        drag: { x: false, y: false, setScale: false },
        points: { size: 7, width: 1.5 },
        // Lines have nulls where another line has a point: the readout takes a dense line's nearest point within
        // 24 px, and a dotted (sparse, e.g. evaluation) line's nearest point wherever it is (shown with its step).
        hover: { skip: [null], prox: (_u, i) => (input.lines[i - 1]?.dots ? null : 24) },
      },
      scales: {
        x: {
          time: false,
          range: (_u, min, max) =>
            xRange(
              min,
              max,
              current().markers.map((m) => m.step),
            ),
        },
        y: {
          ...(log ? { distr: 3 as const, log: 10 as const } : {}),
          range: (_u, min, max) => yRange(min, max, current().yDomain ?? AUTO, log),
        },
      },
      axes: [
        {
          stroke: AXIS,
          font: FONT,
          size: 30,
          gap: 4,
          space: 60,
          incrs: STEP_INCREMENTS,
          grid: { stroke: GRID, width: 1, dash: [3, 3] },
          ticks: { stroke: GRID, width: 1, size: 4 },
          values: (_u, splits) => splits.map((v) => (v == null ? '' : formatStep(v))),
        },
        {
          stroke: AXIS,
          font: FONT,
          gap: 4,
          space: 28,
          size: (_u, values) => 14 + 6.5 * Math.max(3, ...(values ?? []).map((v) => String(v ?? '').length)),
          grid: { stroke: GRID, width: 1, dash: [3, 3] },
          ticks: { stroke: GRID, width: 1, size: 4 },
          values: (_u, splits, _axis, _space, incr) => {
            const f = current().yFormat ?? (log ? formatTick : (v: number) => formatAxisTick(v, incr));
            return splits.map((v) => (v == null ? '' : f(v)));
          },
        },
      ],
      series: [
        { label: 'step' },
        ...input.lines.map((l): uPlot.Series => ({
          label: l.label,
          stroke: l.color,
          width: 1.6,
          spanGaps: true,
          ...(l.dashed ? { dash: [5, 4] } : {}),
          points: l.dots ? { show: true, size: 5, width: 1, stroke: l.color, fill: l.color } : { show: false },
        })),
      ],
      hooks: {
        draw: [(u) => this.placeMarkers(u)],
        setCursor: [(u) => this.showReadout(u)],
      },
    };
    this.plot = new uPlot(opts, [[], ...input.lines.map(() => [])], this.body);
    this.builtFor = { lines: input.lines, yScale: input.yScale };
  }

  /** One `[data-marker]` element per hyperparameter change, at its step over the plot (after each redraw). */
  private placeMarkers(u: uPlot): void {
    const markers = (this.drawn ?? this.latest)?.markers ?? [];
    while (this.markerEls.length > markers.length) this.markerEls.pop()!.remove();
    markers.forEach((m, i) => {
      let el = this.markerEls[i];
      if (!el) {
        el = document.createElement('div');
        el.className = 'chart-marker';
        el.appendChild(document.createElement('span'));
        u.over.appendChild(el);
        this.markerEls[i] = el;
      }
      const label = `${m.key} ${formatHp(m.from)}→${formatHp(m.to)}`;
      if (el.title !== label) {
        el.title = `step ${m.step}: ${label}`;
        el.dataset.marker = m.key;
        el.dataset.step = String(m.step);
        el.firstElementChild!.textContent = label;
      }
      el.style.left = `${u.valToPos(m.step, 'x')}px`;
    });
  }

  /** The hover readout: the step under the cursor and each line's value there (or at its nearest point). */
  private showReadout(u: uPlot): void {
    const idx = u.cursor.idx;
    const input = this.drawn;
    const left = u.cursor.left ?? -1;
    if (idx == null || !input || left < 0) {
      this.readout.hidden = true;
      return;
    }
    const { xs, ys } = this.aligned;
    const step = xs[idx];
    if (step === undefined) {
      this.readout.hidden = true;
      return;
    }
    const rows: HTMLElement[] = [];
    const head = document.createElement('div');
    head.className = 'chart-readout-step';
    head.textContent = `step ${step}`;
    rows.push(head);
    input.lines.forEach((l, i) => {
      const j = u.cursor.idxs?.[i + 1];
      const v = j == null ? null : ys[i]?.[j];
      if (v == null) return;
      const row = document.createElement('div');
      const swatch = document.createElement('i');
      swatch.style.background = l.color;
      row.append(swatch, `${l.label}: ${formatReadout(v, input.yFormat)}`);
      if (xs[j!] !== step) row.append(` (step ${xs[j!]})`);
      rows.push(row);
    });
    this.readout.replaceChildren(...rows);
    this.readout.hidden = false;
    // Beside the cursor, on the side with more room.
    const plotLeft = u.bbox.left / uPlot.pxRatio;
    const x = plotLeft + left;
    const onRight = left < u.bbox.width / uPlot.pxRatio / 2;
    this.readout.style.left = onRight ? `${x + 12}px` : '';
    this.readout.style.right = onRight ? '' : `${this.body.clientWidth - x + 12}px`;
  }
}

function sameInput(a: PlotInput, b: PlotInput): boolean {
  return (
    sameLines(a.lines, b.lines) &&
    a.markers === b.markers &&
    a.yScale === b.yScale &&
    a.yFormat === b.yFormat &&
    a.maxPoints === b.maxPoints &&
    (a.yDomain ?? AUTO)[0] === (b.yDomain ?? AUTO)[0] &&
    (a.yDomain ?? AUTO)[1] === (b.yDomain ?? AUTO)[1]
  );
}

/** A step on the x axis: whole numbers with thousands separators, compact from 10⁵ (100000 → "100k"). */
function formatStep(v: number): string {
  if (Math.abs(v) >= 1e5) return `${Number((v / 1e3).toPrecision(3))}k`;
  return Math.round(v).toLocaleString('en-US');
}
