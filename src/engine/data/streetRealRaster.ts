/**
 * The realistic street-scene rasteriser (see streetRealLayout.ts): sky (clear, white, overcast, sunset, clouds, glow),
 * textured asphalt with markings, kerbs and paved sidewalks, facades as boxes that step back and forth (fronts and side
 * walls, windows, shop fronts), hedges, fences and walls, the objects far to near, then the camera pipeline (white
 * balance, exposure, vignette, blur, gamma, contrast, saturation, blockiness, sensor noise). Same pixel conventions as
 * streetRaster.ts, whose primitives it reuses.
 */
import { mulberry32 } from '../random';
import { writeNoisyUint8, type Canvas, type Rgb } from './raster';
import { drawRealThing } from './streetRealObjects';
import type { RealFacade, RealLook, RealSide, RealStrip } from './streetRealScene';
import { drawSidePlane, drawSkyline, newRaster, put, span, type Raster } from './streetRaster';
import { BUILDING, CURB, ROAD, SIDEWALK, SKY, VEGETATION, type Scene } from './streetScene';
import { band, boxCov, clamp01, hash2, set, vnoise } from './streetTexture';

const scratch = new Map<number, Float32Array>();
const YELLOW: Rgb = [0.85, 0.68, 0.2];
/** Depth of a building block behind its front (m): its near side wall spans this far back from the front. */
const BLOCK_DEPTH = 12;
const LUT_N = 256;
const gammaLut = new Float64Array(LUT_N + 1);

function roadAt(s: Scene, L: RealLook, X: number, Z: number, pxm: number, dz: number, out: Rgb): void {
  const fine = Math.min(1, 0.3 / pxm);
  let k = 1 + L.coarse * (vnoise(X * 0.12, Z * 0.04, s.salt) - 0.5) * 2 + 0.18 * fine * (vnoise(X * 2.2, Z * 1.1, s.salt + 1) - 0.5);
  let base: Rgb = s.asphalt;
  if (L.patches > 0 && hash2(Math.floor(X / 2.5), Math.floor(Z / 5), s.salt) < L.patches * (0.5 + vnoise(X * 0.3, Z * 0.1, s.salt + 9))) base = L.patchColour;
  const xl = X + s.left - L.parkL;
  const lane = xl - Math.floor(xl / s.laneW) * s.laneW;
  if (L.tracks > 0) k *= 1 - L.tracks * (boxCov(lane - s.laneW / 2 - 0.8, 0.3, pxm) + boxCov(lane - s.laneW / 2 + 0.8, 0.3, pxm));
  if (L.cracks > 0) k *= 1 - 0.35 * L.cracks * fine * clamp01(1 - Math.abs(vnoise(X * 0.8, Z * 0.35, s.salt + 2) - 0.5) / 0.025);
  const kNear = Math.round(xl / s.laneW);
  let white = 0,
    yellow = 0;
  const centre = Math.floor(s.lanes / 2);
  if (kNear >= 1 && kNear < s.lanes) {
    const d = xl - kNear * s.laneW;
    const solid = kNear === centre && (s.yellow || L.centreSolid);
    if (solid) {
      const v = Math.max(boxCov(d - 0.1, 0.06, pxm), boxCov(d + 0.1, 0.06, pxm));
      if (s.yellow) yellow = v;
      else white = v;
    } else {
      const t = Z / s.dash + s.dashPhase;
      const w = clamp01(dz / (s.dash * 0.5));
      white = boxCov(d, 0.07, pxm) * ((t - Math.floor(t) < s.duty ? 1 : 0) * (1 - w) + s.duty * w);
    }
  }
  const driveW = s.lanes * s.laneW;
  if (s.edgeLines || L.parkL > 0) white = Math.max(white, boxCov(xl - 0.15, 0.06, pxm));
  if (s.edgeLines || L.parkR > 0) white = Math.max(white, boxCov(driveW - xl - 0.15, 0.06, pxm));
  if (s.cross > 0 && Z > s.cross && Z < s.cross + 3.5) {
    if (L.zebra) white = Math.max(white, boxCov(X - Math.round(X), 0.25, pxm));
    else white = Math.max(white, boxCov(Z - s.cross - 0.1, 0.1, dz), boxCov(Z - s.cross - 3.4, 0.1, dz));
  }
  if (L.stopLine > 0 && xl > 0 && xl < driveW) white = Math.max(white, boxCov(Z - L.stopLine, 0.2, dz));
  white *= 0.65 + 0.35 * vnoise(X * 3, Z * 3, s.salt + 3);
  for (let c = 0; c < 3; c++) {
    const b = base[c]! * k;
    out[c] = b + (s.paint[c]! - b) * white * 0.9 + (YELLOW[c]! - b) * yellow * 0.9;
  }
}

