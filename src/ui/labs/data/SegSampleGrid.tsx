import { useEffect, useRef, type RefObject } from 'react';
import type { DatasetSamples, RgbColour } from '../../../protocol/datasets';

/** Colour of ignored pixels (label 255) in a drawn label map. */
const IGNORE_COLOUR: RgbColour = [0, 0, 0];
const CANVAS_STYLE = {
  flex: '1 1 0',
  minWidth: 0,
  maxWidth: 256,
  height: 'auto',
  imageRendering: 'pixelated',
  borderRadius: 3,
  border: '1px solid #e5e7eb',
} as const;

/** Draw `pixels` of sample `index` (RGB bytes, or class ids coloured by `palette`) onto a canvas. */
function useDraw(ref: RefObject<HTMLCanvasElement | null>, samples: DatasetSamples, index: number, mode: 'image' | 'labels') {
  const { width, height, images, labelMaps, palette } = samples;
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(width, height);
    const n = width * height;
    for (let p = 0; p < n; p++) {
      let rgb: ArrayLike<number>;
      if (mode === 'image') rgb = images.subarray((index * n + p) * 3, (index * n + p) * 3 + 3);
      else rgb = palette?.[labelMaps?.[index * n + p] ?? 255] ?? IGNORE_COLOUR;
      img.data.set([rgb[0]!, rgb[1]!, rgb[2]!, 255], p * 4);
    }
    ctx.putImageData(img, 0, 0);
  }, [ref, images, labelMaps, palette, index, width, height, mode]);
}

/** The class names present in a sample's label map, in class-id order. */
function classesIn(samples: DatasetSamples, index: number): string[] {
  const n = samples.width * samples.height;
  const seen = new Set(samples.labelMaps?.subarray(index * n, (index + 1) * n));
  return samples.classNames.filter((_, c) => seen.has(c));
}

/** One segmentation sample: the image beside its colour label map. */
function SegSample({ samples, index }: { samples: DatasetSamples; index: number }) {
  const image = useRef<HTMLCanvasElement>(null);
  const labels = useRef<HTMLCanvasElement>(null);
  useDraw(image, samples, index, 'image');
  useDraw(labels, samples, index, 'labels');
  const present = classesIn(samples, index);
  return (
    <figure className="seg-sample" style={{ margin: 0 }}>
      <div style={{ display: 'flex', gap: 6 }}>
        <canvas
          ref={image}
          width={samples.width}
          height={samples.height}
          style={CANVAS_STYLE}
          data-testid="data.sample.image"
          aria-label={`sample ${index + 1}: image`}
        />
        <canvas
          ref={labels}
          width={samples.width}
          height={samples.height}
          style={CANVAS_STYLE}
          data-testid="data.sample.labelMap"
          aria-label={`sample ${index + 1}: label map`}
        />
      </div>
      <figcaption data-testid="data.sample.caption" style={{ fontSize: 11, color: '#374151' }}>
        {`${samples.split} ${index + 1}: ${present.join(', ') || 'only ignored pixels'}`}
      </figcaption>
    </figure>
  );
}

/** The colour of each class in the label maps, plus the colour of ignored pixels. */
function Legend({ classNames, palette }: { classNames: string[]; palette: RgbColour[] }) {
  const entries: [string, RgbColour][] = [...classNames.map((name, c): [string, RgbColour] => [name, palette[c] ?? IGNORE_COLOUR]), ['ignore', IGNORE_COLOUR]];
  return (
    <ul
      data-testid="data.legend"
      aria-label="Class colours"
      style={{ listStyle: 'none', padding: 0, display: 'flex', flexWrap: 'wrap', gap: '4px 12px', fontSize: 12 }}
    >
      {entries.map(([name, [r, g, b]], i) => (
        <li key={i} data-testid="data.legend.item" style={{ display: 'flex', alignItems: 'center', gap: 4 }}>
          <span aria-hidden style={{ width: 12, height: 12, borderRadius: 2, border: '1px solid #cbd5e1', background: `rgb(${r}, ${g}, ${b})` }} />
          {name}
        </li>
      ))}
    </ul>
  );
}

/** Segmentation samples: each image beside its label map coloured by the dataset's palette, with a legend. */
export function SegSampleGrid({ samples, title }: { samples: DatasetSamples; title: string }) {
  return (
    <section className="samples" data-testid="data.samples">
      <h3>
        {title}: {samples.count} {samples.split} images with their label maps
      </h3>
      <Legend classNames={samples.classNames} palette={samples.palette ?? []} />
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(360px, 1fr))', gap: 12 }}>
        {Array.from({ length: samples.count }, (_, i) => (
          <SegSample key={i} samples={samples} index={i} />
        ))}
      </div>
    </section>
  );
}
