/**
 * Browser side of the Detect viewer's input: fit a decoded photo to the detectors' input by letterboxing (scaled to fit
 * whole, aspect kept, centred, padded with grey) and take its RGB bytes.
 */
import type { DetectPixelBox } from '../../../../protocol/labs/detect';
import { canvas2d } from '../../segment/viewer/fitImage';
import { rgbaToRgb } from '../../segment/viewer/pixels';
import { letterboxRect, LETTERBOX_GREY } from '../detectView';

/** The photo letterboxed into width × height: RGB bytes (height × width × 3) and where the photo lies in the frame. */
export function letterboxBitmap(bitmap: ImageBitmap, width: number, height: number): { rgb: Uint8Array; rect: ReturnType<typeof letterboxRect> } {
  const rect = letterboxRect(bitmap.width, bitmap.height, width, height);
  const ctx = canvas2d(width, height);
  ctx.fillStyle = `rgb(${LETTERBOX_GREY}, ${LETTERBOX_GREY}, ${LETTERBOX_GREY})`;
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, bitmap.width, bitmap.height, rect.x, rect.y, rect.width, rect.height);
  return { rgb: rgbaToRgb(ctx.getImageData(0, 0, width, height).data), rect };
}

/** Boxes of an image moved into its letterboxed frame. */
export function letterboxBoxes(boxes: readonly DetectPixelBox[], rect: ReturnType<typeof letterboxRect>): DetectPixelBox[] {
  return boxes.map((b) => ({
    ...b,
    x1: rect.x + b.x1 * rect.scale,
    y1: rect.y + b.y1 * rect.scale,
    x2: rect.x + b.x2 * rect.scale,
    y2: rect.y + b.y2 * rect.scale,
  }));
}
