import { memo, useEffect, useRef, useState } from 'react';
import type { MouseEvent } from 'react';
import { markRender } from '../perfMarks';

/** One bar of a slot (slot i spans [i, i + 1) on the x axis); a null value leaves the slot empty. */
export interface CanvasBar {
  value: number | null;
  color: string;
}

/** A labelled vertical line at a slot position (e.g. a threshold). */
export interface CanvasVLine {
  at: number;
  label: string;
  color: string;
}

interface Props {
  bars: readonly CanvasBar[];
  /** Top of the y axis (bottom is 0). */
  yMax: number;
  yTicks: readonly number[];
  yFormat(v: number): string;
  /** Tick labels on the x axis at slot positions. */
  xTicks: readonly { at: number; label: string }[];
  /** Slant x labels (many bars). */
  slanted?: boolean;
  vlines?: readonly CanvasVLine[];
  /** Fraction of a slot left empty between two bars. */
  gap?: number;
  height: number;
  ariaLabel: string;
  /** The view's name in the bench's `perf:` marks. */
  perfName?: string;
  /** Called with the slot under the pointer (null when it leaves). */
  onHover?(slot: number | null): void;
}

const AXIS = '#6b7280';
const GRID = '#e3e6ea';
const LEFT = 44;
const RIGHT = 12;
const TOP = 16;

/** Paint the bars, axes and lines in device pixels for a CSS width of `cssWidth`. */
function paint(canvas: HTMLCanvasElement, p: Props, cssWidth: number): void {
  const dpr = window.devicePixelRatio || 1;
  const bottom = p.slanted ? 52 : 22;
  canvas.width = Math.max(1, Math.round(cssWidth * dpr));
  canvas.height = Math.max(1, Math.round(p.height * dpr));
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssWidth, p.height);
  const plotW = Math.max(1, cssWidth - LEFT - RIGHT);
  const plotH = Math.max(1, p.height - TOP - bottom);
  const n = Math.max(1, p.bars.length);
  const xOf = (slot: number) => LEFT + (slot / n) * plotW;
  const yOf = (v: number) => TOP + plotH - (Math.min(p.yMax, Math.max(0, v)) / (p.yMax || 1)) * plotH;
  ctx.font = '11px system-ui, sans-serif';
  ctx.lineWidth = 1;
  // Horizontal grid and y labels.
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const t of p.yTicks) {
    const y = Math.round(yOf(t)) + 0.5;
    ctx.strokeStyle = GRID;
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(LEFT, y);
    ctx.lineTo(LEFT + plotW, y);
    ctx.stroke();
    ctx.fillStyle = AXIS;
    ctx.fillText(p.yFormat(t), LEFT - 6, y);
  }
  ctx.setLineDash([]);
  // Bars.
  const gap = p.gap ?? 0.15;
  p.bars.forEach((b, i) => {
    if (b.value === null || b.value <= 0) return;
    const x0 = xOf(i + gap / 2);
    const x1 = xOf(i + 1 - gap / 2);
    const y = yOf(b.value);
    ctx.fillStyle = b.color;
    ctx.fillRect(x0, y, Math.max(1, x1 - x0), TOP + plotH - y);
  });
  // x axis and labels.
  ctx.strokeStyle = AXIS;
  ctx.beginPath();
  ctx.moveTo(LEFT, TOP + plotH + 0.5);
  ctx.lineTo(LEFT + plotW, TOP + plotH + 0.5);
  ctx.stroke();
  ctx.fillStyle = AXIS;
  ctx.font = '10px system-ui, sans-serif';
  for (const t of p.xTicks) {
    const x = xOf(t.at);
    if (p.slanted) {
      ctx.save();
      ctx.translate(x, TOP + plotH + 6);
      ctx.rotate((-50 * Math.PI) / 180);
      ctx.textAlign = 'right';
      ctx.textBaseline = 'middle';
      ctx.fillText(t.label, 0, 0);
      ctx.restore();
    } else {
      ctx.textAlign = 'center';
      ctx.textBaseline = 'top';
      ctx.fillText(t.label, x, TOP + plotH + 6);
    }
  }
  // Vertical lines with their labels above the plot.
  for (const l of p.vlines ?? []) {
    const x = Math.round(xOf(l.at)) + 0.5;
    ctx.strokeStyle = l.color;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(x, TOP);
    ctx.lineTo(x, TOP + plotH);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = l.color;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    ctx.fillText(l.label, x, TOP - 2);
  }
}

/**
 * A bar chart drawn on a high-DPI canvas (one draw call per bar, no DOM per bar): redrawn only when its
 * props or width change, so a live view costs a millisecond or two per update.
 */
export const BarCanvas = memo(function BarCanvas(props: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setWidth(Math.round(e?.contentRect.width ?? 0)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useEffect(() => {
    if (!ref.current || width <= 0) return;
    markRender(props.perfName ?? 'bars');
    paint(ref.current, props, width);
  }, [props, width]);
  const { onHover, bars, height, ariaLabel } = props;
  const move = (e: MouseEvent<HTMLCanvasElement>) => {
    if (!onHover) return;
    const box = e.currentTarget.getBoundingClientRect();
    const slot = Math.floor(((e.clientX - box.left - LEFT) / Math.max(1, box.width - LEFT - RIGHT)) * bars.length);
    onHover(slot >= 0 && slot < bars.length ? slot : null);
  };
  return (
    <canvas
      ref={ref}
      className="bar-canvas"
      style={{ width: '100%', height, display: 'block' }}
      role="img"
      aria-label={ariaLabel}
      onMouseMove={move}
      onMouseLeave={() => onHover?.(null)}
    />
  );
});
