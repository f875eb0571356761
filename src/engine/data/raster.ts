/** A tiny float RGB rasteriser: gradients, anti-aliased signed-distance shapes, patterns, noise. */
import { mulberry32, normal, type Rng } from '../random';

/** An RGB colour, each channel in [0, 1]. */
export type Rgb = [number, number, number];

/** A float canvas: HWC (row-major, RGB interleaved), values in [0, 1]. */
export interface Canvas {
  width: number;
  height: number;
  data: Float32Array;
}

/** Signed distance in the shape's unit space (negative inside, the shape spans about [-1, 1]²). */
export type Sdf = (u: number, v: number) => number;

/** Weight of the primary colour at a pixel offset (dx, dy) from the shape centre, in [0, 1]. */
export type Pattern = (dx: number, dy: number) => number;

/** Where a shape sits: centre and rotation in pixels, and the pixel size of one unit along u and v. */
export interface Frame {
  cx: number;
  cy: number;
  angle: number;
  sx: number;
  sy: number;
}

/** A paint for one shape: primary colour, optional secondary colour and pattern, optional linear shading. */
export interface Paint {
  color: Rgb;
  second?: Rgb;
  pattern?: Pattern;
  /** Brightness change per pixel along (cos, sin) of shadeAngle; 0 = flat. */
  shade?: number;
  shadeAngle?: number;
}

/** An empty HWC float canvas. */
export function createCanvas(width: number, height: number): Canvas {
  return { width, height, data: new Float32Array(width * height * 3) };
}

/** Rec. 601 luma of an RGB colour, in [0, 1]. */
export function luma(c: Rgb): number {
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
}

/** HSV (all in [0, 1]) to RGB. */
export function hsv(h: number, s: number, v: number): Rgb {
  const f = (n: number) => {
    const k = (n + h * 6) % 6;
    return v - v * s * Math.max(0, Math.min(k, 4 - k, 1));
  };
  return [f(5), f(3), f(1)];
}

/** A colour of random hue and saturation (at most satMax) whose luma is exactly target (in [0, 1]). */
export function colorWithLuma(rng: Rng, target: number, satMax = 1): Rgb {
  const base = hsv(rng(), satMax * rng(), 1);
  const l = luma(base);
  if (target <= l) {
    const k = target / l;
    return [base[0] * k, base[1] * k, base[2] * k];
  }
  const m = (target - l) / (1 - l);
  return [base[0] + (1 - base[0]) * m, base[1] + (1 - base[1]) * m, base[2] + (1 - base[2]) * m];
}

/** A random luma, uniform over the part of [0.04, 0.96] at least minGap away from every value in avoid (the gap shrinks if nothing is left). */
export function pickLuma(rng: Rng, avoid: readonly number[], minGap: number): number {
  for (let gap = minGap; ; gap *= 0.8) {
    let free: [number, number][] = [[0.04, 0.96]];
    for (const a of avoid) {
      const cut: [number, number][] = [];
      for (const [lo, hi] of free) {
        if (Math.min(hi, a - gap) > lo) cut.push([lo, Math.min(hi, a - gap)]);
        if (hi > Math.max(lo, a + gap)) cut.push([Math.max(lo, a + gap), hi]);
      }
      free = cut;
    }
    const total = free.reduce((s, [lo, hi]) => s + hi - lo, 0);
    if (total <= 1e-9) continue;
    let t = rng() * total;
    for (const [lo, hi] of free) {
      if (t <= hi - lo) return lo + t;
      t -= hi - lo;
    }
    return free[free.length - 1]![1];
  }
}

