import { DETECT_FORMAT_NAMES, type DatasetInfo, type DetectAnnotationFormat } from '../../../protocol/datasets';
import { formatBytes } from '../../format';

export interface DetectDatasetListProps {
  datasets: DatasetInfo[];
  selectedId: string | null;
  busyId: string | null;
  onShow(id: string): void;
  onDelete(id: string): void;
  /** Select the set for the Detect lab's next run and open the lab. */
  onTrain(id: string): void;
}

const count = (n: number | undefined) => (n ?? 0).toLocaleString('en-US');

/** The annotation format's display name ("COCO instances JSON"), or the stored id as it is. */
function formatName(id: string | undefined): string {
  if (!id) return '—';
  return id in DETECT_FORMAT_NAMES ? DETECT_FORMAT_NAMES[id as DetectAnnotationFormat] : id;
}

/** The imported person-detection datasets' table: counts (images, people, ignore boxes, negatives), split, format, storage and actions. */
export function DetectDatasetList({ datasets, selectedId, busyId, onShow, onDelete, onTrain }: DetectDatasetListProps) {
  if (datasets.length === 0) return <p className="muted">No person-detection datasets yet (the Detect lab's built-in person scenes are generated per run).</p>;
  return (
    <table className="datasets" data-testid="data.detectList">
      <thead>
        <tr>
          <th>Name</th>
          <th>Images</th>
          <th>People</th>
          <th title="COCO iscrowd / VOC difficult boxes: neither rewarded nor penalised by AP">Ignore boxes</th>
          <th title="Images without any person">Negatives</th>
          <th>Train</th>
          <th>Test</th>
          <th>Format</th>
          <th>Storage</th>
          <th aria-label="Actions" />
        </tr>
      </thead>
      <tbody>
        {datasets.map((d) => {
          const c = d.detectCounts;
          return (
            <tr key={d.id} data-testid="data.detectItem" data-id={d.id} className={d.id === selectedId ? 'selected' : undefined}>
              <td data-testid="data.detectItem.name" title={d.source}>
                {d.name}
              </td>
              <td data-testid="data.detectItem.images" title={c?.skipped ? `${count(c.skipped)} image files left out (not in the annotations)` : undefined}>
                {count(c?.images ?? d.trainCount + d.testCount)}
              </td>
              <td data-testid="data.detectItem.people">{count(c?.people)}</td>
              <td data-testid="data.detectItem.ignore">{count(c?.ignore)}</td>
              <td data-testid="data.detectItem.negatives">{count(c?.negatives)}</td>
              <td data-testid="data.detectItem.train">{count(d.trainCount)}</td>
              <td data-testid="data.detectItem.test">{count(d.testCount)}</td>
              <td data-testid="data.detectItem.format">{formatName(d.detectFormat)}</td>
              <td>{formatBytes(d.bytes)}</td>
              <td className="row-actions">
                <button type="button" data-testid="data.detectItem.show" onClick={() => onShow(d.id)} aria-pressed={d.id === selectedId}>
                  Samples
                </button>
                <button type="button" data-testid="data.detectItem.trainOn" onClick={() => onTrain(d.id)} aria-label={`Train on ${d.name} in the Detect lab`}>
                  Train on it
                </button>
                <button
                  type="button"
                  data-testid="data.detectItem.delete"
                  disabled={busyId === d.id}
                  onClick={() => onDelete(d.id)}
                  aria-label={`Delete ${d.name}`}
                >
                  Delete
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
