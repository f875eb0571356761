/**
 * How the Segment viewer fits a photo to a model's input, shared by the viewer (UI) and the engine's real-photo
 * evaluator (`npm run eval:segment:real`), so a score printed by the script is the score of what the viewer shows:
 * the largest centred rectangle of the model's aspect, then a resize (images smoothed, labels nearest).
 */
export interface CropRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The largest centred rectangle of a width × height image whose width is `aspect` × its height (1:2 by default). */
export function centreCrop(width: number, height: number, aspect = 2): CropRect {
  if (width >= height * aspect) {
    const w = Math.max(1, Math.min(width, Math.round(height * aspect)));
    return { x: Math.floor((width - w) / 2), y: 0, width: w, height };
  }
  const h = Math.max(1, Math.min(height, Math.round(width / aspect)));
  return { x: 0, y: Math.floor((height - h) / 2), width, height: h };
}

/**
 * Nearest-neighbour resize of the `rect` part of a row-major srcWidth-wide label map to outWidth × outHeight (pixel
 * centres, as the engine's resizeNearest after a crop): the viewer's label fit, never mixing two classes.
 */
export function nearestResize(src: ArrayLike<number>, srcWidth: number, rect: CropRect, outWidth: number, outHeight: number): Uint8Array {
  const out = new Uint8Array(outWidth * outHeight);
  const cols = new Int32Array(outWidth);
  for (let x = 0; x < outWidth; x++) cols[x] = rect.x + Math.min(rect.width - 1, Math.floor(((x + 0.5) * rect.width) / outWidth));
  for (let y = 0; y < outHeight; y++) {
    const sy = rect.y + Math.min(rect.height - 1, Math.floor(((y + 0.5) * rect.height) / outHeight));
    const row = sy * srcWidth;
    for (let x = 0; x < outWidth; x++) out[y * outWidth + x] = src[row + cols[x]!]!;
  }
  return out;
}
