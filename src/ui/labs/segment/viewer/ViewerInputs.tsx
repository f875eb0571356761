import type { ChangeEvent } from 'react';
import { SAMPLE_COUNT, type Sources } from './useSources';

interface Props {
  sources: Sources;
  /** The legend colours label PNGs are read with (null until a model or sample tells them). */
  palette: readonly (readonly number[])[] | null;
  /** The dataset of the class set shown: an imported set's label PNGs are read in its label format. */
  dataset: string | null;
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
export function ViewerInputs({ sources, palette, dataset, opacity, onOpacity }: Props) {
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
            if (file) void sources.setLabels(file, palette, dataset);
          }}
        />
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
