/**
 * The street-scene rasteriser's pixel-space primitives and static backdrop: sky with clouds, the perspective ground
 * (road, markings, kerbs, sidewalks, grass), the distant skyline and the facades along both sides. Pixel space:
 * x = cx + f·X/Z, y = cy + f·(hc − Y)/Z, Y up, Z depth; each pixel's label is the class of the last surface drawn over its centre.
 */
import type { Rgb } from './raster';
import { BUILDING, CURB, ROAD, SIDEWALK, SKY, VEGETATION, type Facade, type Scene, type Side } from './streetScene';
import { band, boxCov, clamp01, hash2, mix, scale, set, vnoise } from './streetTexture';

/** The image being drawn: size, camera (focal length f in pixels, principal point cx, cy), scene, float RGB (HWC) and labels (HW). */
export interface Raster {
  W: number;
  H: number;
  f: number;
  cx: number;
  cy: number;
  s: Scene;
  data: Float32Array;
  label: Uint8Array;
  /**
   * Optional instance ids (HW): when present, every pixel whose centre a surface covers gets `instance` (0 = no instance),
   * and `drawn[instance]` counts those pixels; the person boxes are read from it (streets.ts).
   */
  inst?: Uint16Array;
  instance?: number;
  drawn?: Uint32Array;
}
/** Signed distance (m) to a silhouette on a vertical plane, at world X (lateral) and Y (height). */
export type Sdf2 = (X: number, Y: number) => number;
/** Colour (into out) of a silhouette at world X, Y. */
export type Paint2 = (X: number, Y: number, out: Rgb) => void;

/** Blend colour c, hazed by depth Z, over pixel p with coverage a; the label follows the pixel centre (inside). */
export function put(r: Raster, p: number, c: Rgb, a: number, Z: number, cls: number, inside: boolean): void {
  const m = Z / (Z + r.s.haze);
  const h = r.s.skyLow,
    d = r.data,
    i = p * 3;
  d[i] = d[i]! + (c[0] + (h[0] - c[0]) * m - d[i]!) * a;
  d[i + 1] = d[i + 1]! + (c[1] + (h[1] - c[1]) * m - d[i + 1]!) * a;
  d[i + 2] = d[i + 2]! + (c[2] + (h[2] - c[2]) * m - d[i + 2]!) * a;
  if (inside) {
    r.label[p] = cls;
    if (r.inst) {
      const id = r.instance ?? 0;
      r.inst[p] = id;
      if (id) r.drawn![id]!++;
    }
  }
}

const YELLOW: Rgb = [0.9, 0.72, 0.18];

function roadAt(s: Scene, X: number, Z: number, pxm: number, dz: number, out: Rgb): void {
  const k = 0.8 + 0.25 * vnoise(X * 1.5, Z * 0.6, s.salt) + 0.2 * vnoise(X * 0.25, Z * 0.08, s.salt + 1);
  const xl = X + s.left;
  const kNear = Math.round(xl / s.laneW);
  let white = 0,
    yellow = 0;
  if (kNear >= 1 && kNear < s.lanes) {
    const d = xl - kNear * s.laneW;
    if (s.yellow && kNear === Math.floor(s.lanes / 2)) yellow = Math.max(boxCov(d - 0.12, 0.06, pxm), boxCov(d + 0.12, 0.06, pxm));
    else {
      const t = Z / s.dash + s.dashPhase;
      const w = clamp01(dz / (s.dash * 0.5));
      white = boxCov(d, 0.07, pxm) * ((t - Math.floor(t) < s.duty ? 1 : 0) * (1 - w) + s.duty * w);
    }
  }
  if (s.edgeLines) white = Math.max(white, boxCov(xl - 0.35, 0.07, pxm), boxCov(s.right - X - 0.35, 0.07, pxm));
  if (s.cross > 0 && Z > s.cross && Z < s.cross + 3.5) white = Math.max(white, boxCov(X - Math.round(X), 0.25, pxm));
  for (let c = 0; c < 3; c++) {
    const base = s.asphalt[c]! * k;
    out[c] = base + (s.paint[c]! - base) * white * 0.9 + (YELLOW[c]! - base) * yellow * 0.9;
  }
}

