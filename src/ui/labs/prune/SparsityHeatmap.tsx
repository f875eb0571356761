import { memo, useEffect, useMemo, useRef, useState } from 'react';
import type { MouseEvent } from 'react';
import type { LayerHistory } from '../../../protocol';
import { formatPercent } from '../../format';
import { markRender } from '../../perfMarks';
import { shortLayerLabels } from './layerLabels';
import './prune-views.css';

interface Props {
  history: LayerHistory | null;
  totalSteps: number;
}

/** Single-hue ramp (ColorBrewer Blues, 9 classes): sparsity 0 → light, 1 → dark. */
const STOPS = ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];
/** Steps not reached yet: white with light grey hatching, so they differ from 0 % sparsity. */
const EMPTY = '#ffffff';
const HATCH = '#e5e7eb';
const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
/** 256 CSS colours interpolated linearly between the stops (as the legend's CSS gradient does). */
const RAMP = Array.from({ length: 256 }, (_, k) => {
  const t = (k / 255) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(t));
  const a = rgb(STOPS[i]!);
  const b = rgb(STOPS[i + 1]!);
  const c = a.map((v, j) => Math.round(v + (b[j]! - v) * (t - i)));
  return `rgb(${c.join(',')})`;
});
const GRADIENT = `linear-gradient(to right, ${STOPS.join(', ')})`;
const colour = (s: number) => RAMP[Math.round(Math.min(1, Math.max(0, s)) * 255)]!;

/** About four round step ticks from 0 to `max` (1, 2 or 5 × 10^k apart), always ending at `max`. */
function stepTicks(max: number): number[] {
  const raw = max / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw);
  const ticks: number[] = [];
  for (let t = 0; t < max - step / 3; t += step) ticks.push(Math.round(t));
  return [...ticks, Math.round(max)];
}

/** Paint cells in device pixels: column k spans (steps[k−1], steps[k]] on [0, max]; row r = layer r. */
function paint(canvas: HTMLCanvasElement, h: LayerHistory, max: number, cssWidth: number, rowH: number): void {
  const dpr = window.devicePixelRatio || 1;
  const W = Math.max(1, Math.round(cssWidth * dpr));
  const H = Math.max(1, Math.round(h.names.length * rowH * dpr));
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.fillStyle = EMPTY;
  ctx.fillRect(0, 0, W, H);
  const xOf = (step: number) => Math.round((Math.min(max, Math.max(0, step)) / max) * W);
  let x0 = 0;
  h.steps.forEach((step, k) => {
    const x1 = Math.max(x0 + 1, xOf(step));
    const row = h.rows[k];
    for (let r = 0; row && r < h.names.length; r++) {
      const y0 = Math.round(r * rowH * dpr);
      ctx.fillStyle = colour(row[r] ?? 0);
      ctx.fillRect(x0, y0, x1 - x0, Math.round((r + 1) * rowH * dpr) - y0);
    }
    x0 = Math.min(x1, W - 1);
  });
  if (x0 >= W - 1) return;
  // Steps not reached yet: diagonal hatching.
  ctx.beginPath();
  ctx.rect(x0, 0, W - x0, H);
  ctx.clip();
  ctx.strokeStyle = HATCH;
  ctx.lineWidth = dpr;
  ctx.beginPath();
  for (let x = x0 - H; x < W; x += 8 * dpr) {
    ctx.moveTo(x, H);
    ctx.lineTo(x + H, 0);
  }
  ctx.stroke();
}

/** Layer × step heatmap of channel sparsity, drawn on a high-DPI canvas; redrawn only when the history or size changes. */
export const SparsityHeatmap = memo(function SparsityHeatmap({ history, totalSteps }: Props) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  const [hover, setHover] = useState<string | null>(null);
  const layers = history?.names.length ?? 0;
  const hasData = layers > 0 && (history?.steps.length ?? 0) > 0;
  const rowH = layers ? Math.max(8, Math.min(18, Math.floor(280 / layers))) : 0;
  const max = Math.max(1, totalSteps, history?.steps.at(-1) ?? 0);
  const labels = useMemo(() => shortLayerLabels(history?.names ?? []), [history?.names]);
  const ticks = useMemo(() => stepTicks(max), [max]);

  useEffect(() => {
    const el = canvasRef.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setWidth(e?.contentRect.width ?? 0));
    ro.observe(el);
    return () => ro.disconnect();
  }, [hasData]);

  useEffect(() => {
    if (!canvasRef.current || !history || !hasData || width <= 0) return;
    markRender('prune.heatmap');
    paint(canvasRef.current, history, max, width, rowH);
  }, [history, hasData, max, width, rowH]);

  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    if (!history) return;
    const box = e.currentTarget.getBoundingClientRect();
    const step = ((e.clientX - box.left) / box.width) * max;
    const k = history.steps.findIndex((s) => s >= step);
    const r = Math.floor((e.clientY - box.top) / rowH);
    const v = k < 0 ? undefined : history.rows[k]?.[r];
    setHover(v === undefined ? null : `${history.names[r]} · step ${history.steps[k]} · ${formatPercent(v)}`);
  };

  const last = history?.steps.at(-1);
  return (
    <figure className="chart pv-heatmap" data-testid="prune.heatmap">
      <figcaption>Channel sparsity per layer over training</figcaption>
      {!hasData ? (
        <div className="chart-empty" style={{ position: 'static', height: 120 }}>
          No per-layer history yet: start a pruning run.
        </div>
      ) : (
        <div className="pv-heatmap-grid">
          <div className="pv-heatmap-labels" aria-hidden="true" style={{ fontSize: Math.min(11, rowH - 1) }}>
            {labels.map((l, i) => (
              <span key={i} style={{ height: rowH, lineHeight: `${rowH}px` }} title={history?.names[i]}>
                {l}
              </span>
            ))}
          </div>
          <div className="pv-heatmap-track" style={{ minHeight: layers * rowH }}>
            <canvas
              ref={canvasRef}
              className="pv-heatmap-canvas"
              style={{ height: layers * rowH }}
              role="img"
              aria-label={`Channel sparsity of ${layers} layers from step 0 to ${last ?? 0} of ${max}; darker means sparser.`}
              onMouseMove={onMove}
              onMouseLeave={() => setHover(null)}
            />
          </div>
          <div className="pv-heatmap-axis" aria-hidden="true">
            {ticks.map((t) => (
              <span key={t} style={{ left: `${(t / max) * 100}%` }}>
                {t}
              </span>
            ))}
          </div>
        </div>
      )}
      <div className="pv-heatmap-foot">
        <span>{hover ?? (hasData ? `x: step (last ${last}); hover a cell for its value` : '')}</span>
        <span className="pv-legend" aria-label="Colour scale: 0% sparsity light to 100% dark">
          0%
          <span className="pv-legend-ramp" style={{ background: GRADIENT }} />
          100%
        </span>
      </div>
    </figure>
  );
});
