/** Pure helpers of the Affinity lab's views: heat colours (of a matrix or of |A_S − A_T|), a pixel's affinity row as a spatial map. */

/** Row `r` of a row-major N×N matrix: the affinity of pixel r with every pixel, as a size×size map (N = size²). */
export function affinityRow(m: Float32Array, size: number, r: number): Float32Array {
  const n = size * size;
  if (m.length !== n * n) throw new Error(`A ${size}×${size} map has ${n}² affinities, not ${m.length}.`);
  if (!Number.isInteger(r) || r < 0 || r >= n) throw new Error(`Pixel ${r} is outside the ${size}×${size} map.`);
  return m.slice(r * n, (r + 1) * n);
}

/** The map pixel under a click at (x, y) on a square view of `viewSize` CSS pixels showing a size×size map. */
export function pixelAt(x: number, y: number, viewSize: number, size: number): number {
  const col = Math.min(size - 1, Math.max(0, Math.floor((x / viewSize) * size)));
  const row = Math.min(size - 1, Math.max(0, Math.floor((y / viewSize) * size)));
  return row * size + col;
}

/** Min and max of the finite values (a shared colour scale); [0, 1] when there is none, [v, v + 1] when all equal v. */
export function range(...arrays: Float32Array[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo === Infinity ? [0, 1] : [lo, hi === lo ? lo + 1 : hi];
}

/** A perceptual-ish dark-blue → yellow ramp (viridis-like) of t in [0, 1], as RGB bytes. */
export function heatColour(t: number): [number, number, number] {
  const stops: [number, number, number][] = [
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ];
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i]!;
  const b = stops[i + 1]!;
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

const LUT_SIZE = 1024;
let lut: Uint8Array | null = null;
/** heatColour at LUT_SIZE evenly spaced points of [0, 1] (both ends exact), built once. */
function heatLut(): Uint8Array {
  if (lut) return lut;
  lut = new Uint8Array(LUT_SIZE * 3);
  for (let k = 0; k < LUT_SIZE; k++) lut.set(heatColour(k / (LUT_SIZE - 1)), 3 * k);
  return lut;
}

/** RGBA pixels of a w×h matrix coloured on [lo, hi] (through a 1024-entry table: no allocation per pixel). */
export function heatPixels(m: Float32Array, w: number, h: number, lo: number, hi: number): Uint8ClampedArray {
  return heatPixelsSampled(m, w, h, lo, hi, w, h);
}

/**
 * The heat colours of a w×h grid sampled at outW×outH pixels, each taking the grid cell under its centre: cell
 * (⌊(y + ½)·h/outH⌋, ⌊(x + ½)·w/outW⌋) — nearest-neighbour scaling, what drawing the full grid into the smaller canvas
 * without smoothing shows, at outW·outH lookups instead of w·h (an N = 1,024 affinity matrix is 1 M cells for a
 * 176×176 view). outW = w and outH = h give every cell once. With `minus`, a cell's value is |m − minus| there
 * (the difference map, without materialising it).
 */
export function heatPixelsSampled(
  m: Float32Array,
  w: number,
  h: number,
  lo: number,
  hi: number,
  outW: number,
  outH: number,
  minus?: Float32Array,
): Uint8ClampedArray {
  if (minus && minus.length !== m.length) throw new Error(`Affinity matrices differ in size (${m.length} vs ${minus.length}).`);
  const out = new Uint8ClampedArray(outW * outH * 4);
  const scale = (LUT_SIZE - 1) / (hi - lo || 1);
  const table = heatLut();
  const cols = new Int32Array(outW);
  for (let x = 0; x < outW; x++) cols[x] = Math.min(w - 1, Math.floor(((x + 0.5) * w) / outW));
  for (let y = 0; y < outH; y++) {
    const row = Math.min(h - 1, Math.floor(((y + 0.5) * h) / outH)) * w;
    for (let x = 0; x < outW; x++) {
      const c = row + cols[x]!;
      const v = minus ? Math.abs(m[c]! - minus[c]!) : m[c]!;
      const t = (v - lo) * scale;
      // NaN fails t > 0 and takes the bottom colour, as before.
      const k = t > 0 ? (t >= LUT_SIZE - 1 ? LUT_SIZE - 1 : Math.round(t)) : 0;
      const i = 4 * (y * outW + x);
      out[i] = table[3 * k]!;
      out[i + 1] = table[3 * k + 1]!;
      out[i + 2] = table[3 * k + 2]!;
      out[i + 3] = 255;
    }
  }
  return out;
}
