/**
 * Scale and photometric augmentation of segmentation batches (issue #15: what the shipped models see of real streets).
 *
 * Each image, independently and from its own seeded draws:
 * - **zoom** s ∈ [1, maxZoom] (uniform): a window of (H/s) × (W/s) at a uniform random position is resampled to H × W,
 *   the image bilinearly (half-pixel centres, align-corners false, as tf.image.resizeBilinear with halfPixelCenters),
 *   the labels by nearest neighbour on the same centres (so ignore labels stay ignore and no class is invented).
 *   Zoom-in only: nothing outside the scene is ever shown, so no padding class is needed.
 * - **colour** c: brightness b, contrast k and saturation a each uniform in [1 − c, 1 + c]; per pixel
 *   v ← b·v, then v ← mean + k·(v − mean) with the image's mean grey level, then v ← g + a·(v − g) with the pixel's
 *   grey level g = 0.299 R + 0.587 G + 0.114 B (the order and definitions of torchvision's ColorJitter, hue left out);
 *   rounded and clamped to 0–255 once, at the end (torchvision clamps after each step).
 * Labels are never changed by colour. zoom 1 and colour 0 leave images and labels byte-identical.
 */
import { type Rng, uniform } from '../random';

export interface SegAugment {
  /** Largest zoom factor (≥ 1; 1 = off). */
  maxZoom: number;
  /** Colour-jitter strength c in [0, 1) (0 = off). */
  color: number;
}

export const NO_SEG_AUGMENT: SegAugment = { maxZoom: 1, color: 0 };

/** One image's draws. */
export interface SegAugmentDraw {
  zoom: number;
  /** Window origin in source pixels (top-left corner, continuous). */
  y0: number;
  x0: number;
  brightness: number;
  contrast: number;
  saturation: number;
}

export function validateSegAugment(a: SegAugment): void {
  if (!(a.maxZoom >= 1 && a.maxZoom <= 4)) throw new RangeError(`zoom must be between 1 and 4, got ${a.maxZoom}.`);
  if (!(a.color >= 0 && a.color < 1)) throw new RangeError(`colour jitter must be in [0, 1), got ${a.color}.`);
}

/** Draw one image's zoom window and colour factors (always the same number of draws, so streams stay aligned). */
export function drawSegAugment(a: SegAugment, height: number, width: number, rng: Rng): SegAugmentDraw {
  const zoom = uniform(rng, 1, a.maxZoom);
  const uy = rng();
  const ux = rng();
  const b = uniform(rng, 1 - a.color, 1 + a.color);
  const k = uniform(rng, 1 - a.color, 1 + a.color);
  const s = uniform(rng, 1 - a.color, 1 + a.color);
  return { zoom, y0: uy * (height - height / zoom), x0: ux * (width - width / zoom), brightness: b, contrast: k, saturation: s };
}

/**
 * Apply `d` to one image (h×w×3 uint8) and its labels (h×w) in place.
 * Output pixel (y, x) samples the source at (y0 + (y + ½)/s − ½, x0 + (x + ½)/s − ½).
 */
export function applySegAugment(image: Uint8Array, labels: Uint8Array, height: number, width: number, d: SegAugmentDraw): void {
  if (d.zoom !== 1) {
    const src = image.slice();
    const srcLabels = labels.slice();
    for (let y = 0; y < height; y++) {
      const sy = Math.min(height - 1, Math.max(0, d.y0 + (y + 0.5) / d.zoom - 0.5));
      const ya = Math.floor(sy);
      const yb = Math.min(height - 1, ya + 1);
      const fy = sy - ya;
      const ny = Math.min(height - 1, Math.floor(d.y0 + (y + 0.5) / d.zoom));
      for (let x = 0; x < width; x++) {
        const sx = Math.min(width - 1, Math.max(0, d.x0 + (x + 0.5) / d.zoom - 0.5));
        const xa = Math.floor(sx);
        const xb = Math.min(width - 1, xa + 1);
        const fx = sx - xa;
        const o = (y * width + x) * 3;
        const p00 = (ya * width + xa) * 3;
        const p01 = (ya * width + xb) * 3;
        const p10 = (yb * width + xa) * 3;
        const p11 = (yb * width + xb) * 3;
        for (let c = 0; c < 3; c++) {
          const top = src[p00 + c]! + (src[p01 + c]! - src[p00 + c]!) * fx;
          const bottom = src[p10 + c]! + (src[p11 + c]! - src[p10 + c]!) * fx;
          image[o + c] = Math.round(top + (bottom - top) * fy);
        }
        const nx = Math.min(width - 1, Math.floor(d.x0 + (x + 0.5) / d.zoom));
        labels[y * width + x] = srcLabels[ny * width + nx]!;
      }
    }
  }
  if (d.brightness === 1 && d.contrast === 1 && d.saturation === 1) return;
  const n = height * width;
  let grey = 0;
  for (let i = 0; i < n; i++) grey += 0.299 * image[3 * i]! + 0.587 * image[3 * i + 1]! + 0.114 * image[3 * i + 2]!;
  const mean = (grey / n) * d.brightness;
  for (let i = 0; i < n; i++) {
    let r = image[3 * i]! * d.brightness;
    let g = image[3 * i + 1]! * d.brightness;
    let b = image[3 * i + 2]! * d.brightness;
    r = mean + d.contrast * (r - mean);
    g = mean + d.contrast * (g - mean);
    b = mean + d.contrast * (b - mean);
    const l = 0.299 * r + 0.587 * g + 0.114 * b;
    image[3 * i] = clampByte(l + d.saturation * (r - l));
    image[3 * i + 1] = clampByte(l + d.saturation * (g - l));
    image[3 * i + 2] = clampByte(l + d.saturation * (b - l));
  }
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}
