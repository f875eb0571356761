import type { DatasetInfo } from '../../../protocol/datasets';
import { formatBytes } from '../../format';

const KIND_LABEL: Record<DatasetInfo['kind'], string> = {
  builtin: 'built-in',
  cifar10: 'CIFAR-10',
  cifar100: 'CIFAR-100',
  folder: 'image folder',
  segmentation: 'segmentation pairs',
  detection: 'person boxes',
};

export interface DatasetListProps {
  datasets: DatasetInfo[];
  selectedId: string | null;
  trainingId: string;
  busyId: string | null;
  onShow(id: string): void;
  onUse(id: string): void;
  onDelete(id: string): void;
}

/** The classification datasets' table: one row per dataset with its classes, counts, size and actions. */
export function DatasetList({ datasets, selectedId, trainingId, busyId, onShow, onUse, onDelete }: DatasetListProps) {
  return (
    <table className="datasets" data-testid="data.list">
      <thead>
        <tr>
          <th>Name</th>
          <th>Kind</th>
          <th>Classes</th>
          <th>Train</th>
          <th>Test</th>
          <th>Size</th>
          <th>Source</th>
          <th aria-label="Actions" />
        </tr>
      </thead>
      <tbody>
        {datasets.map((d) => {
          const builtin = d.kind === 'builtin';
          return (
            <tr key={d.id} data-testid="data.item" data-id={d.id} className={d.id === selectedId ? 'selected' : undefined}>
              <td data-testid="data.item.name">
                {d.name}
                {d.id === trainingId && <span className="tag">used for training</span>}
              </td>
              <td>
                {KIND_LABEL[d.kind]}
                {d.labelMode ? ` (${d.labelMode})` : ''}
              </td>
              <td data-testid="data.item.classes" title={d.classNames.join(', ')}>
                {d.classNames.length}
              </td>
              <td data-testid="data.item.train">{builtin ? 'per run' : d.trainCount.toLocaleString('en-US')}</td>
              <td data-testid="data.item.test">{builtin ? 'per run' : d.testCount.toLocaleString('en-US')}</td>
              <td>{builtin ? '—' : formatBytes(d.bytes)}</td>
              <td className="source" title={d.source}>
                {d.source}
              </td>
              <td className="row-actions">
                <button type="button" data-testid="data.item.show" onClick={() => onShow(d.id)} aria-pressed={d.id === selectedId}>
                  Samples
                </button>
                <button type="button" data-testid="data.item.use" disabled={d.id === trainingId} onClick={() => onUse(d.id)}>
                  Train on it
                </button>
                {!builtin && (
                  <button
                    type="button"
                    data-testid="data.item.delete"
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
