/** Pure pixel helpers of the Segment viewer (no DOM): RGBA → RGB, and class maps blended over an image. */
import { IGNORE_ID } from './labelMap';

/** Drop the alpha channel of RGBA bytes (canvas ImageData) → RGB bytes. */
export function rgbaToRgb(rgba: ArrayLike<number>): Uint8Array {
  const n = Math.floor(rgba.length / 4);
  const rgb = new Uint8Array(n * 3);
  for (let p = 0; p < n; p++) {
    rgb[p * 3] = rgba[p * 4]!;
    rgb[p * 3 + 1] = rgba[p * 4 + 1]!;
    rgb[p * 3 + 2] = rgba[p * 4 + 2]!;
  }
  return rgb;
}

/** Opaque RGBA bytes of an RGB image. */
export function rgbToRgba(rgb: ArrayLike<number>): Uint8ClampedArray<ArrayBuffer> {
  const n = Math.floor(rgb.length / 3);
  const rgba = new Uint8ClampedArray(n * 4);
  for (let p = 0; p < n; p++) {
    rgba[p * 4] = rgb[p * 3]!;
    rgba[p * 4 + 1] = rgb[p * 3 + 1]!;
    rgba[p * 4 + 2] = rgb[p * 3 + 2]!;
    rgba[p * 4 + 3] = 255;
  }
  return rgba;
}

/**
 * The image with each pixel's class colour blended over it at `opacity` (0–1): out = (1−a)·image + a·colour.
 * Ignored pixels (255) and ids without a palette colour keep the image's colour. Returns RGBA bytes.
 */
export function overlayRgba(
  rgb: ArrayLike<number>,
  classMap: ArrayLike<number>,
  palette: readonly (readonly number[])[],
  opacity: number,
): Uint8ClampedArray<ArrayBuffer> {
  const a = Math.min(1, Math.max(0, opacity));
  const out = rgbToRgba(rgb);
  const n = Math.min(classMap.length, out.length / 4);
  for (let p = 0; p < n; p++) {
    const id = classMap[p]!;
    const colour = id === IGNORE_ID ? undefined : palette[id];
    if (!colour) continue;
    for (let c = 0; c < 3; c++) out[p * 4 + c] = Math.round((1 - a) * out[p * 4 + c]! + a * (colour[c] ?? 0));
  }
  return out;
}

/** 0.9134 → "91.3%"; null → "—". */
export function percentOrDash(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(1)}%`;
}

/** 12.345 → "12.3 ms", 0.41 → "0.41 ms". */
export function formatMs(ms: number): string {
  return ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`;
}