function pavingAt(s: Scene, side: RealSide, X: number, Z: number, pxm: number, dz: number, out: Rgb): void {
  const tx = side.tileX,
    tz = side.tileZ;
  const ix = Math.floor(X / tx),
    iz = Math.floor(Z / tz + (side.paving === 'brick' ? (ix & 1) * 0.5 : 0));
  const vis = Math.min(1, tx / (2 * pxm));
  let k = 0.92 + 0.16 * vnoise(X * 0.5, Z * 0.5, s.salt + 4);
  if (side.paving !== 'asphalt') {
    const varAmp = side.paving === 'brick' ? 0.25 : side.paving === 'slabs' ? 0.12 : 0.08;
    k *= 1 + varAmp * vis * (hash2(ix, iz, s.salt + 5) - 0.5);
    const jw = side.paving === 'brick' ? 0.01 : 0.015;
    const joint = side.paving === 'brick' ? 0 : Math.max(boxCov(X - Math.round(X / tx) * tx, jw, pxm), boxCov(Z - Math.round(Z / tz) * tz, jw, dz));
    set(out, side.walkColour, k);
    for (let c = 0; c < 3; c++) out[c] = out[c]! + (side.joint[c]! - out[c]!) * joint;
  } else set(out, side.walkColour, k * (0.95 + 0.1 * vnoise(X * 3, Z * 3, s.salt + 6)));
}

function groundAt(s: Scene, L: RealLook, X: number, Z: number, pxm: number, dz: number, out: Rgb): number {
  const side = (X < 0 ? s.sides[0] : s.sides[1]) as RealSide;
  const b = Math.abs(X) - side.curb;
  let cls: number;
  if (b < 0 || (side.junction !== null && Z > side.junction[0] && Z < side.junction[1])) {
    roadAt(s, L, X, Z, pxm, dz, out);
    cls = ROAD;
  } else if (b < CURB) {
    set(out, side.curbColour, b < 0.1 ? 0.7 : 1);
    cls = SIDEWALK;
  } else if (b < CURB + side.verge || (b >= CURB + side.verge + side.walk && side.yard === 'grass')) {
    const k = 0.65 + 0.55 * vnoise(X * 2.5, Z * 1.2, s.salt + 7) * (0.7 + 0.3 * vnoise(X * 0.3, Z * 0.3, s.salt + 8));
    set(out, s.grass, k);
    cls = VEGETATION;
  } else {
    pavingAt(s, side, X, Z, pxm, dz, out);
    cls = SIDEWALK;
  }
  if (s.sunK > 0 && X * s.sun > s.shadeA) {
    const k = 1 - 0.5 * s.sunK;
    out[0] *= k * 0.97;
    out[1] *= k;
    out[2] *= k * 1.05;
  }
  return cls;
}

const skyBase: Rgb = [0, 0, 0];

function skyAt(s: Scene, L: RealLook, u: number, v: number, g: number, out: Rgb): void {
  const base = skyBase;
  for (let c = 0; c < 3; c++) base[c] = s.skyTop[c]! + (s.skyLow[c]! - s.skyTop[c]!) * g;
  if (L.glow > 0) {
    const a = u - L.glowX * 6,
      b = (1 - g) * 2;
    const k = L.glow * Math.exp(-Math.sqrt(a * a + b * b) * 0.8);
    for (let c = 0; c < 3; c++) base[c] = base[c]! + (1 - base[c]!) * k;
  }
  const n = 0.6 * vnoise(u, v, s.salt + 4) + 0.3 * vnoise(u * 2.7, v * 2.7, s.salt + 5) + 0.1 * vnoise(u * 7, v * 7, s.salt + 6);
  const k = clamp01((n - 0.75 + s.cloud * 0.6) * 3) * (1 - 0.5 * g);
  const shade = L.sky === 'overcast' ? 0.8 + 0.25 * n : 0.9 + 0.15 * n;
  for (let c = 0; c < 3; c++) out[c] = base[c]! + (s.cloudColour[c]! * shade - base[c]!) * k;
}

