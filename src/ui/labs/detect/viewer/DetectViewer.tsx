/**
 * The Detect lab's side-by-side viewer: an uploaded photo (letterboxed to the detectors' input) or a built-in scene, seen by
 * ground truth (when the image has boxes) | the transformer-encoder detector | the convolutional-encoder detector, with the
 * boxes above the viewer's own score threshold, their count, inference time, and the hovered query's cross-attention.
 */
import { useEffect, useState, type ChangeEvent } from 'react';
import { getEngine } from '../../../../client';
import { DETECT_INPUT, DETECT_SLOTS, type DetectSceneStyle } from '../../../../protocol/labs/detect';
import { useWorkbench } from '../../../../store';
import { zooKey, zooSceneStyles } from '../detectView';
import { ModelPane, TruthPane, PhotoPane } from './DetectPane';
import { useDetectPredictions } from './useDetectPredictions';
import { SCENE_COUNT, useDetectSources } from './useDetectSources';

const ZOO_POLL_MS = 2_000;

/** Take the files of a file input and clear it, so that choosing the same file again fires again. */
function takeFiles(e: ChangeEvent<HTMLInputElement>): File[] {
  const files = Array.from(e.target.files ?? []);
  e.target.value = '';
  return files;
}

/** The zoo from the store; asked of the worker on first use, and again while its shipped detectors are still loading. */
function useZoo() {
  const zoo = useWorkbench((s) => s.labData.detect?.zoo ?? null);
  const setPush = useWorkbench((s) => s.setPush);
  const engineReady = useWorkbench((s) => s.engineStatus === 'ready');
  const [error, setError] = useState<string | null>(null);
  const needed = engineReady && (!zoo || zoo.loading);
  useEffect(() => {
    if (!needed) return;
    let cancelled = false;
    const ask = () =>
      getEngine()
        .call('detect', 'zoo', [])
        .then(
          (value) => {
            if (cancelled) return;
            setError(null);
            setPush({ lab: 'detect', name: 'zoo', value });
          },
          (err: unknown) => !cancelled && setError(`The detector zoo could not be read: ${err instanceof Error ? err.message : String(err)}`),
        );
    // First ask at once; while the zoo says it is loading, ask again (its push also ends the wait).
    const timer = zoo ? setTimeout(() => void ask(), ZOO_POLL_MS) : (void ask(), null);
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [needed, zoo, setPush]);
  return { zoo, error };
}

export function DetectViewer({ defaultThreshold }: { defaultThreshold: number }) {
  const { zoo, error: zooError } = useZoo();
  const [threshold, setThreshold] = useState(defaultThreshold);
  // Each detector at its own suggested threshold (best F1 on validation) until the slider is moved.
  const [ownThresholds, setOwnThresholds] = useState(true);
  const sources = useDetectSources();
  const entries = zoo?.entries ?? [];
  const predictions = useDetectPredictions(sources.selected, zooKey(entries));
  const result = predictions.source === sources.selected ? predictions.result : null;
  const busy = predictions.busy || sources.loading;

  // First visit: show a built-in scene with people at once, so the shipped detectors can be compared without an upload.
  const engineReady = useWorkbench((s) => s.engineStatus === 'ready');
  const empty = sources.sources.length === 0;
  const { addFirstSceneWithPeople } = sources;
  const [autoPicked, setAutoPicked] = useState(false);
  // The scenes of the style the zoo's detectors were trained on (so wait for the zoo; classic when it cannot be read).
  const trainedOn = zooSceneStyles(entries);
  const zooSettled = (zoo !== null && !zoo.loading) || zooError !== null;
  const firstStyle = trainedOn[0] ?? 'classic';
  useEffect(() => {
    if (!engineReady || autoPicked || !empty || !zooSettled) return;
    setAutoPicked(true);
    void addFirstSceneWithPeople(firstStyle);
  }, [engineReady, autoPicked, empty, zooSettled, firstStyle, addFirstSceneWithPeople]);
  const dataNote = (style: DetectSceneStyle) => (trainedOn.includes(style) ? '; the detectors’ training data' : '');

  const selected = sources.selected;
  const { width, height } = DETECT_INPUT;
  return (
    <section className="detect-section detect-viewer" data-testid="detect.viewer" aria-label="Person detection viewer">
      <h3>Find people in a photo</h3>
      <div className="detect-viewer-inputs">
        <label className="detect-control">
          <span>Photos (PNG or JPEG, any size)</span>
          <input
            type="file"
            accept="image/png,image/jpeg"
            multiple
            data-testid="detect.viewer.upload"
            aria-label="Upload photos to find people in"
            onChange={(e) => void sources.addFiles(takeFiles(e))}
          />
        </label>
        <label className="detect-control">
          <span>Built-in scene (with true boxes)</span>
          <select
            data-testid="detect.viewer.scene"
            aria-label="Built-in street scene with people"
            value=""
            onChange={(e) => {
              const [style, index] = e.target.value.split(':') as [DetectSceneStyle, string];
              if (e.target.value !== '') void sources.addScene(Number(index), style);
            }}
          >
            <option value="">choose a scene…</option>
            <optgroup label={`Classic scenes (block people${dataNote('classic')})`}>
              {Array.from({ length: SCENE_COUNT }, (_, i) => (
                <option key={i} value={`classic:${i}`}>
                  scene {i + 1}
                </option>
              ))}
            </optgroup>
            <optgroup label={`Realistic scenes (realistic people${dataNote('realistic')})`}>
              {Array.from({ length: SCENE_COUNT }, (_, i) => (
                <option key={i} value={`realistic:${i}`}>
                  realistic scene {i + 1}
                </option>
              ))}
            </optgroup>
          </select>
        </label>
        <label className="detect-control">
          <span>
            Score threshold <b data-testid="detect.viewer.thresholdValue">{ownThresholds ? 'each its own (below)' : threshold.toFixed(2)}</b>
          </span>
          <input
            type="range"
            min={0.05}
            max={0.99}
            step={0.01}
            value={threshold}
            data-testid="detect.viewer.threshold"
            aria-label="Score threshold of the boxes shown"
            onChange={(e) => {
              setThreshold(Number(e.target.value));
              setOwnThresholds(false);
            }}
          />
        </label>
        <label className="detect-control detect-check">
          <input type="checkbox" checked={ownThresholds} data-testid="detect.viewer.ownThreshold" onChange={(e) => setOwnThresholds(e.target.checked)} />
          <span>Each detector at its own suggested threshold (its best F1 on the validation scenes; moving the slider unticks this)</span>
        </label>
      </div>
      <p className="detect-note">
        Photos are <b>letterboxed</b> to the detectors’ {width}×{height} input (width × height): scaled to fit whole with the aspect kept, the rest padded with
        grey (nothing is cropped). Boxes are drawn in that fitted frame. The threshold only filters what is drawn (no new detection). DETR’s person scores run
        high (the no-object class is weighted 0.1 in training), so a detector’s boxes are best read above its own suggested threshold, not 0.5.
        {busy && (
          <span className="detect-busy" role="status" data-testid="detect.viewer.busy">
            {sources.loading ? ' loading the image…' : ' detecting…'}
          </span>
        )}
      </p>
      {sources.inputError && (
        <p className="detect-error" role="alert" data-testid="detect.viewer.inputError">
          {sources.inputError}
        </p>
      )}
      {[predictions.error, zooError].filter(Boolean).map((e) => (
        <p key={e} className="detect-error" role="alert" data-testid="detect.viewer.error">
          {e}
        </p>
      ))}
      {zoo?.notice && (
        <p className="notice notice-info" data-testid="detect.viewer.notice">
          {zoo.notice}
        </p>
      )}
      {sources.sources.length > 1 && (
        <ul className="detect-sources" aria-label="Images" data-testid="detect.viewer.sources">
          {sources.sources.map((s) => (
            <li key={s.key}>
              <button type="button" aria-pressed={s.key === selected?.key} title={s.name} onClick={() => sources.select(s.key)}>
                {s.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      {selected?.original && (
        <p className="detect-note" data-testid="detect.viewer.fit">
          {selected.name}: {selected.original.width}×{selected.original.height} pixels (width × height), letterboxed to {width}×{height}.
        </p>
      )}
      <div className="detect-panes" aria-busy={busy}>
        {selected?.truth && <TruthPane source={selected} />}
        {selected && !selected.truth && entries.length === 0 && <PhotoPane source={selected} />}
        {DETECT_SLOTS.map((slot) => (
          <ModelPane
            key={slot}
            slot={slot}
            entry={entries.find((e) => e.slot === slot) ?? null}
            zooLoading={!zoo || zoo.loading}
            shippedError={zoo?.shippedError ?? null}
            source={selected}
            prediction={result?.images[0]?.predictions.find((p) => p.slot === slot)}
            map={result?.map ?? null}
            threshold={threshold}
            ownThreshold={ownThresholds}
            busy={predictions.busy}
          />
        ))}
      </div>
    </section>
  );
}
