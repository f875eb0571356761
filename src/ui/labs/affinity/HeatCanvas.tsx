import { useCallback, useEffect, useRef, type MouseEvent, type RefObject } from 'react';
import { afterInput } from '../../inputActivity';
import { markRender } from '../../perfMarks';
import { heatPixelsSampled } from './affinityView';

interface Props {
  testId: string;
  label: string;
  /** Row-major values of a w×h grid (an N×N affinity matrix, or a size×size spatial map). */
  values: Float32Array;
  /** When given, the map shows |values − minus| (the difference of two matrices, never materialised). */
  minus?: Float32Array;
  w: number;
  h: number;
  lo: number;
  hi: number;
  /** Displayed side in CSS pixels (the grid is scaled without smoothing). */
  view: number;
  onPick?(x: number, y: number): void;
  /** A pixel to outline (the picked one on a spatial map). */
  mark?: number | null;
}

/**
 * Put `pixels` on the canvas: straight when they are the canvas's size, else scaled up without smoothing through `small`,
 * an own-size canvas kept between redraws (a new one per evaluation costs more than the colouring).
 */
function paint(canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D, small: RefObject<OffscreenCanvas | null>, pixels: ImageData): void {
  if (pixels.width === canvas.width && pixels.height === canvas.height) return ctx.putImageData(pixels, 0, 0);
  if (small.current?.width !== pixels.width || small.current.height !== pixels.height) small.current = new OffscreenCanvas(pixels.width, pixels.height);
  small.current.getContext('2d')!.putImageData(pixels, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(small.current, 0, 0, canvas.width, canvas.height);
}

/** Outline cell `mark` (row-major) of a cols×rows grid shown over the whole canvas. */
function outline(canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D, mark: number, cols: number, rows: number): void {
  const cw = canvas.width / cols;
  const ch = canvas.height / rows;
  ctx.strokeStyle = '#ef4444';
  ctx.lineWidth = 2;
  ctx.strokeRect((mark % cols) * cw + 1, Math.floor(mark / cols) * ch + 1, cw - 2, ch - 2);
}

/**
 * A canvas ref whose drawing runs in a task of its own after each render that changes `draw` (a memoised callback), never
 * during a slider drag (afterInput): an evaluation's new affinity maps are six short tasks, not one long one.
 */
function useDeferredCanvas(draw: (canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D, small: RefObject<OffscreenCanvas | null>) => void) {
  const ref = useRef<HTMLCanvasElement>(null);
  const small = useRef<OffscreenCanvas | null>(null);
  useEffect(
    () =>
      afterInput(() => {
        const canvas = ref.current;
        const ctx = canvas?.getContext('2d');
        if (canvas && ctx) draw(canvas, ctx, small);
      }),
    [draw],
  );
  return ref;
}

/** A heatmap on a 2-D canvas (viridis-like ramp on [lo, hi]); clicks report view coordinates. */
export function HeatCanvas({ testId, label, values, minus, w, h, lo, hi, view, onPick, mark }: Props) {
  const ref = useDeferredCanvas(
    useCallback(
      (canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D, small: RefObject<OffscreenCanvas | null>) => {
        markRender('affinity.heatmap');
        // A grid larger than the canvas is sampled at the canvas's pixels (what nearest scaling would show), not coloured whole.
        const sw = Math.min(w, canvas.width);
        const sh = Math.min(h, canvas.height);
        paint(canvas, ctx, small, new ImageData(heatPixelsSampled(values, w, h, lo, hi, sw, sh, minus) as Uint8ClampedArray<ArrayBuffer>, sw, sh));
        if (mark != null) outline(canvas, ctx, mark, w, h);
      },
      [values, minus, w, h, lo, hi, mark],
    ),
  );
  const click = (e: MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    onPick?.(e.clientX - r.left, e.clientY - r.top);
  };
  return (
    <figure className="heat" data-testid={testId}>
      <canvas ref={ref} width={view} height={view} style={{ width: view, height: view }} onClick={onPick ? click : undefined} aria-label={label} role="img" />
      <figcaption>{label}</figcaption>
    </figure>
  );
}

/** An RGB uint8 image (size×size×3) on a canvas, scaled without smoothing, clickable, with the picked map pixel outlined. */
export function ImageCanvas(props: {
  testId: string;
  rgb: Uint8Array;
  size: number;
  view: number;
  grid: number;
  mark: number | null;
  onPick(x: number, y: number): void;
}) {
  const { testId, rgb, size, view, grid, mark, onPick } = props;
  const ref = useDeferredCanvas(
    useCallback(
      (canvas: HTMLCanvasElement, ctx: CanvasRenderingContext2D, small: RefObject<OffscreenCanvas | null>) => {
        const data = new Uint8ClampedArray(size * size * 4);
        for (let i = 0; i < size * size; i++) {
          data[4 * i] = rgb[3 * i]!;
          data[4 * i + 1] = rgb[3 * i + 1]!;
          data[4 * i + 2] = rgb[3 * i + 2]!;
          data[4 * i + 3] = 255;
        }
        paint(canvas, ctx, small, new ImageData(data, size, size));
        if (mark != null) outline(canvas, ctx, mark, grid, grid);
      },
      [rgb, size, grid, mark],
    ),
  );
  return (
    <figure className="heat" data-testid={testId}>
      <canvas
        ref={ref}
        width={view}
        height={view}
        style={{ width: view, height: view, cursor: 'crosshair' }}
        role="img"
        aria-label="Test image: click a pixel to see its affinity row"
        onClick={(e) => {
          const r = e.currentTarget.getBoundingClientRect();
          onPick(e.clientX - r.left, e.clientY - r.top);
        }}
      />
      <figcaption>test image (click a pixel)</figcaption>
    </figure>
  );
}