function drawSkyAndGround(r: Raster, L: RealLook): void {
  const { W, H, f, cx, cy, s } = r;
  const c: Rgb = [0, 0, 0];
  for (let y = 0; y < H; y++) {
    const dy = y + 0.5 - cy;
    if (dy <= 0) {
      const g = clamp01((y + 0.5) / cy) ** 1.3;
      const v = ((y + 0.5) / H) * 6;
      for (let x = 0; x < W; x++) {
        skyAt(s, L, ((x + 0.5) / H) * 2.5, v, g, c);
        const p = y * W + x;
        r.data[3 * p] = c[0];
        r.data[3 * p + 1] = c[1];
        r.data[3 * p + 2] = c[2];
        r.label[p] = SKY;
      }
    } else {
      const Z = (f * s.hc) / dy,
        pxm = Z / f,
        dz = Z / dy;
      for (let x = 0; x < W; x++) {
        const p = y * W + x;
        const cls = groundAt(s, L, (x + 0.5 - cx) * pxm, Z, pxm, dz, c);
        r.data[3 * p] = r.data[3 * p + 1] = r.data[3 * p + 2] = 0;
        put(r, p, c, 1, Z, cls, true);
      }
    }
  }
}

/** Facade colour at position z along a building front (or along its side wall when side) and height Y. */
function facadeColour(g: RealFacade, z: number, Y: number, dZ: number, dY: number, sideWall: boolean, out: Rgb): void {
  let k = 0.9 + 0.2 * vnoise(z * 0.3, Y * 0.3, g.salt);
  const fine = Math.min(1, 0.15 / Math.max(dZ, dY));
  if (g.material === 'brick') k *= 1 + 0.12 * fine * (vnoise(z * 4, Y * 12, g.salt + 1) - 0.5);
  else if (g.material === 'render') k *= 1 - 0.12 * clamp01(vnoise(z * 0.8, Y * 0.5, g.salt + 2) - 0.6) * 3;
  else if (g.material === 'concrete' || g.material === 'panel') {
    const p = g.material === 'panel' ? 1.5 : 3;
    k *= 1 - 0.2 * Math.max(boxCov(z - Math.round(z / p) * p, 0.03, dZ), boxCov(Y - Math.round(Y / p) * p, 0.03, dY));
  }
  if (Y > g.height) {
    // Pitched roof (tiles, courses) or a chimney on it.
    if (Y > g.height + g.pitch + 0.05 || sideWall) set(out, g.colour, k * 0.85);
    else set(out, g.tiles, 0.85 + 0.25 * vnoise(z * 0.5, Y * 0.5, g.salt + 5) - 0.15 * fine * band(Y / 0.3, 0.5, 0.1, dY / 0.3));
    return;
  }
  if (Y > g.height - 0.5) {
    set(out, g.roof, 0.9);
    return;
  }
  set(out, g.colour, k);
  if (sideWall) return;
  if (Y < 0.3) {
    set(out, g.colour, k * 0.7);
    return;
  }
  const ground = Y < g.floor;
  if (g.material === 'glass' && !ground) {
    const w = band(Y / g.floor, 0.5, g.winH / 2, dY / g.floor) * band(z / 1.5, 0.5, g.winW / 2, dZ / 1.5);
    const refl = 0.7 + 0.6 * vnoise(z * 0.2, Y * 0.15, g.salt + 3);
    for (let c = 0; c < 3; c++) out[c] = out[c]! + (g.glass[c]! * refl * 1.6 - out[c]!) * w;
    return;
  }
  if (ground && g.shop) {
    const bay = g.bay * 2;
    if (Y > g.floor - 0.75) {
      set(out, g.fascia, 0.9 + 0.1 * band(z / 0.7, 0.5, 0.3, dZ / 0.7));
      return;
    }
    if (g.awning && Y > g.floor - 1.3) {
      set(out, g.awning, 0.8 + 0.3 * band(z / 0.5, 0.5, 0.25, dZ / 0.5));
      return;
    }
    const fr = band(z / bay, 0.5, 0.46, dZ / bay);
    const w = band(z / bay, 0.5, 0.42, dZ / bay) * (Y > 0.5 ? 1 : 0);
    for (let c = 0; c < 3; c++) out[c] = out[c]! + (g.frame[c]! * 0.6 - out[c]!) * fr;
    const inside = 0.6 + 0.8 * hash2(Math.floor(z / 1.2), Math.floor(Y), g.salt + 4);
    for (let c = 0; c < 3; c++) out[c] = out[c]! + (g.glass[c]! * inside * 1.4 - out[c]!) * w;
    return;
  }
  const bay = ground ? g.bay * 1.5 : g.bay;
  const fy = band(Y / g.floor, ground ? 0.42 : 0.55, (ground ? 0.6 : g.winH) / 2 + 0.05, dY / g.floor),
    fz = band(z / bay, 0.5, (ground ? 0.45 : g.winW) / 2 + 0.04, dZ / bay);
  const wy = band(Y / g.floor, ground ? 0.42 : 0.55, (ground ? 0.6 : g.winH) / 2, dY / g.floor),
    wz = band(z / bay, 0.5, (ground ? 0.45 : g.winW) / 2, dZ / bay);
  const fr = fy * fz,
    w = wy * wz;
  if (fr <= 0) return;
  for (let c = 0; c < 3; c++) out[c] = out[c]! + (g.frame[c]! - out[c]!) * (fr - w);
  const h = hash2(Math.floor(Y / g.floor), Math.floor(z / bay), g.salt);
  const refl = 0.6 + 1.2 * h;
  for (let c = 0; c < 3; c++) out[c] = out[c]! + (g.glass[c]! * refl - out[c]!) * w;
}

