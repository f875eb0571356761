import { useRef, useState } from 'react';
import { getEngine } from '../../../client';
import type { ImportFile } from '../../../protocol/datasets';
import { useWorkbench } from '../../../store';
import { ProgressBar } from '../../components/ProgressBar';
import { formatDuration } from '../../format';
import { filesFromDrop, filesFromInput, labelFor, requestFor } from './collectFiles';

/** Drop zone and pickers for CIFAR archives/files and image folders, with the import's progress and errors. */
export function ImportPanel() {
  const importing = useWorkbench((s) => s.importing);
  const error = useWorkbench((s) => s.importError);
  const ready = useWorkbench((s) => s.engineStatus === 'ready');
  const [labelMode, setLabelMode] = useState<'fine' | 'coarse'>('fine');
  const [over, setOver] = useState(false);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const busy = importing !== null || !ready;

  const start = (files: ImportFile[]) => {
    if (files.length === 0 || busy) return;
    void getEngine().importDataset(requestFor(files, labelMode), labelFor(files));
  };

  const p = importing?.progress;
  const fraction = p?.fraction ?? 0;
  return (
    <section className="import">
      <h2>Import a dataset</h2>
      <div
        className={`dropzone${over ? ' dropzone-over' : ''}`}
        data-testid="data.dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void filesFromDrop(e.dataTransfer).then(start);
        }}
      >
        <p>
          Drop <code>cifar-10-binary.tar.gz</code> or <code>cifar-100-binary.tar.gz</code> (as downloaded), the extracted <code>.bin</code> files, or a
          folder of class-named subfolders of PNG/JPEG images here.
        </p>
        <div className="controls">
          <button type="button" disabled={busy} onClick={() => filesInput.current?.click()}>
            Choose CIFAR files…
          </button>
          <button type="button" disabled={busy} onClick={() => folderInput.current?.click()}>
            Choose image folder…
          </button>
          <label className="inline-field">
            CIFAR-100 labels{' '}
            <select data-testid="data.labelMode" value={labelMode} onChange={(e) => setLabelMode(e.target.value === 'coarse' ? 'coarse' : 'fine')}>
              <option value="fine">fine (100 classes)</option>
              <option value="coarse">coarse (20 superclasses)</option>
            </select>
          </label>
        </div>
        <input
          ref={filesInput}
          type="file"
          multiple
          hidden
          accept=".gz,.tgz,.tar,.bin,.txt"
          aria-label="CIFAR archive or files"
          data-testid="data.import"
          onChange={(e) => {
            start(filesFromInput(e.target.files));
            e.target.value = '';
          }}
        />
        <input
          ref={folderInput}
          type="file"
          hidden
          aria-label="Image folder"
          data-testid="data.importFolder"
          {...{ webkitdirectory: '', directory: '' }}
          onChange={(e) => {
            start(filesFromInput(e.target.files));
            e.target.value = '';
          }}
        />
      </div>
      {importing && (
        <div className="progress">
          <ProgressBar
            fraction={fraction}
            label="Import progress"
            testId="data.progress"
            statusTestId="data.eta"
            caption={`${p?.phase ?? 'starting'} ${importing.label}`}
            status={`${Math.round(fraction * 100)}% · ${p?.etaSeconds != null ? `ETA ${formatDuration(p.etaSeconds)}` : 'ETA estimating…'}`}
          />
          <button type="button" className="link-button" data-testid="data.cancel" onClick={() => void getEngine().cancelImport()}>
            Cancel import
          </button>
        </div>
      )}
      {error && (
        <p className="notice notice-error" role="alert" data-testid="data.error">
          {error.message}
        </p>
      )}
    </section>
  );
}
