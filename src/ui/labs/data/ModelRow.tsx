import { useEffect, useRef, useState } from 'react';
import type { ModelInfo } from '../../../protocol/models';
import { startedAt } from '../../components/RunsTable';
import { formatBytes, formatCount } from '../../format';
import { architectureLabel, metricText, modelActions, provenanceText } from './modelDisplay';
import './models.css';

const LAB_TITLE: Record<ModelInfo['lab'], string> = { train: 'Train', prune: 'Prune', segment: 'Segment', affinity: 'Affinity', detect: 'Detect' };

export interface ModelRowProps {
  m: ModelInfo;
  /** The dataset as the Data tab names it (the model's own record may carry the engine's short name). */
  datasetName: string;
  /** What the library is doing to this model now ('onnx', 'files', 'delete'), shown on its button. */
  busy: string | null;
  /** The library is busy with a model (this one or another): its download, export and delete buttons wait. */
  locked: boolean;
  /** Resolves to a refusal sentence, or null once renamed. */
  onRename(id: string, name: string): Promise<string | null>;
  onFiles(id: string): void;
  onOnnx(id: string): void;
  onDelete(id: string): void;
  /** "Use in the zoo" (Segment) or "Use as teacher" (Affinity teacher). */
  onUse(m: ModelInfo): void;
  /** "Open in viewer" (Segment). */
  onView(m: ModelInfo): void;
  /** "Open in Prune" (classifiers): evaluate it in the Prune lab's "Load a model" panel. */
  onPrune(m: ModelInfo): void;
  /** A run table's link brought the user here: the row is highlighted and scrolled into view. */
  focused: boolean;
}

/**
 * One kept model: its name (renamed in place: Enter saves, Escape cancels, a refusal stays as a sentence under the
 * field), lab, architecture, size, metric, dataset and date; downloads, ONNX export and delete with a confirm step.
 */