interface Hit {
  Z: number;
  g: RealFacade;
  side: boolean;
  t: number;
}
const hits: Hit[] = [];

/** Draw the facades of one street side (sg = −1 left, +1 right) as boxes: per column every front or near side wall the ray enters, far to near. */
function drawSide(r: Raster, side: RealSide, sg: number): void {
  const { W, f, cx, cy, s } = r;
  const light = sg === -s.sun ? 1 + 0.15 * s.sunK : 1 - 0.35 * s.sunK;
  for (let x = 0; x < W; x++) {
    const dx = x + 0.5 - cx;
    if (dx * sg <= 0) continue;
    const adx = Math.abs(dx);
    hits.length = 0;
    for (const g of side.facades) {
      if (g.kind === 'gap') continue;
      const A = side.wall + g.inset;
      const Zf = (f * A) / adx;
      if (Zf >= g.z0 && Zf < g.z1 && Zf < s.end) hits.push({ Z: Zf, g, side: false, t: Zf - g.z0 });
      else {
        const Xs = (adx * g.z0) / f;
        if (g.kind === 'building' && Xs > A && Xs < A + BLOCK_DEPTH && g.z0 < s.end) hits.push({ Z: g.z0, g, side: true, t: Xs - A });
      }
    }
    if (hits.length === 0) continue;
    hits.sort((a, b) => b.Z - a.Z);
    for (const h of hits) {
      const { Z, g } = h;
      const green = g.kind === 'green';
      let top = green ? g.height * (0.8 + 0.1 * Math.sin(Z * 0.7 + g.salt) + 0.35 * vnoise(Z * 0.9, 0, g.salt) + 0.1 * vnoise(Z * 4, 0, g.salt + 2)) : g.height;
      if (g.pitch > 0) {
        if (h.side) top += g.pitch * clamp01(1 - Math.abs((2 * h.t) / BLOCK_DEPTH - 1)) * 1.5;
        else {
          top += g.pitch;
          const c = h.t / 7 - Math.floor(h.t / 7);
          if (c > 0.45 && c < 0.55 && hash2(Math.floor(h.t / 7), 0, g.salt) < 0.6) top += 1.2;
        }
      }
      const dZ = h.side ? Z / f : (Z * Z) / (f * (side.wall + g.inset)),
        dY = Z / f;
      const lk = h.side ? light * 0.75 : light;
      span(r, x, Z, cy + (f * (s.hc - top)) / Z, cy + (f * s.hc) / Z, green ? VEGETATION : BUILDING, (Y, out) => {
        if (green) {
          const k = (0.5 + 0.5 * vnoise(Z * 1.5, Y * 1.5, g.salt) + 0.25 * vnoise(Z * 5, Y * 5, g.salt + 1)) * (0.7 + 0.3 * clamp01(Y / top)) * light;
          set(out, g.colour, k);
        } else {
          facadeColour(g, h.t, Y, dZ, dY, h.side, out);
          out[0] *= lk;
          out[1] *= lk;
          out[2] *= lk;
        }
      });
    }
  }
}

