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
