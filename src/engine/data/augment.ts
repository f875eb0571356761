/**
 * Per-image training augmentation of the CIFAR recipe (He et al. 2016): random crop of the original size
 * from the image zero-padded by `padding` pixels on each side, then a horizontal flip with probability ½.
 * Padding is black in pixel space (0), so it becomes −mean/std after normalisation, as in torchvision.
 */
import type { Rng } from '../random';

export interface Augment {
  height: number;
  width: number;
  /** Zero padding on each side before the crop (4 for CIFAR); 0 disables the crop. */
  padding: number;
  flip: boolean;
}

/** One image's draw: crop offset into the padded image (0…2·padding) and whether to mirror. */
export interface CropFlip {
  dy: number;
  dx: number;
  flip: boolean;
}

export interface AugmentDraw {
  geometry: Augment;
  draw(): CropFlip;
}

/** A seeded source of crop/flip draws for `geometry`. */
export function augmentDrawer(geometry: Augment, rng: Rng): AugmentDraw {
  const span = 2 * geometry.padding + 1;
  return {
    geometry,
    draw: () => ({
      dy: Math.floor(rng() * span),
      dx: Math.floor(rng() * span),
      flip: geometry.flip && rng() < 0.5,
    }),
  };
}

/**
 * Write one augmented, normalised image (NHWC uint8 RGB at `src` → float32 at `dst`):
 * out(y, x) = padded(y + dy, x' + dx) with x' = W−1−x when flipped, padded(i, j) = image(i − p, j − p) or 0 outside.
 */
export function writeAugmented(
  images: Uint8Array,
  src: number,
  out: Float32Array,
  dst: number,
  g: Augment,
  d: CropFlip,
  scale: readonly number[],
  shift: readonly number[],
): void {
  const { height: h, width: w, padding: p } = g;
  for (let y = 0; y < h; y++) {
    const sy = y + d.dy - p;
    for (let x = 0; x < w; x++) {
      const sx = (d.flip ? w - 1 - x : x) + d.dx - p;
      const o = dst + (y * w + x) * 3;
      const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
      const i = src + (sy * w + sx) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = (inside ? images[i + c]! : 0) * scale[c]! - shift[c]!;
    }
  }
}