/** Hedges, fences and low walls: planes facing the road at lateral X. */
function drawStrip(r: Raster, st: RealStrip): void {
  const cls = st.kind === 'hedge' ? VEGETATION : BUILDING;
  const s = r.s;
  drawSidePlane(
    r,
    st.X,
    st.Z,
    st.z1,
    st.h + 0.4,
    (Z, Y, out) => {
      if (st.kind === 'hedge') {
        const top = st.h * (0.85 + 0.3 * vnoise(Z * 1.2, 0, st.salt));
        if (Y > top) return false;
        set(out, st.colour, (0.55 + 0.5 * vnoise(Z * 4, Y * 4, st.salt + 1) + 0.2 * vnoise(Z * 12, Y * 12, st.salt + 2)) * (0.75 + 0.25 * (Y / top)));
        return true;
      }
      if (Y > st.h) return false;
      if (st.kind === 'wall') {
        set(out, st.colour, (Y > st.h - 0.1 ? 0.8 : 1) * (0.9 + 0.2 * vnoise(Z * 2, Y * 2, st.salt)));
        return true;
      }
      // A railing: posts, top and bottom rails, thin bars; see-through between them.
      const p = Z - Math.floor(Z / 2) * 2;
      const bar = Z * 8 - Math.floor(Z * 8) < 0.35;
      if (p < 0.08 || Y > st.h - 0.07 || (Y > 0.1 && Y < 0.17) || bar) {
        set(out, st.colour, 1 + 0.2 * s.sunK);
        return true;
      }
      return false;
    },
    cls,
  );
}

function boxBlur121(src: Float32Array, dst: Float32Array, W: number, H: number): void {
  // Horizontal into dst, then vertical back into src.
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const xl = x > 0 ? x - 1 : 0,
        xr = x < W - 1 ? x + 1 : W - 1;
      for (let c = 0; c < 3; c++) {
        const i = (y * W + x) * 3 + c;
        dst[i] = 0.25 * src[(y * W + xl) * 3 + c]! + 0.5 * src[i]! + 0.25 * src[(y * W + xr) * 3 + c]!;
      }
    }
  }
  for (let y = 0; y < H; y++) {
    const yu = y > 0 ? y - 1 : 0,
      yd = y < H - 1 ? y + 1 : H - 1;
    for (let x = 0; x < W * 3; x++) src[y * W * 3 + x] = 0.25 * dst[yu * W * 3 + x]! + 0.5 * dst[y * W * 3 + x]! + 0.25 * dst[yd * W * 3 + x]!;
  }
}