/** Fill the canvas with a linear gradient from c0 to c1 along the direction angle, over the span [t0, t1] in pixels. */
export function fillGradient(cv: Canvas, c0: Rgb, c1: Rgb, angle: number, t0: number, t1: number): void {
  const { width, height, data } = cv;
  const ca = Math.cos(angle);
  const sa = Math.sin(angle);
  const hx = width / 2;
  const hy = height / 2;
  const inv = 1 / Math.max(t1 - t0, 1e-6);
  let i = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = ((x + 0.5 - hx) * ca + (y + 0.5 - hy) * sa - t0) * inv;
      const w = t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t);
      data[i++] = c0[0] + (c1[0] - c0[0]) * w;
      data[i++] = c0[1] + (c1[1] - c0[1]) * w;
      data[i++] = c0[2] + (c1[2] - c0[2]) * w;
    }
  }
}

/** Composite one shape over the canvas with analytic anti-aliasing (coverage = clamp(0.5 − pixel distance)). */
export function drawShape(cv: Canvas, frame: Frame, sdf: Sdf, paint: Paint, extent = 1.6): void {
  const { width, height, data } = cv;
  const { cx, cy, sx, sy } = frame;
  const ca = Math.cos(frame.angle);
  const sa = Math.sin(frame.angle);
  const unit = Math.min(sx, sy);
  const reach = Math.max(sx, sy) * extent + 1;
  const x0 = Math.max(0, Math.floor(cx - reach));
  const x1 = Math.min(width, Math.ceil(cx + reach));
  const y0 = Math.max(0, Math.floor(cy - reach));
  const y1 = Math.min(height, Math.ceil(cy + reach));
  const [r, g, b] = paint.color;
  const second = paint.second ?? paint.color;
  const shade = paint.shade ?? 0;
  const shx = Math.cos(paint.shadeAngle ?? 0) * shade;
  const shy = Math.sin(paint.shadeAngle ?? 0) * shade;
  for (let y = y0; y < y1; y++) {
    const dy = y + 0.5 - cy;
    for (let x = x0; x < x1; x++) {
      const dx = x + 0.5 - cx;
      const u = (dx * ca + dy * sa) / sx;
      const v = (dy * ca - dx * sa) / sy;
      const cov = 0.5 - sdf(u, v) * unit;
      if (cov <= 0) continue;
      const a = cov >= 1 ? 1 : cov;
      const w = paint.pattern ? paint.pattern(dx, dy) : 1;
      const k = 1 + dx * shx + dy * shy;
      const i = (y * width + x) * 3;
      const pr = (second[0] + (r - second[0]) * w) * k;
      const pg = (second[1] + (g - second[1]) * w) * k;
      const pb = (second[2] + (b - second[2]) * w) * k;
      data[i] = data[i]! + (pr - data[i]!) * a;
      data[i + 1] = data[i + 1]! + (pg - data[i + 1]!) * a;
      data[i + 2] = data[i + 2]! + (pb - data[i + 2]!) * a;
    }
  }
}

let gaussTable: Float32Array | undefined;

/** 65536 fixed standard-normal samples, drawn once; noise indexes them with 16 random bits (no transcendentals per pixel). */
function gaussians(): Float32Array {
  if (!gaussTable) {
    const rng = mulberry32(0x6a055);
    gaussTable = Float32Array.from({ length: 65536 }, () => normal(rng));
  }
  return gaussTable;
}

/** Add per-pixel, per-channel Gaussian noise of standard deviation sigma and quantise into out (HWC uint8) at offset. */
export function writeNoisyUint8(cv: Canvas, rng: Rng, sigma: number, out: Uint8Array, offset: number): void {
  const { data } = cv;
  const table = gaussians();
  const n = data.length;
  const s = sigma * 255;
  // A clamped view rounds and clamps to 0..255 on assignment.
  const dst = new Uint8ClampedArray(out.buffer, out.byteOffset + offset, n);
  for (let i = 0; i < n; i += 2) {
    const bits = (rng() * 4294967296) | 0; // two 16-bit table indices per draw
    dst[i] = data[i]! * 255 + s * table[bits >>> 16]!;
    if (i + 1 < n) dst[i + 1] = data[i + 1]! * 255 + s * table[bits & 0xffff]!;
  }
}

