import { isClassification } from '../../protocol/datasets';
import { useWorkbench } from '../../store';

/** The classification dataset a run trains on (built-in or imported; segmentation and detection sets are left out), plus the augmentation switch. */
export function DatasetSelect({
  value,
  augment,
  disabled,
  onChange,
}: {
  value: string;
  augment: boolean;
  disabled: boolean;
  onChange(change: { dataset?: string; augment?: boolean }): void;
}) {
  const all = useWorkbench((s) => s.datasets);
  const loaded = useWorkbench((s) => s.datasetsLoaded);
  const datasets = all.filter(isClassification);
  const known = datasets.some((d) => d.id === value);
  const current = datasets.find((d) => d.id === value);
  const other = all.find((d) => d.id === value && !isClassification(d));
  return (
    <>
      <div className="field">
        <label htmlFor="f-dataset">Dataset</label>
        <select id="f-dataset" data-testid="hp.dataset" value={value} disabled={disabled} onChange={(e) => onChange({ dataset: e.target.value })}>
          {!loaded && value === 'shapes' && <option value="shapes">Shapes &amp; textures (built-in)</option>}
          {datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.kind === 'builtin'
                ? 'Shapes & textures (built-in, 10 classes)'
                : `${d.name} (${d.classNames.length} classes, ${d.trainCount.toLocaleString('en-US')} train)`}
            </option>
          ))}
          {loaded && !known && (
            <option value={value}>
              {other ? `${other.name} (${other.task === 'detect' ? 'person detection' : 'segmentation'})` : `${value} (not in this browser)`}
            </option>
          )}
        </select>
        {loaded && !known && (
          <p className="field-error">
            {other
              ? `${other.name} is a ${other.task === 'detect' ? 'person-detection dataset (boxes)' : 'segmentation dataset (a class per pixel)'}: this lab trains classifiers, so choose a classification dataset.`
              : 'This dataset is not stored in this browser: import it on the Data tab or choose another.'}
          </p>
        )}
        {current && current.kind !== 'builtin' && (
          <p className="field-hint">Imported sets train on all their images; the image counts below apply to the built-in set.</p>
        )}
      </div>
      <div className="field">
        <label className="check">
          <input type="checkbox" data-testid="hp.augment" checked={augment} disabled={disabled} onChange={(e) => onChange({ augment: e.target.checked })} />
          Augment: random crop (padding 4) and horizontal flip
        </label>
      </div>
    </>
  );
}
