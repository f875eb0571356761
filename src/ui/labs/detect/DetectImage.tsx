import { useEffect, useMemo, useRef } from 'react';
import { rgbToRgba } from '../segment/viewer/pixels';
import { attentionRgba, clipBox, type DrawnBox } from './detectView';

interface Props {
  rgb: Uint8Array;
  width: number;
  height: number;
  boxes: readonly DrawnBox[];
  /** The most it is displayed at: scale × the image's pixels (less when its container is narrower). */
  scale: number;
  label: string;
  /** A query's cross-attention over the stride-32 map, drawn as a heat overlay. */
  attention?: { values: ArrayLike<number>; height: number; width: number } | null;
  /** The query under the pointer (null when it leaves a box); predictions are hoverable only when set. */
  onHover?(query: number | null): void;
  hovered?: number | null;
}

/** Draw RGB bytes on a canvas. */
function useRgbCanvas(rgb: Uint8Array, width: number, height: number) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (ctx && rgb.length === width * height * 3) ctx.putImageData(new ImageData(rgbToRgba(rgb), width, height), 0, 0);
  }, [rgb, width, height]);
  return ref;
}

/** The attention map, stretched (smoothly) over the image. */
function HeatOverlay({ values, mapH, mapW }: { values: ArrayLike<number>; mapH: number; mapW: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const rgba = useMemo(() => attentionRgba(values, mapH, mapW), [values, mapH, mapW]);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (ctx) ctx.putImageData(new ImageData(rgba, mapW, mapH), 0, 0);
  }, [rgba, mapH, mapW]);
  return <canvas ref={ref} width={mapW} height={mapH} className="detect-heat" aria-hidden />;
}

/**
 * An image (model input pixels) with boxes as an SVG overlay: truth boxes green (grey: ignore regions), predictions orange with their
 * score; hovering a prediction reports its query (the caller shows that query's cross-attention as a heat overlay).
 */
export function DetectImage({ rgb, width, height, boxes, scale, label, attention, onHover, hovered }: Props) {
  const ref = useRgbCanvas(rgb, width, height);
  const drawn = boxes.flatMap((b) => {
    const c = clipBox(b.box, width, height);
    return c ? [{ ...b, box: c }] : [];
  });
  return (
    <div className="detect-image" style={{ maxWidth: width * scale, aspectRatio: `${width} / ${height}` }} onMouseLeave={() => onHover?.(null)}>
      <canvas ref={ref} width={width} height={height} role="img" aria-label={label} />
      {attention && attention.values.length === attention.height * attention.width && (
        <HeatOverlay values={attention.values} mapH={attention.height} mapW={attention.width} />
      )}
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" aria-hidden>
        {drawn.map((b) => {
          const { x1, y1, x2, y2 } = b.box;
          const pred = b.kind === 'pred';
          const active = pred && hovered === b.query;
          return (
            <g
              key={b.key}
              className={`detect-box detect-box-${b.kind}${b.box.ignore ? ' detect-box-ignore' : ''}${active ? ' detect-box-active' : ''}`}
              onMouseEnter={pred && onHover && b.query !== undefined ? () => onHover(b.query!) : undefined}
            >
              <rect x={x1} y={y1} width={x2 - x1} height={y2 - y1} vectorEffect="non-scaling-stroke" />
              {pred && b.score !== undefined && (
                <text x={x1 + 1} y={Math.max(7, y1 - 1.5)} fontSize={8 / Math.max(1, scale / 1.5)}>
                  {b.score.toFixed(2)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
