/**
 * DETR's 2-D sine positional encoding (Carion et al. 2020, models/position_encoding.py PositionEmbeddingSine) with
 * normalize=True, scale 2π, temperature 10000, numPosFeats = d/2 and no padding mask.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * The encoding of an h × w feature map as `[h·w, d]` row-major (position r·w + c, then feature), computed in float64 and stored as
 * float32. y = (r + 1)/(h + 1e-6)·2π, x = (c + 1)/(w + 1e-6)·2π; dim_t[i] = 10000^(2·⌊i/2⌋/(d/2)); per axis, feature i is
 * sin(v/dim_t[i]) for even i and cos(v/dim_t[i]) for odd i (DETR's stack((sin of 0::2, cos of 1::2), dim=4).flatten(3) interleaves
 * them); features [0, d/2) are pos_y and [d/2, d) are pos_x (DETR's cat((pos_y, pos_x))). d must be a multiple of 4.
 */
export function sinePositionalEncoding(h: number, w: number, d: number): Float32Array {
  if (!Number.isInteger(h) || !Number.isInteger(w) || h < 1 || w < 1) throw new Error(`Positional encoding needs a positive integer map size, got ${h}×${w}.`);
  if (!Number.isInteger(d) || d < 4 || d % 4 !== 0) throw new Error(`Positional encoding needs d a positive multiple of 4, got ${d}.`);
  const half = d / 2;
  const eps = 1e-6;
  const scale = 2 * Math.PI;
  const dimT = Float64Array.from({ length: half }, (_, i) => Math.pow(10000, (2 * Math.floor(i / 2)) / half));
  const out = new Float32Array(h * w * d);
  for (let r = 0; r < h; r++) {
    const y = ((r + 1) / (h + eps)) * scale;
    for (let c = 0; c < w; c++) {
      const x = ((c + 1) / (w + eps)) * scale;
      const base = (r * w + c) * d;
      for (let i = 0; i < half; i++) {
        const f = i % 2 === 0 ? Math.sin : Math.cos;
        out[base + i] = f(y / dimT[i]!);
        out[base + half + i] = f(x / dimT[i]!);
      }
    }
  }
  return out;
}

/** `sinePositionalEncoding` as a constant `[h·w, d]` Tensor2D (the caller disposes it). */
export function sinePositionalEncodingTensor(h: number, w: number, d: number): tf.Tensor2D {
  return tf.tensor2d(sinePositionalEncoding(h, w, d), [h * w, d]);
}
