import { useEffect, useRef } from 'react';
import type { DatasetSamples } from '../../../protocol/datasets';

/** One sample image drawn at 3× with nearest-neighbour scaling, captioned with its class name. */
function SampleImage({ samples, index }: { samples: DatasetSamples; index: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { width, height, images } = samples;
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(width, height);
    const base = index * width * height * 3;
    for (let p = 0; p < width * height; p++) {
      img.data[p * 4] = images[base + p * 3]!;
      img.data[p * 4 + 1] = images[base + p * 3 + 1]!;
      img.data[p * 4 + 2] = images[base + p * 3 + 2]!;
      img.data[p * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [images, index, width, height]);
  const label = samples.classNames[samples.labels[index]!] ?? String(samples.labels[index]);
  return (
    <figure className="sample">
      <canvas ref={ref} width={width} height={height} aria-label={`sample ${index + 1}: ${label}`} />
      <figcaption data-testid="data.sample.label">{label}</figcaption>
    </figure>
  );
}

/** A grid of a dataset's sample images with their labels. */
export function SampleGrid({ samples, title }: { samples: DatasetSamples; title: string }) {
  return (
    <section className="samples" data-testid="data.samples">
      <h3>
        {title}: {samples.count} {samples.split} images, class by class
      </h3>
      <div className="sample-grid">
        {Array.from({ length: samples.count }, (_, i) => (
          <SampleImage key={i} samples={samples} index={i} />
        ))}
      </div>
    </section>
  );
}
