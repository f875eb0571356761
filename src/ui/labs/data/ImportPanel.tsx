import { useRef, useState, type ChangeEvent } from 'react';
import { getEngine } from '../../../client';
import { importFingerprint, type DatasetInfo, type ImportFile, type ImportRequest } from '../../../protocol/datasets';
import { savedSomething } from '../../storage';
import { useWorkbench } from '../../../store';
import { ProgressBar } from '../../components/ProgressBar';
import { formatDuration } from '../../format';
import { detectRequestFor, filesFromDrop, filesFromInput, labelFor, looksLikeDetection, requestFor, segRequestFor } from './collectFiles';
import { SegFormatSelect, type SegFormatChoice } from './SegFormatSelect';

type ImportKind = 'classify' | 'segmentation' | 'detection';
const IMPORT_KINDS: readonly string[] = ['classify', 'segmentation', 'detection'];

/** Drop zone and pickers for CIFAR archives/files, image folders, segmentation pairs and person-box folders, with the import's progress and errors. */
export function ImportPanel() {
  const importing = useWorkbench((s) => s.importing);
  const error = useWorkbench((s) => s.importError);
  const ready = useWorkbench((s) => s.engineStatus === 'ready');
  const [kind, setKind] = useState<ImportKind>('classify');
  const [labelMode, setLabelMode] = useState<'fine' | 'coarse'>('fine');
  const [segFormat, setSegFormat] = useState<SegFormatChoice>('auto');
  const [over, setOver] = useState(false);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const segInput = useRef<HTMLInputElement>(null);
  const detectInput = useRef<HTMLInputElement>(null);
  const busy = importing !== null || !ready;

  const datasets = useWorkbench((s) => s.datasets);
  /** An import of files already imported the same way, waiting for the user's word. */
  const [duplicate, setDuplicate] = useState<{ request: ImportRequest; label: string; of: DatasetInfo } | null>(null);
  const run = (request: ImportRequest, label: string) => {
    setDuplicate(null);
    void getEngine()
      .importDataset(request, label)
      .then((r) => {
        if (r.ok) void savedSomething(); // the first saved dataset asks for persistent storage
      });
  };
  const start = (files: ImportFile[], request: (files: ImportFile[]) => ImportRequest) => {
    if (files.length === 0 || busy) return;
    const base = request(files);
    const req = { ...base, fingerprint: importFingerprint(base) };
    const of = datasets.find((d) => d.fingerprint === req.fingerprint);
    if (of) setDuplicate({ request: req, label: labelFor(files), of });
    else run(req, labelFor(files));
  };
  /** A COCO / VOC person folder dropped or picked as classification is imported as what it is. */
  const classify = (files: ImportFile[]) => (looksLikeDetection(files) ? detectRequestFor(files) : requestFor(files, labelMode));
  const segment = (files: ImportFile[]) => segRequestFor(files, segFormat);
  const requestOf = { classify, segmentation: segment, detection: detectRequestFor };
  const fromInput = (request: (files: ImportFile[]) => ImportRequest) => (e: ChangeEvent<HTMLInputElement>) => {
    start(filesFromInput(e.target.files), request);
    e.target.value = '';
  };

  const p = importing?.progress;
  const fraction = p?.fraction ?? 0;
  return (
    <section className="import">
      <h2>Import a dataset</h2>
      <div className="field">
        <label htmlFor="data-import-format">What to import</label>
        <select
          id="data-import-format"
          data-testid="data.import.format"
          value={kind}
          onChange={(e) => setKind(IMPORT_KINDS.includes(e.target.value) ? (e.target.value as ImportKind) : 'classify')}
        >
          <option value="classify">Classification: CIFAR-10/100 files or class-named image folders</option>
          <option value="segmentation">Segmentation pairs (images + label PNGs)</option>
          <option value="detection">Person boxes: a COCO or Pascal VOC folder (Detect lab)</option>
        </select>
      </div>
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
          const request = requestOf[kind];
          void filesFromDrop(e.dataTransfer).then((files) => start(files, request));
        }}
      >
        {kind === 'classify' ? (
          <>
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
          </>
        ) : kind === 'segmentation' ? (
          <>
            <p>
              Drop a folder of images with their label PNGs here (CamVid, Cityscapes or Pascal VOC layouts: <code>images/X.png</code> ↔{' '}
              <code>labels/X.png</code>, <code>X.png</code> ↔ <code>X_L.png</code>, <code>train/</code> and <code>val/</code> or <code>test/</code> folders).
              They are stored at 256×128 (width × height).
            </p>
            <div className="controls">
              <button type="button" disabled={busy} onClick={() => segInput.current?.click()}>
                Choose segmentation folder…
              </button>
              <SegFormatSelect value={segFormat} onChange={setSegFormat} />
            </div>
          </>
        ) : (
          <>
            <p data-testid="data.import.detectHelp">
              Drop a COCO folder (<code>instances_*.json</code> + its images) or a Pascal VOC folder (<code>Annotations/*.xml</code> + <code>JPEGImages/</code>)
              here; which one is told from the files. People are COCO category 1 (“person”); <code>iscrowd</code> and <code>difficult</code> boxes are kept as
              ignore regions, images without people as negatives, other classes dropped. Every image is stretched (not cropped or letterboxed) to 256×128 (width
              × height), so its boxes still fit; every 5th image (or those in VOC&apos;s <code>ImageSets/Main/val.txt</code>) is held out for testing.
            </p>
            <div className="controls">
              <button type="button" disabled={busy} onClick={() => detectInput.current?.click()}>
                Choose COCO / VOC folder…
              </button>
            </div>
          </>
        )}
        <input
          ref={filesInput}
          type="file"
          multiple
          hidden
          accept=".gz,.tgz,.tar,.bin,.txt"
          aria-label="CIFAR archive or files"
          data-testid="data.import"
          onChange={fromInput(classify)}
        />
        <input
          ref={folderInput}
          type="file"
          hidden
          aria-label="Image folder"
          data-testid="data.importFolder"
          {...{ webkitdirectory: '', directory: '' }}
          onChange={fromInput(classify)}
        />
        <input
          ref={segInput}
          type="file"
          hidden
          aria-label="Segmentation folder"
          data-testid="data.import.segFolder"
          {...{ webkitdirectory: '', directory: '' }}
          onChange={fromInput(segment)}
        />
        <input
          ref={detectInput}
          type="file"
          hidden
          aria-label="COCO or Pascal VOC folder"
          data-testid="data.import.detectFolder"
          {...{ webkitdirectory: '', directory: '' }}
          onChange={fromInput(detectRequestFor)}
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
      {duplicate && (
        <div className="notice notice-warning" role="alert" data-testid="data.duplicate">
          <p>
            {duplicate.label} was already imported the same way as “{duplicate.of.name}” ({new Date(duplicate.of.createdAt).toLocaleString()}). Import it again
            as a second copy?
          </p>
          <div className="controls">
            <button type="button" data-testid="data.duplicate.skip" onClick={() => setDuplicate(null)}>
              Skip (keep the one stored)
            </button>
            <button type="button" data-testid="data.duplicate.again" disabled={busy} onClick={() => run(duplicate.request, duplicate.label)}>
              Import again
            </button>
          </div>
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
