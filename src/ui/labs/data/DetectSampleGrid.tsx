import { useEffect, useRef } from 'react';
import type { DatasetSamples, SampleBox } from '../../../protocol/datasets';

const PERSON_COLOUR = '#22c55e';
const IGNORE_COLOUR = '#f59e0b';

/** One detection sample: the image on a canvas with its person boxes drawn over it in SVG (ignore boxes dashed). */
function DetectSample({ samples, index }: { samples: DatasetSamples; index: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { width, height, images } = samples;
  const boxes: SampleBox[] = samples.boxes?.[index] ?? [];
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(width, height);
    const n = width * height;
    const base = index * n * 3;
    for (let p = 0; p < n; p++) img.data.set([images[base + p * 3]!, images[base + p * 3 + 1]!, images[base + p * 3 + 2]!, 255], p * 4);
    ctx.putImageData(img, 0, 0);
  }, [images, index, width, height]);
  const people = boxes.filter((b) => !b.ignore).length;
  const ignored = boxes.length - people;
  return (
    <figure className="detect-sample" data-testid="data.sample" style={{ margin: 0 }}>
      <div style={{ position: 'relative', lineHeight: 0 }}>
        <canvas
          ref={canvas}
          width={width}
          height={height}
          data-testid="data.sample.image"
          aria-label={`sample ${index + 1}: image`}
          style={{ width: '100%', height: 'auto', borderRadius: 3, border: '1px solid #e5e7eb' }}
        />
        <svg
          viewBox={`0 0 ${width} ${height}`}
          preserveAspectRatio="none"
          data-testid="data.sample.overlay"
          aria-label={`sample ${index + 1}: ${people} person boxes, ${ignored} ignore boxes`}
          style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', pointerEvents: 'none' }}
        >
          {boxes.map((b, k) => (
            <rect
              key={k}
              data-testid="data.sample.box"
              data-ignore={b.ignore ? 'true' : 'false'}
              x={(b.cx - b.w / 2) * width}
              y={(b.cy - b.h / 2) * height}
              width={b.w * width}
              height={b.h * height}
              fill="none"
              stroke={b.ignore ? IGNORE_COLOUR : PERSON_COLOUR}
              strokeWidth={1.5}
              strokeDasharray={b.ignore ? '4 3' : undefined}
              vectorEffect="non-scaling-stroke"
            />
          ))}
        </svg>
      </div>
      <figcaption style={{ fontSize: 11, color: '#374151', lineHeight: 1.4 }}>
        {`${samples.split} ${index + 1}: `}
        <span data-testid="data.sample.boxes">{boxes.length}</span>
        {` box${boxes.length === 1 ? '' : 'es'}`}
        {boxes.length === 0 ? ' (negative)' : ignored > 0 ? ` (${ignored} ignore)` : ''}
      </figcaption>
    </figure>
  );
}

/** Detection samples: each image with its person boxes (solid green) and ignore regions (dashed amber). */
export function DetectSampleGrid({ samples, title }: { samples: DatasetSamples; title: string }) {
  return (
    <section className="samples" data-testid="data.samples">
      <h3>
        {title}: {samples.count} {samples.split} images with their person boxes
      </h3>
      <p className="muted" style={{ fontSize: 12 }}>
        <span style={{ color: PERSON_COLOUR }}>▭ person</span> · <span style={{ color: IGNORE_COLOUR }}>┄ ignore region (COCO iscrowd / VOC difficult)</span> ·
        images as stored: stretched to {samples.width}×{samples.height} (width × height)
      </p>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(256px, 1fr))', gap: 12 }}>
        {Array.from({ length: samples.count }, (_, i) => (
          <DetectSample key={i} samples={samples} index={i} />
        ))}
      </div>
    </section>
  );
}
