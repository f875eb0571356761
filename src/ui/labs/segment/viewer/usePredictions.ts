/**
 * Run every zoo model of the size on the selected (fitted) image through the worker, again whenever the
 * image, the size or the zoo's models change. A late answer for an older request is dropped.
 */
import { useEffect, useRef, useState } from 'react';
import { getEngine } from '../../../../client';
import type { SegPredictResult, SegSizeName, SegZooInfo } from '../../../../protocol/labs/segment';
import type { FittedImage } from './fitImage';

export interface Predictions {
  busy: boolean;
  error: string | null;
  result: SegPredictResult | null;
  /** The fitted image the result belongs to (panes draw a result only over its own image). */
  image: FittedImage | null;
}

const IDLE: Predictions = { busy: false, error: null, result: null, image: null };

/** A key that changes when a model of the size is added, removed or replaced. */
export function zooKey(zoo: SegZooInfo | null, size: SegSizeName): string {
  return (zoo?.entries ?? [])
    .filter((e) => e.size === size)
    .map((e) => `${e.slot}:${e.origin}:${e.steps}:${e.seed}:${e.mIoU}`)
    .sort()
    .join('|');
}

/** Predictions of the size's models trained on `classNames` (null: the teacher's class set) on the image. */
export function usePredictions(image: FittedImage | null, size: SegSizeName, modelsKey: string, classNames: string[] | null): Predictions {
  const [state, setState] = useState<Predictions>(IDLE);
  const classKey = classNames?.join('\u0001') ?? '';
  const request = useRef(0);

  useEffect(() => {
    const id = ++request.current;
    if (!image || modelsKey === '') {
      setState(IDLE);
      return;
    }
    setState((s) => ({ ...s, busy: true, error: null }));
    // The call transfers its buffers: send copies, keep the originals for drawing.
    const images = [{ rgb: image.rgb.slice(), labels: image.labels ? image.labels.slice() : null }];
    const transfers = images.flatMap((im) => [im.rgb.buffer, ...(im.labels ? [im.labels.buffer] : [])]) as ArrayBuffer[];
    getEngine()
      .call('segment', 'predict', [{ size, images, ...(classNames ? { classNames } : {}) }], transfers)
      .then(
        (res) => {
          if (id !== request.current) return;
          if (res.ok) setState({ busy: false, error: null, result: res.result, image });
          else setState({ busy: false, error: res.error.message, result: null, image: null });
        },
        (err: unknown) => {
          if (id !== request.current) return;
          setState({ busy: false, error: `Prediction failed: ${err instanceof Error ? err.message : String(err)}`, result: null, image: null });
        },
      );
    // classNames is compared by content through classKey (a new array with the same names does not re-run).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [image, size, modelsKey, classKey]);

  return state;
}