/** Colour (into out) and class of the ground at lateral X and depth Z; pxm, dz = pixel footprint across and along (m). */
function groundAt(s: Scene, X: number, Z: number, pxm: number, dz: number, out: Rgb): number {
  const side = X < 0 ? s.sides[0] : s.sides[1];
  const b = Math.abs(X) - side.curb;
  let cls: number;
  if (b < 0) {
    roadAt(s, X, Z, pxm, dz, out);
    cls = ROAD;
  } else if (b < CURB) {
    set(out, s.curb);
    cls = SIDEWALK;
  } else if (b < CURB + side.verge || (b >= CURB + side.verge + side.walk && (side.setbackGrass || b + side.curb >= side.wall))) {
    const k = 0.7 + 0.5 * vnoise(X * 2.5, Z * 1.2, s.salt + 2);
    set(out, s.grass, k);
    cls = VEGETATION;
  } else {
    const t = s.tile;
    const joint = Math.max(boxCov(X - Math.round(X / t) * t, 0.03, pxm), boxCov(Z - Math.round(Z / t) * t, 0.03, dz));
    const k = (0.9 + 0.15 * vnoise(X * 2, Z * 2, s.salt + 3)) * (1 - 0.25 * joint);
    set(out, s.walk, k);
    cls = SIDEWALK;
  }
  if (s.sunK > 0 && X * s.sun > s.shadeA) {
    const k = 1 - 0.45 * s.sunK;
    out[0] *= k;
    out[1] *= k;
    out[2] *= k;
  }
  return cls;
}

/** Fill the whole image with sky (gradient + clouds) above the horizon and ground (road, kerbs, sidewalks, grass) below it. */
export function drawSkyAndGround(r: Raster): void {
  const { W, H, f, cx, cy, s } = r;
  const c: Rgb = [0, 0, 0];
  for (let y = 0; y < H; y++) {
    const dy = y + 0.5 - cy;
    if (dy <= 0) {
      const g = clamp01((y + 0.5) / cy) ** 1.5;
      const base = mix(s.skyTop, s.skyLow, g);
      const v = ((y + 0.5) / H) * 9;
      for (let x = 0; x < W; x++) {
        const u = ((x + 0.5) / H) * 3;
        const n1 = 0.65 * vnoise(u, v, s.salt + 4);
        const k = n1 + s.cloud <= 0.65 ? 0 : clamp01((n1 + 0.35 * vnoise(u * 3, v * 3, s.salt + 5) - 1 + s.cloud) * 2.5) * (1 - 0.6 * g);
        const p = y * W + x;
        r.data[3 * p] = base[0] + (s.cloudColour[0] - base[0]) * k;
        r.data[3 * p + 1] = base[1] + (s.cloudColour[1] - base[1]) * k;
        r.data[3 * p + 2] = base[2] + (s.cloudColour[2] - base[2]) * k;
        r.label[p] = SKY;
      }
    } else {
      const Z = (f * s.hc) / dy,
        pxm = Z / f,
        dz = Z / dy;
      for (let x = 0; x < W; x++) {
        const p = y * W + x;
        const cls = groundAt(s, (x + 0.5 - cx) * pxm, Z, pxm, dz, c);
        r.data[3 * p] = r.data[3 * p + 1] = r.data[3 * p + 2] = 0;
        put(r, p, c, 1, Z, cls, true);
      }
    }
  }
}

/** Fill column x between rows yTop and yBot (fractional), colouring by height Y above ground at depth Z. */
export function span(r: Raster, x: number, Z: number, yTop: number, yBot: number, cls: number, shade: (Y: number, out: Rgb) => void): void {
  const { W, H, f, cy, s } = r;
  const c: Rgb = [0, 0, 0];
  const y1 = Math.min(H, Math.ceil(yBot));
  for (let y = Math.max(0, Math.floor(yTop)); y < y1; y++) {
    const a = Math.min(y + 1, yBot) - Math.max(y, yTop);
    if (a <= 0) continue;
    shade(s.hc - ((y + 0.5 - cy) * Z) / f, c);
    put(r, y * W + x, c, Math.min(1, a), Z, cls, y + 0.5 >= yTop && y + 0.5 < yBot);
  }
}

