import { SEG_LABEL_FORMATS, SEG_LABEL_FORMAT_NAMES, type DatasetInfo, type SegLabelFormat } from '../../../protocol/datasets';
import { formatBytes } from '../../format';

export interface SegDatasetListProps {
  datasets: DatasetInfo[];
  selectedId: string | null;
  busyId: string | null;
  onShow(id: string): void;
  onDelete(id: string): void;
  /** Select the set for the Segment lab's next run and open the lab. */
  onTrain(id: string): void;
}

/** The label format's display name ("CamVid 11-class"), or the stored id as it is. */
function formatName(id: string | undefined): string {
  if (!id) return '—';
  return (SEG_LABEL_FORMATS as readonly string[]).includes(id) ? SEG_LABEL_FORMAT_NAMES[id as SegLabelFormat] : id;
}

/** The segmentation datasets' table: kind, classes, counts, image size, label format, storage and actions (they train in the Segment lab). */
export function SegDatasetList({ datasets, selectedId, busyId, onShow, onDelete, onTrain }: SegDatasetListProps) {
  if (datasets.length === 0) return <p className="muted">No segmentation datasets yet.</p>;
  return (
    <table className="datasets" data-testid="data.segList">
      <thead>
        <tr>
          <th>Name</th>
          <th>Kind</th>
          <th>Classes</th>
          <th>Train</th>
          <th>Test</th>
          <th>Image size (w×h)</th>
          <th>Label format</th>
          <th>Storage</th>
          <th aria-label="Actions" />
        </tr>
      </thead>
      <tbody>
        {datasets.map((d) => {
          const builtin = d.kind === 'builtin';
          return (
            <tr key={d.id} data-testid="data.segItem" data-id={d.id} className={d.id === selectedId ? 'selected' : undefined}>
              <td data-testid="data.segItem.name" title={d.source}>
                {d.name}
              </td>
              <td>{builtin ? 'built-in' : 'segmentation pairs'}</td>
              <td data-testid="data.segItem.classes" title={d.classNames.join(', ')}>
                {d.classNames.length}
              </td>
              <td data-testid="data.segItem.train">{builtin ? 'per run' : d.trainCount.toLocaleString('en-US')}</td>
              <td data-testid="data.segItem.test">{builtin ? 'per run' : d.testCount.toLocaleString('en-US')}</td>
              <td data-testid="data.segItem.size" title={builtin ? 'Generated at the Segment run’s input size (low 128×64, high 256×128)' : undefined}>
                {builtin ? 'the run’s size' : `${d.width}×${d.height}`}
              </td>
              <td data-testid="data.segItem.format">{builtin ? 'generated' : formatName(d.segFormat)}</td>
              <td>{builtin ? '—' : formatBytes(d.bytes)}</td>
              <td className="row-actions">
                <button type="button" data-testid="data.segItem.show" onClick={() => onShow(d.id)} aria-pressed={d.id === selectedId}>
                  Samples
                </button>
                <button type="button" data-testid="data.segItem.trainOn" onClick={() => onTrain(d.id)} aria-label={`Train on ${d.name} in the Segment lab`}>
                  Train on it
                </button>
                {!builtin && (
                  <button
                    type="button"
                    data-testid="data.segItem.delete"
                    disabled={busyId === d.id}
                    onClick={() => onDelete(d.id)}
                    aria-label={`Delete ${d.name}`}
                  >
                    Delete
                  </button>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