/** The camera: white balance, exposure, vignette, blur, gamma, contrast, saturation and block artefacts on the float canvas. */
function develop(r: Raster, L: RealLook): void {
  const { W, H, s, data } = r;
  if (L.blur > 0.05) {
    const n = data.length;
    const blurred = scratch.get(n) ?? new Float32Array(n);
    const tmp = scratch.get(-n) ?? new Float32Array(n);
    scratch.set(n, blurred);
    scratch.set(-n, tmp);
    blurred.set(data);
    for (let pass = H >= 128 ? 2 : 1; pass > 0; pass--) boxBlur121(blurred, tmp, W, H);
    for (let i = 0; i < n; i++) data[i] = data[i]! + (blurred[i]! - data[i]!) * L.blur;
  }
  const gk0 = s.light * s.tint[0] * L.gain[0] * L.exposure,
    gk1 = s.light * s.tint[1] * L.gain[1] * L.exposure,
    gk2 = s.light * s.tint[2] * L.gain[2] * L.exposure;
  // Gamma and contrast through a table over [0, 1] (linear interpolation).
  const lut = gammaLut;
  for (let i = 0; i <= LUT_N; i++) lut[i] = ((i / LUT_N) ** L.gamma - 0.5) * L.contrast + 0.5;
  const tone = (v: number): number => {
    const t = (v <= 0 ? 0 : v >= 1 ? 1 : v) * LUT_N;
    const i = t | 0;
    return i >= LUT_N ? lut[LUT_N]! : lut[i]! + (lut[i + 1]! - lut[i]!) * (t - i);
  };
  for (let y = 0; y < H; y++) {
    const ry = (y + 0.5) / H - 0.5;
    for (let x = 0; x < W; x++) {
      const rx = ((x + 0.5) / W - 0.5) * 1.4;
      const vig = 1 - L.vignette * (rx * rx + ry * ry) * 1.6;
      const i = (y * W + x) * 3;
      const r0 = tone(data[i]! * gk0 * vig),
        g0 = tone(data[i + 1]! * gk1 * vig),
        b0 = tone(data[i + 2]! * gk2 * vig);
      const l = 0.299 * r0 + 0.587 * g0 + 0.114 * b0;
      data[i] = l + (r0 - l) * L.saturation;
      data[i + 1] = l + (g0 - l) * L.saturation;
      data[i + 2] = l + (b0 - l) * L.saturation;
    }
  }
  if (L.block > 0) {
    // JPEG-like: within each block the detail is quantised around the block mean (blockiness, banding).
    const B = Math.max(4, H >> 4);
    const q = L.block;
    for (let by = 0; by < H; by += B) {
      for (let bx = 0; bx < W; bx += B) {
        const y1 = Math.min(H, by + B),
          x1 = Math.min(W, bx + B);
        for (let c = 0; c < 3; c++) {
          let m = 0;
          for (let y = by; y < y1; y++) for (let x = bx; x < x1; x++) m += data[(y * W + x) * 3 + c]!;
          m /= (y1 - by) * (x1 - bx);
          for (let y = by; y < y1; y++) {
            for (let x = bx; x < x1; x++) {
              const i = (y * W + x) * 3 + c;
              data[i] = m + Math.round((data[i]! - m) / q) * q;
            }
          }
        }
      }
    }
  }
}

/**
 * Rasterise realistic scene s (s.real set) on the canvas cv (streets.ts's per-size canvas, reused): RGB into outImage at imageOffset, class ids into label, person
 * ids (people and cyclists, far to near) into inst. Returns the per-person pixel counts drawn (index 0 unused).
 */
export function rasteriseRealistic(
  s: Scene,
  noiseSeed: number,
  cv: Canvas,
  outImage: Uint8Array,
  imageOffset: number,
  label: Uint8Array,
  inst: Uint16Array,
): Uint32Array {
  const L = s.real!;
  const { width, height } = cv;
  inst.fill(0);
  const people = L.things.filter((t) => t.kind === 'person' || t.kind === 'cyclist').length;
  const r = newRaster(s, width, height, cv.data, label, inst, people);
  drawSkyAndGround(r, L);
  drawSkyline(r);
  drawSide(r, s.sides[0] as RealSide, -1);
  drawSide(r, s.sides[1] as RealSide, 1);
  for (const st of L.strips) drawStrip(r, st);
  let id = 0;
  for (const t of L.things) {
    r.instance = t.kind === 'person' || t.kind === 'cyclist' ? ++id : 0;
    drawRealThing(r, t);
  }
  develop(r, L);
  writeNoisyUint8(cv, mulberry32(noiseSeed), s.noise, outImage, imageOffset);
  return r.drawn!;
}
