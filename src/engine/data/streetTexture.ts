/**
 * Colour maths, hashing, value noise and anti-aliased bands for the street scenes: small, size-independent helpers shared by
 * the scene description (streetScene.ts) and the rasteriser (streetRaster.ts, streetObjects.ts).
 */
import { mulberry32 } from '../random';
import type { Rgb } from './raster';

/** a + (b − a)·t per channel. */
export const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
/** a · k per channel. */
export const scale = (a: Rgb, k: number): Rgb => [a[0] * k, a[1] * k, a[2] * k];
/** t clamped to [0, 1]. */
export const clamp01 = (t: number) => (t <= 0 ? 0 : t >= 1 ? 1 : t);

/** out = c · k. */
export function set(out: Rgb, c: Rgb, k = 1): void {
  out[0] = c[0] * k;
  out[1] = c[1] * k;
  out[2] = c[2] * k;
}

/** Integer lattice hash in [0, 1). */
export function hash2(ix: number, iy: number, salt: number): number {
  let h = Math.imul(ix | 0, 0x27d4eb2d) ^ Math.imul(iy | 0, 0x165667b1) ^ salt;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

let lattice: Float32Array | undefined;

/** Smooth value noise in [0, 1) over world coordinates (size-independent texture; a fixed 256×256 lattice, offset by salt). */
export function vnoise(x: number, y: number, salt: number): number {
  const t = (lattice ??= Float32Array.from({ length: 65536 }, mulberry32(0x1a77)));
  const o = Math.imul(salt, 0x9e3779b1);
  const ix = Math.floor(x),
    iy = Math.floor(y);
  const fx = x - ix,
    fy = y - iy;
  const sx = fx * fx * (3 - 2 * fx),
    sy = fy * fy * (3 - 2 * fy);
  const x0 = (ix + (o >>> 24)) & 255,
    x1 = (x0 + 1) & 255;
  const r0 = ((iy + (o >>> 16)) & 255) << 8,
    r1 = (r0 + 256) & 65535;
  const a = t[r0 | x0]!,
    b = t[r0 | x1]!,
    c = t[r1 | x0]!,
    d = t[r1 | x1]!;
  return a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy;
}

/** Box-filtered weight of a band of half-width h centred at offset d, seen by a pixel of width p (same units). */
export function boxCov(d: number, h: number, p: number): number {
  const o = Math.min(d + p / 2, h) - Math.max(d - p / 2, -h);
  return o <= 0 ? 0 : Math.min(1, o / p);
}

/** Weight of a periodic band (centre c, half-width h, in periods) at phase t for a pixel footprint p (in periods). */
export function band(t: number, c: number, h: number, p: number): number {
  if (p >= 1) return 2 * h;
  let d = t - c;
  d -= Math.round(d);
  const w = boxCov(d, h, p);
  return w + (2 * h - w) * p;
}
