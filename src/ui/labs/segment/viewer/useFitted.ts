/**
 * The selected image fitted to the model input size exactly as `npm run eval:segment:real` fits a photo: its own
 * pixels (drawn 1:1) go to the worker, which crops and resizes them with the engine's functions (segment.fitImage);
 * its labels are fitted here (the same crop, nearest) and mapped onto the models' classes. So the mIoU a pane shows
 * is the script's for the same photo, label and model.
 */
import { useEffect, useMemo, useState } from 'react';
import { getEngine } from '../../../../client';
import { fitLabels, SEG_SIZE_PIXELS, type LabelMapping, type SegSizeName } from '../../../../protocol';
import { bitmapRgba, type FittedImage, type ViewerSource } from './fitImage';

interface Fit {
  bitmap: ImageBitmap;
  width: number;
  height: number;
  rgb: Uint8Array | null;
  error: string | null;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function useFitted(
  source: ViewerSource | null,
  size: SegSizeName,
  mapping: LabelMapping | null,
): { image: FittedImage | null; error: string | null; fitting: boolean } {
  const { width, height } = SEG_SIZE_PIXELS[size];
  const [fit, setFit] = useState<Fit | null>(null);
  const bitmap = source?.bitmap ?? null;
  const name = source?.name ?? '';

  useEffect(() => {
    if (!bitmap) return;
    let live = true;
    const failed = (err: unknown) =>
      live && setFit({ bitmap, width, height, rgb: null, error: `${name} could not be fitted to ${width}×${height}: ${message(err)}` });
    try {
      const rgba = bitmapRgba(bitmap).slice();
      getEngine()
        .call('segment', 'fitImage', [{ rgba, width: bitmap.width, height: bitmap.height, outWidth: width, outHeight: height }], [rgba.buffer as ArrayBuffer])
        .then((r) => {
          if (!r.ok) throw new Error(r.error.message);
          if (live) setFit({ bitmap, width, height, rgb: r.rgb, error: null });
        })
        .catch(failed);
    } catch (err) {
      failed(err);
    }
    return () => {
      live = false;
    };
  }, [bitmap, width, height, name]);

  const current = fit && fit.bitmap === bitmap && fit.width === width && fit.height === height ? fit : null;
  const labels = source?.labels ?? null;
  const image = useMemo<FittedImage | null>(
    () => (source && current?.rgb ? { source, width, height, rgb: current.rgb, labels: labels ? fitLabels(labels, mapping, width, height) : null } : null),
    [source, current, labels, mapping, width, height],
  );
  return { image, error: current?.error ?? null, fitting: bitmap !== null && current === null };
}