/** Signed distance to an axis-aligned box of half-sizes (hx, hy) centred at the origin. */
export function sdBox(u: number, v: number, hx: number, hy: number): number {
  const qx = Math.abs(u) - hx;
  const qy = Math.abs(v) - hy;
  const ox = qx > 0 ? qx : 0;
  const oy = qy > 0 ? qy : 0;
  return Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(qx, qy), 0);
}

/** Signed distance to a segment (ax, ay)–(bx, by) thickened by radius r. */
export function sdCapsule(u: number, v: number, ax: number, ay: number, bx: number, by: number, r: number): number {
  const ex = bx - ax;
  const ey = by - ay;
  const wx = u - ax;
  const wy = v - ay;
  const t = Math.max(0, Math.min(1, (wx * ex + wy * ey) / (ex * ex + ey * ey || 1)));
  const dx = wx - ex * t;
  const dy = wy - ey * t;
  return Math.sqrt(dx * dx + dy * dy) - r;
}

/** Signed distance to a simple polygon given as interleaved vertices [x0, y0, x1, y1, ...] (after Quilez). */
export function sdPolygon(u: number, v: number, verts: Float64Array): number {
  const n = verts.length / 2;
  let d = Infinity;
  let s = 1;
  for (let i = 0, j = n - 1; i < n; j = i, i++) {
    const vix = verts[2 * i]!;
    const viy = verts[2 * i + 1]!;
    const ex = verts[2 * j]! - vix;
    const ey = verts[2 * j + 1]! - viy;
    const wx = u - vix;
    const wy = v - viy;
    const t = Math.max(0, Math.min(1, (wx * ex + wy * ey) / (ex * ex + ey * ey)));
    const bx = wx - ex * t;
    const by = wy - ey * t;
    d = Math.min(d, bx * bx + by * by);
    const c1 = v >= viy;
    const c2 = v < viy + ey;
    const c3 = ex * wy > ey * wx;
    if ((c1 && c2 && c3) || (!c1 && !c2 && !c3)) s = -s;
  }
  return s * Math.sqrt(d);
}

/** Anti-aliased weight (0..1) of a signed pixel distance. */
function coverage(d: number): number {
  const c = 0.5 - d;
  return c <= 0 ? 0 : c >= 1 ? 1 : c;
}

/** Parallel stripes of the given period (pixels) at an angle; half of each period has weight 1. */
export function stripes(period: number, angle: number, phase: number): Pattern {
  const ca = Math.cos(angle) / period;
  const sa = Math.sin(angle) / period;
  return (dx, dy) => {
    const a = dx * ca + dy * sa + phase;
    return coverage((0.25 - Math.abs(a - Math.floor(a) - 0.5)) * period);
  };
}

/** A checkerboard of square cells (pixels) at an angle, box-filtered per axis. */
export function checker(cell: number, angle: number, phaseU: number, phaseV: number): Pattern {
  const ca = Math.cos(angle) / (2 * cell);
  const sa = Math.sin(angle) / (2 * cell);
  const wave = (a: number) => 2 * coverage((0.25 - Math.abs(a - Math.floor(a) - 0.5)) * 2 * cell) - 1;
  return (dx, dy) => 0.5 + 0.5 * wave(dx * ca + dy * sa + phaseU) * wave(dy * ca - dx * sa + phaseV);
}

/** A square grid of round dots: spacing and radius in pixels, grid rotated by angle. */
export function dotGrid(spacing: number, radius: number, angle: number, phaseU: number, phaseV: number): Pattern {
  const ca = Math.cos(angle) / spacing;
  const sa = Math.sin(angle) / spacing;
  return (dx, dy) => {
    const a = dx * ca + dy * sa + phaseU;
    const b = dy * ca - dx * sa + phaseV;
    const fa = a - Math.floor(a) - 0.5;
    const fb = b - Math.floor(b) - 0.5;
    return coverage(Math.sqrt(fa * fa + fb * fb) * spacing - radius);
  };
}