/** Draw the distant skyline (building and tree blocks) on the plane at depth skylineZ. */
export function drawSkyline(r: Raster): void {
  const { W, f, cx, cy, s } = r;
  const Z = s.skylineZ;
  const yBot = cy + (f * s.hc) / Z;
  let bi = 0;
  for (let x = 0; x < W; x++) {
    const X = ((x + 0.5 - cx) * Z) / f;
    while (bi < s.skyline.length - 1 && X >= s.skyline[bi]!.x1) bi++;
    const b = s.skyline[bi];
    if (!b || X < b.x0 || b.h <= 0) continue;
    const top = b.veg ? b.h * (0.75 + 0.4 * vnoise(X * 0.3, 0, s.salt + 6)) : b.h;
    span(r, x, Z, cy + (f * (s.hc - top)) / Z, yBot, b.veg ? VEGETATION : BUILDING, (Y, out) => {
      const k = b.veg ? 0.7 + 0.5 * vnoise(X * 0.8, Y * 0.8, s.salt + 7) : Y > top - 1 ? 0.85 : 1;
      set(out, b.colour, k);
    });
  }
}

/** Facade colour at position z along a building and height Y; dZ, dY = pixel footprint (m) for window anti-aliasing. */
function facadeColour(g: Facade, z: number, Y: number, dZ: number, dY: number, out: Rgb): void {
  let k = 0.88 + 0.22 * vnoise(z * 0.4, Y * 0.4, g.salt);
  if (Y > g.height - 0.6) k *= 0.78;
  if (z < 0.3 || g.z1 - g.z0 - z < 0.3) k *= 0.8;
  set(out, g.colour, k);
  if (Y > g.height - 1) return;
  const ground = Y < g.floor;
  const bay = ground ? g.bay * 2 : g.bay;
  const w = band(Y / g.floor, ground ? 0.45 : 0.55, (ground ? 0.7 : g.winH) / 2, dY / g.floor) * band(z / bay, 0.5, (ground ? 0.8 : g.winW) / 2, dZ / bay);
  if (w <= 0) return;
  const h = hash2(Math.floor(Y / g.floor), Math.floor(z / bay), g.salt);
  const glass: Rgb = h < g.lit ? [0.95, 0.82, 0.5] : scale(g.glass, 0.7 + 0.8 * h);
  for (let c = 0; c < 3; c++) out[c] = out[c]! + (glass[c]! - out[c]!) * w;
}

/** Draw the facades, hedges and gaps on one side of the street (sg = −1 left, +1 right) on its wall plane. */
export function drawSide(r: Raster, side: Side, sg: number): void {
  const { W, f, cx, cy, s } = r;
  const A = side.wall;
  const light = sg === -s.sun ? 1 + 0.15 * s.sunK : 1 - 0.35 * s.sunK;
  for (let x = 0; x < W; x++) {
    const dx = x + 0.5 - cx;
    if (dx * sg <= 0) continue;
    const Z = (f * A) / Math.abs(dx);
    if (Z >= s.end) continue;
    const g = side.facades.find((q) => Z < q.z1);
    if (!g || g.kind === 'gap') continue;
    const green = g.kind === 'green';
    const top = green ? g.height * (0.7 + 0.3 * Math.sin(Z * 0.8 + g.salt) + 0.4 * vnoise(Z * 0.7, 0, g.salt)) : g.height;
    const dZ = (Z * Z) / (f * A),
      dY = Z / f;
    span(r, x, Z, cy + (f * (s.hc - top)) / Z, cy + (f * s.hc) / Z, green ? VEGETATION : BUILDING, (Y, out) => {
      if (green) {
        const k = (0.55 + 0.6 * vnoise(Z * 1.3, Y * 1.3, g.salt)) * (0.75 + 0.25 * clamp01(Y / top)) * light;
        set(out, g.colour, k);
      } else {
        facadeColour(g, Z - g.z0, Y, dZ, dY, out);
        out[0] *= light;
        out[1] *= light;
        out[2] *= light;
      }
    });
  }
}

