import { useMemo, type ReactNode } from 'react';
import type { SegPrediction, SegSizeName, SegSlot } from '../../../../protocol/labs/segment';
import { PixelCanvas } from './canvases';
import type { FittedImage } from './fitImage';
import { formatMs, overlayRgba, percentOrDash, rgbToRgba } from './pixels';

/** Caption of each model slot. */
export const SLOT_CAPTIONS: Record<SegSlot, string> = {
  teacher: 'teacher',
  tutor: 'tutor',
  'student-bilinear': 'student (bilinear)',
  'student-pixelshuffle': 'student (PixelShuffle)',
};

type Palette = readonly (readonly number[])[];

/** A captioned pane of the side-by-side view; the test id sits on this container. */
export function Pane({ testId, caption, children }: { testId: string; caption: string; children: ReactNode }) {
  return (
    <figure className="seg-viewer-pane" data-testid={testId}>
      <figcaption>{caption}</figcaption>
      {children}
    </figure>
  );
}

/** The fitted input image. */
export function InputPane({ image }: { image: FittedImage | null }) {
  const rgba = useMemo(() => (image ? rgbToRgba(image.rgb) : null), [image]);
  return (
    <Pane testId="seg.viewer.pane.input" caption="input">
      {image && rgba ? (
        <PixelCanvas rgba={rgba} width={image.width} height={image.height} label={`input: ${image.source.name}`} />
      ) : (
        <p className="seg-viewer-empty">upload an image or choose a street scene</p>
      )}
    </Pane>
  );
}

/** The image's own labels over it (only when labels were given). */
export function LabelsPane({ image, palette, opacity }: { image: FittedImage; palette: Palette; opacity: number }) {
  const labels = image.labels;
  const rgba = useMemo(() => (labels ? overlayRgba(image.rgb, labels, palette, opacity) : null), [image.rgb, labels, palette, opacity]);
  if (!rgba) return null;
  return (
    <Pane testId="seg.viewer.pane.labels" caption="labels">
      <PixelCanvas rgba={rgba} width={image.width} height={image.height} label={`labels of ${image.source.name}`} />
    </Pane>
  );
}

interface ModelPaneProps {
  slot: SegSlot;
  size: SegSizeName;
  /** Whether the zoo holds this slot's model at the size, trained on the class set shown. */
  present: boolean;
  /** The slot's model at the size was trained on another class set (then it is not compared). */
  otherClassSet?: { dataset: string; classCount: number } | null;
  /** Whether the zoo holds it at the other size (then switching is suggested). */
  atOtherSize: boolean;
  zooLoading: boolean;
  image: FittedImage | null;
  prediction: SegPrediction | undefined;
  palette: Palette;
  opacity: number;
  busy: boolean;
  /** The name of the dataset the slot's model was trained on (shown under its metrics). */
  trainedOn?: string | null;
}

/** One model's class map over the input, with its agreement with the teacher, mIoU, pixel accuracy and time. */
export function ModelPane({
  slot,
  size,
  present,
  otherClassSet,
  atOtherSize,
  zooLoading,
  image,
  prediction,
  palette,
  opacity,
  busy,
  trainedOn,
}: ModelPaneProps) {
  const caption = SLOT_CAPTIONS[slot];
  const rgba = useMemo(
    () =>
      image && prediction && prediction.classMap.length === image.width * image.height ? overlayRgba(image.rgb, prediction.classMap, palette, opacity) : null,
    [image, prediction, palette, opacity],
  );
  let body: ReactNode;
  if (!present && otherClassSet) {
    body = (
      <p className="seg-viewer-missing" data-testid={`seg.viewer.otherClasses.${slot}`}>
        trained on {otherClassSet.dataset} ({otherClassSet.classCount} classes): not compared with this class set — pick its class set above
      </p>
    );
  } else if (!present) {
    const other = atOtherSize ? ` or switch to ${size === 'low' ? 'high' : 'low'}` : '';
    const text = zooLoading ? `loading the ${caption} model…` : `no ${caption} at the ${size} size — train one${other}`;
    body = (
      <p className="seg-viewer-missing" data-testid={`seg.viewer.missing.${slot}`}>
        {text}
      </p>
    );
  } else if (image && prediction && rgba) {
    body = (
      <>
        <PixelCanvas rgba={rgba} width={image.width} height={image.height} label={`${caption} segmentation of ${image.source.name}`} />
        <dl className="seg-viewer-metrics">
          <div>
            <dt>agreement with teacher</dt>
            <dd data-testid={`seg.viewer.agreement.${slot}`}>{percentOrDash(prediction.agreement)}</dd>
          </div>
          {prediction.mIoU !== null && (
            <div>
              <dt>mIoU</dt>
              <dd data-testid={`seg.viewer.miou.${slot}`}>{percentOrDash(prediction.mIoU)}</dd>
            </div>
          )}
          {prediction.pixelAccuracy !== null && (
            <div>
              <dt>pixel accuracy</dt>
              <dd data-testid={`seg.viewer.pixelAcc.${slot}`}>{percentOrDash(prediction.pixelAccuracy)}</dd>
            </div>
          )}
          <div>
            <dt>inference</dt>
            <dd data-testid={`seg.viewer.ms.${slot}`}>{formatMs(prediction.ms)}</dd>
          </div>
        </dl>
        {trainedOn && (
          <p className="seg-viewer-note" data-testid={`seg.viewer.trainedOn.${slot}`}>
            trained on {trainedOn}
          </p>
        )}
      </>
    );
  } else {
    body = <p className="seg-viewer-empty">{image ? (busy ? 'predicting…' : 'no prediction') : 'no image yet'}</p>;
  }
  return (
    <Pane testId={`seg.viewer.pane.${slot}`} caption={caption}>
      {body}
    </Pane>
  );
}
