import type { ChangeEvent } from 'react';
import { SEG_LABEL_FORMATS, SEG_LABEL_FORMAT_NAMES, type ViewerLabelFormat } from '../../../../protocol';
import { FORMAT_HINTS } from '../../data/SegFormatSelect';
import { SAMPLE_COUNT, type LabelTarget, type Sources } from './useSources';

interface Props {
  sources: Sources;
  /** The models label PNGs are read against: their legend (null until a model or sample tells it) and imported dataset. */
  target: LabelTarget;
  opacity: number;
  onOpacity(value: number): void;
}

/** Take the files of a file input and clear it, so that choosing the same file again fires again. */
function takeFiles(e: ChangeEvent<HTMLInputElement>): File[] {
  const files = Array.from(e.target.files ?? []);
  e.target.value = '';
  return files;
}

/** The viewer's controls: image upload, built-in street scenes, the selected image's label PNG, overlay opacity. */
const FORMAT_CHOICES: readonly ViewerLabelFormat[] = ['auto', ...SEG_LABEL_FORMATS, 'own'];

/** The text of each label-format choice. */
function formatText(f: ViewerLabelFormat, dataset: string | null): string {
  if (f === 'auto') return dataset ? "auto (the imported set's own format)" : 'auto-detect (as the importer does)';
  if (f === 'own') return "the models' class ids / legend colours";
  return `${SEG_LABEL_FORMAT_NAMES[f]} (${FORMAT_HINTS[f]})`;
}

export function ViewerInputs({ sources, target, opacity, onOpacity }: Props) {
  const { selected } = sources;
  return (
    <div className="seg-viewer-inputs">
      <label className="seg-viewer-control">
        <span>Images (PNG or JPEG)</span>
        <input
          type="file"
          accept="image/png,image/jpeg"
          multiple
          data-testid="seg.viewer.upload"
          aria-label="Upload images to segment"
          onChange={(e) => void sources.addFiles(takeFiles(e))}
        />
      </label>
      <label className="seg-viewer-control">
        <span>Built-in street scene</span>
        <select
          data-testid="seg.viewer.sample"
          aria-label="Built-in street scene (with labels)"
          value=""
          onChange={(e) => {
            if (e.target.value !== '') void sources.addSample(Number(e.target.value));
          }}
        >
          <option value="">choose a test scene…</option>
          {Array.from({ length: SAMPLE_COUNT }, (_, i) => (
            <option key={i} value={i}>
              street scene {i + 1}
            </option>
          ))}
        </select>
      </label>
      <label className="seg-viewer-control">
        <span>Label PNG for {selected ? selected.name : 'the selected image'} (optional)</span>
        <input
          type="file"
          accept="image/png"
          data-testid="seg.viewer.labelUpload"
          aria-label="Label PNG for the selected image"
          disabled={!selected}
          onChange={(e) => {
            const [file] = takeFiles(e);
            if (file) void sources.setLabels(file, target);
          }}
        />
      </label>
      <label className="seg-viewer-control">
        <span>Label format</span>
        <select
          data-testid="seg.viewer.labelFormat"
          aria-label="Label PNG format"
          value={sources.labelFormat}
          onChange={(e) => void sources.setLabelFormat(e.target.value as ViewerLabelFormat, target)}
        >
          {FORMAT_CHOICES.map((f) => (
            <option key={f} value={f}>
              {formatText(f, target.dataset)}
            </option>
          ))}
        </select>
      </label>
      <label className="seg-viewer-control seg-viewer-opacity">
        <span>Overlay opacity {opacity}%</span>
        <input
          type="range"
          min={0}
          max={100}
          step={1}
          value={opacity}
          data-testid="seg.viewer.opacity"
          aria-label="Overlay opacity (percent)"
          onChange={(e) => onOpacity(Number(e.target.value))}
        />
      </label>
    </div>
  );
}
