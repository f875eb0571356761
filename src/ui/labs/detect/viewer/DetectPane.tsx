import { useState, type ReactNode } from 'react';
import { formatWidth } from '../../../../protocol';
import { DETECT_ENCODER_SHORT, DETECT_INPUT, type DetectPanePrediction, type DetectSlot, type DetectZooEntry } from '../../../../protocol/labs/detect';
import { formatCount, formatPercent } from '../../../format';
import { DetectImage } from '../DetectImage';
import { boxesAbove, clipBox, drawnBoxes, formatMs, noBoxNote, paneThreshold, weightRange } from '../detectView';
import type { DetectSource } from './useDetectSources';

/** Displayed size of a pane's image: 1.5 × the 256 × 128 input. */
export const PANE_SCALE = 1.5;
const W = DETECT_INPUT.width;
const H = DETECT_INPUT.height;

export const SLOT_CAPTIONS: Record<DetectSlot, string> = {
  transformer: 'Transformer-encoder detector',
  conv: 'Convolutional-encoder detector',
};
/** What to train to fill an empty slot. */
const TRAIN_HINT: Record<DetectSlot, string> = {
  transformer: 'train one with the Transformer encoder',
  conv: 'train one with the Convolutional (or depthwise-separable) encoder',
};

/** A captioned pane of the side-by-side view; the test id sits on this container. */
function Pane({ testId, caption, source, children }: { testId: string; caption: string; source: DetectSource | null; children: ReactNode }) {
  return (
    <figure className="detect-pane" data-testid={testId} data-source={source?.key}>
      <figcaption>{caption}</figcaption>
      {children}
    </figure>
  );
}

/** The count of boxes drawn in a pane (the text is the number alone). */
function BoxCount({ n }: { n: number }) {
  return (
    <div>
      <dt>boxes</dt>
      <dd data-testid="detect.viewer.boxes">{n}</dd>
    </div>
  );
}

/** The image's own boxes (a built-in scene's); not shown for uploads, which have none. */
export function TruthPane({ source }: { source: DetectSource }) {
  const boxes = drawnBoxes(source.truth, []).filter((b) => clipBox(b.box, W, H) !== null);
  return (
    <Pane testId="detect.viewer.pane.truth" caption="Ground truth" source={source}>
      <p className="detect-pane-info">{source.truth?.filter((b) => b.ignore).length ? 'grey: ignore regions (crowd, difficult, or under 8 px tall)' : ' '}</p>
      <DetectImage rgb={source.rgb} width={W} height={H} scale={PANE_SCALE} label={`${source.name} with its true person boxes`} boxes={boxes} />
      <dl>
        <BoxCount n={boxes.length} />
      </dl>
    </Pane>
  );
}

/** The letterboxed photo alone, for an image without true boxes while no detector is loaded (so an upload is always seen). */
export function PhotoPane({ source }: { source: DetectSource }) {
  return (
    <Pane testId="detect.viewer.pane.photo" caption="Photo (no true boxes)" source={source}>
      <p className="detect-pane-info">as the detectors will see it</p>
      <DetectImage rgb={source.rgb} width={W} height={H} scale={PANE_SCALE} label={`${source.name}, letterboxed`} boxes={[]} />
    </Pane>
  );
}

/** "weights 2.1 %–9.8 % (colours stretched over that range)". */
function attentionSpread(a: Float32Array | undefined): string {
  if (!a) return 'not returned';
  const [lo, hi] = weightRange(a);
  return `weights ${formatPercent(lo)}–${formatPercent(hi)} (colours stretched over that range)`;
}

/** "transformer L2 · d 64 · width 1/2 · 1.23 M params · 45 M MACs · AP@0.5 41.0 % · shipped". */
function entryInfo(e: DetectZooEntry): string {
  const origin = e.origin === 'shipped' ? 'shipped' : `trained here (run ${e.origin})`;
  const ap = e.ap50 === null ? 'AP@0.5 unknown' : `val AP@0.5 ${formatPercent(e.ap50)}`;
  return `${DETECT_ENCODER_SHORT[e.encoder]} L${e.encoderLayers} · d ${e.d} · width ${formatWidth(e.width)} · ${formatCount(e.params)} params · ${formatCount(e.macs)} MACs · ${ap} · ${origin}`;
}

