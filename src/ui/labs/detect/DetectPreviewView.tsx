import { memo, useState } from 'react';
import type { DetectPreview } from '../../../protocol/labs/detect';
import { DetectImage } from './DetectImage';
import { boxesAbove, drawnBoxes } from './detectView';

const SCALE = 1.25;

function PreviewImage({
  image,
  threshold,
  width,
  height,
  index,
}: {
  image: DetectPreview['images'][number];
  threshold: number;
  width: number;
  height: number;
  index: number;
}) {
  const [hovered, setHovered] = useState<number | null>(null);
  const shown = boxesAbove(image.queries, threshold);
  const att = hovered === null ? null : image.queries.find((q) => q.query === hovered)?.attention;
  // The preview's map is the input's stride-32 grid.
  const attention = att ? { values: att, height: Math.ceil(height / 32), width: Math.ceil(width / 32) } : null;
  return (
    <figure data-testid="detect.preview.image" style={{ width: width * SCALE }}>
      <DetectImage
        rgb={image.rgb}
        width={width}
        height={height}
        scale={SCALE}
        label={`validation image ${index + 1}: ${image.truth.length} people, ${shown.length} boxes above the threshold`}
        boxes={drawnBoxes(image.truth, shown)}
        attention={attention}
        onHover={setHovered}
        hovered={hovered}
      />
      <figcaption>
        {image.truth.filter((b) => !b.ignore).length} people · <span data-testid="detect.preview.boxes">{shown.length}</span> boxes ≥ {threshold}
      </figcaption>
    </figure>
  );
}

/** The live preview: the first validation images at the latest evaluation, truth boxes and predictions above the live score threshold. */
export const DetectPreviewView = memo(function DetectPreviewView({ preview, threshold }: { preview: DetectPreview | undefined; threshold: number }) {
  return (
    <section className="detect-section" aria-label="Live preview" data-testid="detect.preview">
      <div className="detect-head">
        <h3>Live preview</h3>
        {preview && <span className="muted">validation images at step {preview.step}</span>}
        <span className="detect-legend">
          <span>
            <span className="detect-swatch detect-swatch-truth" aria-hidden />
            truth
          </span>
          <span>
            <span className="detect-swatch detect-swatch-pred" aria-hidden />
            predicted, score ≥ the settings’ score threshold (live)
          </span>
        </span>
      </div>
      {!preview ? (
        <p className="muted">The first validation images with their predicted boxes appear at the run’s first evaluation.</p>
      ) : (
        <div className="detect-preview-grid">
          {preview.images.map((image, i) => (
            <PreviewImage key={i} index={i} image={image} threshold={threshold} width={preview.width} height={preview.height} />
          ))}
        </div>
      )}
    </section>
  );
});