export function ModelRow({ m, datasetName, busy, locked, onRename, onFiles, onOnnx, onDelete, onUse, onView, onPrune, focused }: ModelRowProps) {
  const actions = modelActions(m);
  const row = useRef<HTMLTableRowElement>(null);
  useEffect(() => {
    if (!focused) return;
    row.current?.scrollIntoView?.({ block: 'center' });
    row.current?.focus({ preventScroll: true });
  }, [focused]);
  const [draft, setDraft] = useState<string | null>(null);
  const [renameError, setRenameError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const metric = metricText(m);
  const disabled = locked || busy !== null;

  const cancel = () => {
    setDraft(null);
    setRenameError(null);
  };
  const save = async () => {
    if (draft === null || saving) return;
    if (draft.trim() === m.name) return cancel();
    setSaving(true);
    const refusal = await onRename(m.id, draft);
    setSaving(false);
    if (refusal) setRenameError(refusal);
    else cancel();
  };

  return (
    <tr
      ref={row}
      data-testid="models.item"
      data-id={m.id}
      data-focused={focused ? 'true' : undefined}
      data-shipped={m.shipped ? 'true' : undefined}
      className={focused ? 'model-row-focused' : undefined}
      tabIndex={focused ? -1 : undefined}
    >
      <td className="model-name" title={provenanceText(m)}>
        {draft === null ? (
          <>
            <span data-testid="models.item.name">{m.name}</span>
            {m.shipped ? (
              <span
                className="model-shipped"
                data-testid="models.item.shipped"
                title="Shipped with the workbench (public/models/): it cannot be renamed or deleted"
              >
                shipped
              </span>
            ) : (
              <button type="button" className="link-button" data-testid="models.item.rename" onClick={() => setDraft(m.name)} aria-label={`Rename ${m.name}`}>
                Rename
              </button>
            )}
          </>
        ) : (
          <div className="model-rename">
            <input
              type="text"
              data-testid="models.item.name.input"
              aria-label={`New name of ${m.name} (Enter saves, Escape cancels)`}
              value={draft}
              maxLength={120}
              disabled={saving}
              autoFocus
              onChange={(e) => {
                setDraft(e.target.value);
                setRenameError(null);
              }}
              onKeyDown={(e) => {
                if (e.key === 'Enter') void save();
                else if (e.key === 'Escape') cancel();
              }}
            />
            <button type="button" data-testid="models.item.rename.save" disabled={saving} onClick={() => void save()}>
              Save
            </button>
            <button type="button" data-testid="models.item.rename.cancel" disabled={saving} onClick={cancel}>
              Cancel
            </button>
            {renameError && (
              <p className="model-row-error" role="alert" data-testid="models.item.rename.error">
                {renameError}
              </p>
            )}
          </div>
        )}
      </td>
      <td data-testid="models.item.lab">{LAB_TITLE[m.lab]}</td>
      <td data-testid="models.item.arch" title={m.family}>
        {architectureLabel(m)}
        <span className="sub">
          {m.inputSize.height}×{m.inputSize.width} input
        </span>
      </td>
      <td className="num" data-testid="models.item.params">
        {formatCount(m.params)}
      </td>
      <td className="num" data-testid="models.item.macs">
        {m.macs === null ? '—' : formatCount(m.macs)}
      </td>
      <td className="num">
        <span data-testid="models.item.metric" title={metric.value === '—' ? `The ${metric.name} was never measured.` : undefined}>
          {metric.value}
        </span>
        <span className="sub">{metric.name}</span>
      </td>
      <td className="model-dataset" data-testid="models.item.dataset" title={`${m.datasetName} (id ${m.dataset}), ${m.classNames.length} classes`}>
        {datasetName}
      </td>
      <td data-testid="models.item.date" title={m.shipped ? 'Shipped with the workbench (public/models/)' : new Date(m.createdAt).toISOString()}>
        {m.shipped ? 'shipped' : startedAt(m.createdAt)}
        <span className="sub">{formatBytes(m.bytes)}</span>
      </td>
      <td className="row-actions">
        {confirming ? (
          <>
            <span className="model-confirm">Delete?</span>
            <button
              type="button"
              className="danger"
              data-testid="models.item.delete.confirm"
              disabled={disabled}
              onClick={() => onDelete(m.id)}
              aria-label={`Yes, delete ${m.name}`}
            >
              Yes, delete
            </button>
            <button type="button" data-testid="models.item.delete.cancel" onClick={() => setConfirming(false)} aria-label={`Keep ${m.name}`}>
              Keep
            </button>
          </>
        ) : (
          <>
            {actions.use && (
              <button
                type="button"
                data-testid="models.item.use"
                disabled={disabled}
                onClick={() => onUse(m)}
                title={
                  actions.use === 'zoo'
                    ? "Put it into its slot of the Segment lab's model zoo (at its input size); a run that distils from that slot reads it"
                    : "Make it the Affinity lab's teacher: student runs distil from it"
                }
                aria-label={actions.use === 'zoo' ? `Use ${m.name} in the Segment zoo` : `Use ${m.name} as the Affinity teacher`}
              >
                {busy === 'use' ? 'Loading…' : actions.use === 'zoo' ? 'Use in the zoo' : 'Use as teacher'}
              </button>
            )}
            {actions.view && (
              <button
                type="button"
                data-testid="models.item.view"
                disabled={disabled}
                onClick={() => onView(m)}
                title="Put it into its zoo slot and open the Segment lab's viewer at its input size"
                aria-label={`Open ${m.name} in the Segment viewer`}
              >
                {busy === 'view' ? 'Loading…' : 'Open in viewer'}
              </button>
            )}
            {actions.prune && (
              <button
                type="button"
                data-testid="models.item.prune"
                disabled={disabled}
                onClick={() => onPrune(m)}
                title="Open the Prune lab and evaluate it on the dataset selected there (Load a model)"
                aria-label={`Open ${m.name} in the Prune lab`}
              >
                Open in Prune
              </button>
            )}
            <button
              type="button"
              data-testid="models.item.files"
              disabled={disabled}
              onClick={() => onFiles(m.id)}
              title="The workbench's files: the .json (architecture and metadata) and the .bin (weights); import them back here."
              aria-label={`Download ${m.name} as .json and .bin`}
            >
              {busy === 'files' ? 'Reading…' : '.json + .bin'}
            </button>
            <button
              type="button"
              data-testid="models.item.onnx"
              disabled={disabled}
              onClick={() => onOnnx(m.id)}
              title="One .onnx file (opset 13, NCHW input, logits output) for ONNX Runtime and other tools."
              aria-label={`Export ${m.name} to ONNX`}
            >
              {busy === 'onnx' ? 'Exporting…' : 'ONNX'}
            </button>
            {!m.shipped && (
              <button type="button" data-testid="models.item.delete" disabled={disabled} onClick={() => setConfirming(true)} aria-label={`Delete ${m.name}`}>
                Delete
              </button>
            )}
          </>
        )}
      </td>
    </tr>
  );
}