/** A raster of scene s at width × height drawing into data / label / inst, counting the pixels of `people` instances. */
export function newRaster(s: Scene, width: number, height: number, data: Float32Array, label: Uint8Array, inst: Uint16Array, people: number): Raster {
  return { W: width, H: height, f: s.fv * height, cx: s.vp * width, cy: s.hz * height, s, data, label, inst, instance: 0, drawn: new Uint32Array(people + 1) };
}

/** Draw a shape on the vertical plane at depth Z (world bbox X0..X1 × Y0..Y1), anti-aliased by its distance (m). */
export function drawFrontal(r: Raster, Z: number, X0: number, X1: number, Y0: number, Y1: number, sdf: Sdf2, paint: Paint2, cls: number): void {
  drawFrontalSeeThrough(r, Z, X0, X1, Y0, Y1, sdf, paint, OPAQUE, cls);
}

const OPAQUE: Sdf2 = () => 1;

/** drawFrontal with a per-point opacity (see-through twigs): colour blends by coverage × opacity; the label still follows the silhouette. */
export function drawFrontalSeeThrough(
  r: Raster,
  Z: number,
  X0: number,
  X1: number,
  Y0: number,
  Y1: number,
  sdf: Sdf2,
  paint: Paint2,
  opacity: Sdf2,
  cls: number,
): void {
  const { W, H, f, cx, cy, s } = r;
  const k = f / Z,
    m = Z / f;
  const x0 = Math.max(0, Math.floor(cx + X0 * k) - 1),
    x1 = Math.min(W, Math.ceil(cx + X1 * k) + 1);
  const y0 = Math.max(0, Math.floor(cy + (s.hc - Y1) * k) - 1),
    y1 = Math.min(H, Math.ceil(cy + (s.hc - Y0) * k) + 1);
  const c: Rgb = [0, 0, 0];
  for (let y = y0; y < y1; y++) {
    const Y = s.hc - (y + 0.5 - cy) * m;
    for (let x = x0; x < x1; x++) {
      const X = (x + 0.5 - cx) * m;
      const d = sdf(X, Y) * k;
      if (d >= 0.5) continue;
      paint(X, Y, c);
      put(r, y * W + x, c, Math.min(1, 0.5 - d) * opacity(X, Y), Z, cls, d < 0);
    }
  }
}

/** Draw on the plane X = Xp between depths z0 and z1 up to height Y1; shader says which (Z, Y) belong to it. */
export function drawSidePlane(
  r: Raster,
  Xp: number,
  z0: number,
  z1: number,
  Y1: number,
  shader: (Z: number, Y: number, out: Rgb) => boolean,
  cls: number,
): void {
  const { W, H, f, cx, cy, s } = r;
  const xa = cx + (f * Xp) / z0,
    xb = cx + (f * Xp) / z1;
  const c: Rgb = [0, 0, 0];
  for (let x = Math.max(0, Math.floor(Math.min(xa, xb))); x < Math.min(W, Math.ceil(Math.max(xa, xb))); x++) {
    const dx = x + 0.5 - cx;
    const Z = (f * Xp) / dx;
    if (!(Z >= z0 && Z <= z1)) continue;
    const y1 = Math.min(H, Math.ceil(cy + (f * s.hc) / Z));
    for (let y = Math.max(0, Math.floor(cy + (f * (s.hc - Y1)) / Z)); y < y1; y++) {
      if (shader(Z, s.hc - ((y + 0.5 - cy) * Z) / f, c)) put(r, y * W + x, c, 1, Z, cls, true);
    }
  }
}

/** Darken the ground under a footprint (colour only). */
export function shadeGround(r: Raster, X0: number, X1: number, Z0: number, Z1: number, k: number): void {
  const { W, H, f, cx, cy, s } = r;
  for (let y = Math.max(0, Math.ceil(cy + (f * s.hc) / Z1 - 0.5)); y < Math.min(H, cy + (f * s.hc) / Z0 - 0.5); y++) {
    const m = s.hc / (y + 0.5 - cy);
    for (let x = Math.max(0, Math.ceil(cx + X0 / m - 0.5)); x < Math.min(W, cx + X1 / m - 0.5); x++) {
      for (let c = 0; c < 3; c++) r.data[3 * (y * W + x) + c]! *= k;
    }
  }
}