interface ModelPaneProps {
  slot: DetectSlot;
  entry: DetectZooEntry | null;
  zooLoading: boolean;
  shippedError: string | null;
  source: DetectSource | null;
  prediction: DetectPanePrediction | undefined;
  map: { height: number; width: number } | null;
  /** The viewer slider's threshold, used unless `ownThreshold` and the detector has a suggested one. */
  threshold: number;
  ownThreshold: boolean;
  busy: boolean;
}

/** One zoo detector on the image: its boxes above the viewer's threshold, their count, its inference time; hover a box for its attention. */
export function ModelPane({ slot, entry, zooLoading, shippedError, source, prediction, map, threshold: slider, ownThreshold, busy }: ModelPaneProps) {
  const [hovered, setHovered] = useState<number | null>(null);
  const caption = SLOT_CAPTIONS[slot];
  let body: ReactNode;
  if (!entry) {
    body = zooLoading ? (
      <p className="detect-missing" data-testid={`detect.viewer.missing.${slot}`}>
        Loading the shipped detector…
      </p>
    ) : (
      <div className="detect-missing" data-testid={`detect.viewer.missing.${slot}`}>
        <p>
          No {slot === 'transformer' ? 'transformer' : 'convolutional'}-encoder detector yet: {TRAIN_HINT[slot]}.
        </p>
        {shippedError && <p className="detect-missing-why">{shippedError}</p>}
      </div>
    );
  } else if (source && prediction) {
    const threshold = paneThreshold(entry.scoreThreshold, ownThreshold, slider);
    const shown = boxesAbove(prediction.queries, threshold.value);
    const boxes = drawnBoxes(null, shown).filter((b) => clipBox(b.box, W, H) !== null);
    const q = hovered === null ? null : prediction.queries.find((x) => x.query === hovered);
    const attention = q?.attention && map ? { values: q.attention, height: map.height, width: map.width } : null;
    body = (
      <>
        <p className="detect-pane-info" data-testid={`detect.viewer.info.${slot}`}>
          {entryInfo(entry)}
        </p>
        <DetectImage
          rgb={source.rgb}
          width={W}
          height={H}
          scale={PANE_SCALE}
          label={`${caption}: ${boxes.length} people found in ${source.name}`}
          boxes={boxes}
          attention={attention}
          onHover={setHovered}
          hovered={hovered}
        />
        <p className="detect-hover-note" data-testid={`detect.viewer.hover.${slot}`}>
          {q
            ? `query ${q.query} (score ${q.score.toFixed(2)}): cross-attention of the last decoder layer over the ${map?.height ?? '?'}×${map?.width ?? '?'} map (height × width), ${attentionSpread(q.attention)}`
            : boxes.length > 0
              ? 'Hover a box to see where its query looks (cross-attention).'
              : (noBoxNote(prediction.queries, threshold.value, boxes.length) ?? '')}
        </p>
        <dl>
          <BoxCount n={boxes.length} />
          <div>
            <dt>score threshold</dt>
            <dd data-testid={`detect.viewer.threshold.${slot}`}>
              {threshold.value.toFixed(2)}{' '}
              {threshold.fromModel
                ? `(its best F1 on validation, ${formatPercent(entry.f1 ?? 0)})`
                : entry.scoreThreshold !== null
                  ? '(the slider)'
                  : '(the slider; no suggestion known)'}
            </dd>
          </div>
          <div>
            <dt>inference</dt>
            <dd data-testid={`detect.viewer.ms.${slot}`}>{formatMs(prediction.ms)}</dd>
          </div>
          {prediction.ap50 !== null && (
            <div>
              <dt>AP@0.5 on this image</dt>
              <dd data-testid={`detect.viewer.ap50.${slot}`}>{formatPercent(prediction.ap50)}</dd>
            </div>
          )}
        </dl>
      </>
    );
  } else {
    body = (
      <>
        <p className="detect-pane-info">{entryInfo(entry)}</p>
        <p className="detect-missing">{source ? (busy ? 'detecting…' : 'no prediction') : 'Upload a photo or choose a built-in scene.'}</p>
      </>
    );
  }
  return (
    <Pane testId={`detect.viewer.pane.${slot}`} caption={caption} source={prediction ? source : null}>
      {body}
    </Pane>
  );
}
