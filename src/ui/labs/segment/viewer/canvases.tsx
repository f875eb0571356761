import { useEffect, useRef } from 'react';
import { centreCrop } from './labelMap';
import type { ViewerSource } from './fitImage';

/** A 2-D canvas showing RGBA bytes at width × height. */
export function PixelCanvas({ rgba, width, height, label }: { rgba: Uint8ClampedArray<ArrayBuffer>; width: number; height: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (ctx && rgba.length === width * height * 4) ctx.putImageData(new ImageData(rgba, width, height), 0, 0);
  }, [rgba, width, height]);
  return <canvas ref={ref} width={width} height={height} className="seg-viewer-canvas" role="img" aria-label={label} />;
}

const THUMB = { width: 128, height: 64 };

/** A small centre-cropped picture of a source image, for the thumbnail strip. */
export function ThumbCanvas({ source }: { source: ViewerSource }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const r = centreCrop(source.bitmap.width, source.bitmap.height, THUMB.width / THUMB.height);
    ctx.clearRect(0, 0, THUMB.width, THUMB.height);
    ctx.drawImage(source.bitmap, r.x, r.y, r.width, r.height, 0, 0, THUMB.width, THUMB.height);
  }, [source.bitmap]);
  return <canvas ref={ref} width={THUMB.width} height={THUMB.height} aria-hidden />;
}

/** The strip of uploaded / chosen images; clicking one selects it. */
export function ThumbStrip({ sources, selectedKey, onSelect }: { sources: ViewerSource[]; selectedKey: string | null; onSelect(key: string): void }) {
  if (sources.length < 2) return null;
  return (
    <ul className="seg-viewer-thumbs" data-testid="seg.viewer.thumbs" aria-label="Images">
      {sources.map((s) => (
        <li key={s.key}>
          <button
            type="button"
            data-testid="seg.viewer.thumb"
            aria-pressed={s.key === selectedKey}
            aria-label={`Show ${s.name}`}
            title={s.name}
            onClick={() => onSelect(s.key)}
          >
            <ThumbCanvas source={s} />
            <span>{s.name}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Swatch + name per class, plus the colour of ignored pixels. */
export function Legend({ classNames, palette }: { classNames: string[]; palette: readonly (readonly number[])[] }) {
  const entries = classNames.map((name, c) => [name, palette[c] ?? [0, 0, 0]] as const);
  return (
    <ul className="seg-viewer-legend" data-testid="seg.viewer.legend" aria-label="Class colours">
      {entries.map(([name, [r = 0, g = 0, b = 0]], i) => (
        <li key={i} data-testid="seg.viewer.legend.item">
          <span className="seg-viewer-swatch" aria-hidden style={{ background: `rgb(${r}, ${g}, ${b})` }} />
          {name}
        </li>
      ))}
      <li className="seg-viewer-legend-ignore">
        <span className="seg-viewer-swatch seg-viewer-swatch-ignore" aria-hidden />
        ignore (not overlaid)
      </li>
    </ul>
  );
}
