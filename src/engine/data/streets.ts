/**
 * The built-in procedural street-scene segmentation dataset (8 classes, no files): a pinhole camera looks
 * down a street with a perspective road, sidewalks, facades, greenery, trees, poles, cars and people.
 * Each scene is first described in world units (metres, from a seeded stream that never sees the image
 * size), then rasterised far to near; so the low (64×128) and high (128×256) versions of an item are the
 * same scene, and each pixel's label is the class of the last surface drawn over its centre.
 */
import { hashSeed, mulberry32, randInt, uniform, type Rng } from '../random';
import { createCanvas, hsv, sdBox, sdCapsule, writeNoisyUint8, type Canvas, type Rgb } from './raster';
import type { SegColour, SegDataset, SegSplit } from './segDataset';

export const STREET_CLASSES = ['sky', 'building', 'road', 'sidewalk', 'vegetation', 'car', 'person', 'pole'] as const;

/** Display colours per class (the Cityscapes palette for the same classes). */
export const STREET_PALETTE: readonly SegColour[] = [
  [70, 130, 180],
  [70, 70, 70],
  [128, 64, 128],
  [244, 35, 232],
  [107, 142, 35],
  [0, 0, 142],
  [220, 20, 60],
  [153, 153, 153],
];

/** The two input sizes (height × width; both 1:2). */
export const STREET_SIZES = { low: { height: 64, width: 128 }, high: { height: 128, width: 256 } } as const;
export type StreetSize = keyof typeof STREET_SIZES;

/** Split ids mixed into each scene's seed, so train and test never coincide. */
export const STREET_SPLIT = { train: 0, test: 1 } as const;

const SKY = 0,
  BUILDING = 1,
  ROAD = 2,
  SIDEWALK = 3,
  VEGETATION = 4,
  CAR = 5,
  PERSON = 6,
  POLE = 7;
const ASPECT = 2; // width / height the scenes are composed for
const CURB = 0.25; // kerb stone width (m), labelled sidewalk
const NOISE_SALT = 0x5ce4e;

interface Facade {
  z0: number;
  z1: number;
  kind: 'building' | 'green' | 'gap';
  height: number;
  colour: Rgb;
  glass: Rgb;
  floor: number;
  bay: number;
  winW: number;
  winH: number;
  lit: number;
  salt: number;
}
interface Side {
  curb: number;
  verge: number;
  walk: number;
  setbackGrass: boolean;
  wall: number;
  facades: Facade[];
}
interface Block {
  x0: number;
  x1: number;
  h: number;
  colour: Rgb;
  veg: boolean;
}
type Thing =
  | { kind: 'car'; X: number; Z: number; w: number; h: number; L: number; colour: Rgb; front: boolean; van: boolean }
  | { kind: 'person'; X: number; Z: number; h: number; shirt: Rgb; pants: Rgb; skin: Rgb; hair: Rgb; stride: number; swing: number }
  | { kind: 'tree'; X: number; Z: number; trunk: number; r: number; leaf: Rgb; salt: number }
  | { kind: 'pole'; X: number; Z: number; h: number; w: number; colour: Rgb; top: 'lamp' | 'sign' | 'light'; dir: number; sign: Rgb };

/** A whole scene in world units: camera, light, street layout and objects sorted far to near. */
interface Scene {
  hz: number;
  vp: number;
  fv: number;
  hc: number;
  light: number;
  tint: Rgb;
  sun: number;
  sunK: number;
  shadeA: number;
  skyTop: Rgb;
  skyLow: Rgb;
  cloud: number;
  cloudColour: Rgb;
  haze: number;
  salt: number;
  left: number;
  right: number;
  laneW: number;
  lanes: number;
  asphalt: Rgb;
  paint: Rgb;
  yellow: boolean;
  dash: number;
  duty: number;
  dashPhase: number;
  edgeLines: boolean;
  cross: number;
  walk: Rgb;
  curb: Rgb;
  grass: Rgb;
  tile: number;
  sides: [Side, Side];
  end: number;
  skylineZ: number;
  skyline: Block[];
  things: Thing[];
  noise: number;
}

const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
const scale = (a: Rgb, k: number): Rgb => [a[0] * k, a[1] * k, a[2] * k];
const clamp01 = (t: number) => (t <= 0 ? 0 : t >= 1 ? 1 : t);

/** out = c · k. */
function set(out: Rgb, c: Rgb, k = 1): void {
  out[0] = c[0] * k;
  out[1] = c[1] * k;
  out[2] = c[2] * k;
}

/** Integer lattice hash in [0, 1). */
function hash2(ix: number, iy: number, salt: number): number {
  let h = Math.imul(ix | 0, 0x27d4eb2d) ^ Math.imul(iy | 0, 0x165667b1) ^ salt;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

let lattice: Float32Array | undefined;

/** Smooth value noise in [0, 1) over world coordinates (size-independent texture; a fixed 256×256 lattice, offset by salt). */
function vnoise(x: number, y: number, salt: number): number {
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
function boxCov(d: number, h: number, p: number): number {
  const o = Math.min(d + p / 2, h) - Math.max(d - p / 2, -h);
  return o <= 0 ? 0 : Math.min(1, o / p);
}

/** Weight of a periodic band (centre c, half-width h, in periods) at phase t for a pixel footprint p (in periods). */
function band(t: number, c: number, h: number, p: number): number {
  if (p >= 1) return 2 * h;
  let d = t - c;
  d -= Math.round(d);
  const w = boxCov(d, h, p);
  return w + (2 * h - w) * p;
}

// ─── Scene description (all random draws happen here, independent of the image size) ───────────────

function greyish(rng: Rng, vLo: number, vHi: number, satMax: number): Rgb {
  return hsv(rng(), uniform(rng, 0, satMax), uniform(rng, vLo, vHi));
}

function facadeStyle(rng: Rng, urban: boolean, lit: number): Omit<Facade, 'z0' | 'z1' | 'kind'> {
  const u = (lo: number, hi: number) => uniform(rng, lo, hi);
  const pick = rng();
  const glassy = pick < 0.12;
  const colour = glassy
    ? hsv(u(0.52, 0.62), u(0.1, 0.35), u(0.3, 0.55))
    : pick < 0.35
      ? hsv(u(0, 0.05), u(0.35, 0.6), u(0.35, 0.6)) // brick
      : pick < 0.7
        ? hsv(u(0.04, 0.16), u(0.1, 0.4), u(0.55, 0.92)) // plaster
        : greyish(rng, 0.4, 0.8, 0.08); // concrete
  return {
    height: urban ? u(10, 32) : u(6, 14),
    colour,
    glass: hsv(u(0.55, 0.65), u(0.1, 0.35), u(0.1, 0.32)),
    floor: u(2.9, 3.6),
    bay: u(2, 3.5),
    winW: glassy ? u(0.8, 0.9) : u(0.3, 0.6),
    winH: glassy ? u(0.7, 0.85) : u(0.4, 0.6),
    lit,
    salt: (rng() * 2 ** 31) | 0,
  };
}

function buildSide(rng: Rng, curb: number, end: number, lit: number, leaf: Rgb): Side {
  const u = (lo: number, hi: number) => uniform(rng, lo, hi);
  const verge = rng() < 0.3 ? u(0.8, 2.5) : 0;
  const walk = u(1.8, 5);
  const setbackGrass = rng() < 0.35;
  const setback = setbackGrass ? u(1, 5) : rng() < 0.3 ? u(0.5, 3) : 0;
  const style = rng();
  const [pb, pg] = style < 0.6 ? [0.9, 0.06] : style < 0.9 ? [0.55, 0.3] : [0.1, 0.75];
  const facades: Facade[] = [];
  for (let z = 0; z < end;) {
    const r = rng();
    const kind = r < pb ? 'building' : r < pb + pg ? 'green' : 'gap';
    const len = kind === 'building' ? u(8, 30) : kind === 'green' ? u(10, 40) : u(4, 15);
    const f: Facade = { z0: z, z1: Math.min(end, z + len), kind, ...facadeStyle(rng, style < 0.6, lit) };
    if (kind === 'green') {
      f.height = u(2, 9);
      f.colour = mix(leaf, hsv(u(0.18, 0.32), u(0.4, 0.7), u(0.25, 0.5)), 0.5);
    }
    facades.push(f);
    z += len;
  }
  return { curb, verge, walk, setbackGrass, wall: curb + CURB + verge + walk + setback, facades };
}

function carColour(rng: Rng): Rgb {
  if (rng() < 0.35) return hsv(rng(), uniform(rng, 0.5, 0.9), uniform(rng, 0.3, 0.85));
  const v = [uniform(rng, 0.06, 0.2), uniform(rng, 0.45, 0.7), uniform(rng, 0.82, 0.95)][randInt(rng, 3)]!;
  return hsv(rng(), uniform(rng, 0, 0.08), v);
}

/** Z between near and far, biased towards near. */
const depth = (rng: Rng, near: number, far: number, bias: number) => near + (far - near) * rng() ** bias;

function buildScene(rng: Rng): Scene {
  const u = (lo: number, hi: number) => uniform(rng, lo, hi);
  const hz = u(0.36, 0.5),
    vp = u(0.4, 0.6),
    fv = u(0.95, 1.35),
    hc = u(1.3, 1.7);
  const zMin = (fv * hc) / (1 - hz);
  const mood = rng();
  const sunny = mood < 0.55,
    dusk = mood >= 0.85;
  const skyTop = sunny
    ? hsv(u(0.56, 0.61), u(0.45, 0.75), u(0.7, 0.95))
    : dusk
      ? hsv(u(0.6, 0.7), u(0.35, 0.6), u(0.35, 0.55))
      : hsv(u(0.55, 0.65), u(0.03, 0.15), u(0.62, 0.82));
  const skyLow = sunny
    ? hsv(u(0.55, 0.6), u(0.1, 0.3), u(0.88, 1))
    : dusk
      ? hsv(u(0.04, 0.1), u(0.35, 0.6), u(0.85, 1))
      : hsv(u(0.55, 0.65), u(0.02, 0.1), u(0.8, 0.95));
  const sunK = sunny ? u(0.5, 1) : dusk ? u(0.2, 0.5) : u(0, 0.15);
  const light = sunny ? u(0.95, 1.12) : dusk ? u(0.62, 0.82) : u(0.8, 1);
  const warm = dusk ? u(0.05, 0.12) : u(-0.04, 0.05);
  const lit = dusk ? u(0.2, 0.5) : u(0, 0.08);

  const lanes = 2 + randInt(rng, 3);
  const laneW = u(2.8, 3.6);
  const left = (randInt(rng, lanes) + u(0.25, 0.75)) * laneW;
  const right = lanes * laneW - left;
  const end = u(50, 160);
  const leaf = hsv(u(0.19, 0.3), u(0.4, 0.7), u(0.25, 0.5));
  const sides: [Side, Side] = [buildSide(rng, left, end, lit, leaf), buildSide(rng, right, end, lit, leaf)];
  const sun = rng() < 0.5 ? -1 : 1;
  const sunSide = sides[sun < 0 ? 0 : 1];
  const skylineZ = end + u(8, 25);
  const xMax = (Math.max(vp, 1 - vp) * ASPECT * skylineZ) / fv + 5;
  const skyline: Block[] = [];
  for (let x = -xMax; x < xMax;) {
    const w = u(8, 30);
    const veg = rng() < 0.2;
    const h = rng() < 0.08 ? 0 : veg ? u(4, 12) : u(4, 40);
    skyline.push({ x0: x, x1: x + w, h, veg, colour: veg ? leaf : greyish(rng, 0.35, 0.75, 0.2) });
    x += w;
  }
  const scene: Scene = {
    hz,
    vp,
    fv,
    hc,
    light,
    sunK,
    sun,
    skyTop,
    skyLow,
    haze: u(120, 450),
    salt: (rng() * 2 ** 31) | 0,
    tint: [1 + warm, 1, 1 - warm],
    shadeA: sunSide.wall - u(0.2, 1) * (sunSide.wall + sides[sun < 0 ? 1 : 0].wall),
    cloud: sunny ? u(0, 0.5) : dusk ? u(0.1, 0.5) : u(0.4, 0.9),
    cloudColour: sunny ? [0.97, 0.97, 0.98] : dusk ? hsv(u(0.02, 0.08), u(0.2, 0.4), u(0.6, 0.8)) : hsv(0.6, 0.04, u(0.55, 0.75)),
    left,
    right,
    laneW,
    lanes,
    asphalt: greyish(rng, 0.2, 0.42, 0.08),
    paint: [0.9, 0.9, 0.88],
    yellow: rng() < 0.35,
    dash: u(8, 12),
    duty: u(0.3, 0.5),
    dashPhase: rng(),
    edgeLines: rng() < 0.5,
    cross: rng() < 0.3 ? zMin + u(2, 20) : 0,
    walk: hsv(u(0.05, 0.15), u(0, 0.25), u(0.5, 0.78)),
    curb: greyish(rng, 0.7, 0.85, 0.05),
    grass: hsv(u(0.2, 0.3), u(0.35, 0.7), u(0.3, 0.6)),
    tile: u(0.4, 1.2),
    sides,
    end,
    skylineZ,
    skyline,
    things: [],
    noise: u(0.015, 0.045),
  };
  placeThings(rng, scene, zMin, leaf);
  return scene;
}

function placeThings(rng: Rng, s: Scene, zMin: number, leaf: Rgb): void {
  const u = (lo: number, hi: number) => uniform(rng, lo, hi);
  const things = s.things;
  s.sides.forEach((side, k) => {
    const sg = k === 0 ? -1 : 1;
    if (rng() < 0.5) {
      const a = side.verge > 0 ? side.curb + CURB + side.verge / 2 : side.setbackGrass ? side.wall - 1.2 : side.curb + CURB + 0.8;
      const spacing = u(6, 14);
      for (let z = u(0.8, 0.8 + spacing / zMin) * zMin; z < s.end - 3; z += spacing * u(0.8, 1.2)) {
        things.push({
          kind: 'tree',
          X: sg * a,
          Z: z,
          trunk: u(1.8, 3.2),
          r: u(1.3, 3),
          leaf: mix(leaf, hsv(u(0.18, 0.32), u(0.4, 0.7), u(0.25, 0.55)), 0.4),
          salt: (rng() * 2 ** 31) | 0,
        });
      }
    }
    if (rng() < 0.7) {
      const spacing = u(12, 30);
      const top = rng() < 0.6 ? 'lamp' : rng() < 0.75 ? 'sign' : 'light';
      const colour = greyish(rng, 0.2, 0.55, 0.15);
      for (let z = zMin * u(1, 2) + u(0, spacing); z < s.end - 3; z += spacing) {
        const sign: Rgb = [hsv(0.6, 0.8, 0.6), hsv(0, 0.85, 0.75), [0.9, 0.9, 0.9] as Rgb, hsv(0.12, 0.9, 0.9)][randInt(rng, 4)]!;
        things.push({ kind: 'pole', X: sg * (side.curb + CURB + 0.45), Z: z, h: u(5, 9), w: u(0.2, 0.35), colour, top, dir: -sg, sign });
      }
    }
  });
  const centre = -s.left + Math.floor(s.lanes / 2) * s.laneW;
  const cars: Extract<Thing, { kind: 'car' }>[] = [];
  /** Place a car with its near face at depth Z unless it overlaps one already placed; returns its length. */
  const addCar = (X: number, Z: number): number => {
    const van = rng() < 0.2;
    const w = van ? u(1.9, 2.1) : u(1.65, 1.9);
    const L = van ? u(4.5, 5.5) : u(3.9, 4.9);
    const h = van ? u(1.9, 2.3) : u(1.35, 1.6);
    const colour = carColour(rng);
    if (cars.some((c) => Math.abs(c.X - X) < (c.w + w) / 2 + 0.4 && Z < c.Z + c.L + 1 && c.Z < Z + L + 1)) return L;
    cars.push({ kind: 'car', X, Z, w, h, L, colour, front: X < centre, van });
    return L;
  };
  for (const X of [-s.left + 1.1, s.right - 1.1]) {
    if (rng() > 0.35) continue;
    for (let k = 2 + randInt(rng, 5), z = depth(rng, zMin * 1.2, 25, 1.5); k > 0 && z < s.end - 5; k--) z += addCar(X, z) + u(0.6, 3);
  }
  for (let n = randInt(rng, 7); n > 0; n--) {
    const X = rng() < 0.3 ? (rng() < 0.5 ? -s.left + 1.1 : s.right - 1.1) : -s.left + (randInt(rng, s.lanes) + 0.5) * s.laneW + u(-0.3, 0.3);
    addCar(X, depth(rng, Math.max(zMin * 1.2, Math.abs(X) < 1.5 ? 6 : 3), Math.min(s.end - 5, 60), 1.8));
  }
  things.push(...cars);
  for (let n = randInt(rng, 16); n > 0; n--) {
    const sg = rng() < 0.5 ? 0 : 1;
    const side = s.sides[sg]!;
    const onCross = s.cross > 0 && rng() < 0.3;
    const X = onCross ? u(-s.left + 0.5, s.right - 0.5) : (sg ? 1 : -1) * (side.curb + CURB + side.verge + u(0.4, side.walk - 0.4));
    const Z = onCross ? s.cross + u(0.5, 3) : depth(rng, zMin, Math.min(s.end, 45), 2);
    const child = rng() < 0.1;
    things.push({
      kind: 'person',
      X,
      Z,
      h: child ? u(1, 1.3) : u(1.55, 1.9),
      shirt: hsv(rng(), u(0, 0.8), u(0.15, 0.9)),
      pants: hsv(rng(), u(0, 0.5), u(0.1, 0.6)),
      skin: hsv(u(0.03, 0.1), u(0.25, 0.6), u(0.3, 0.9)),
      hair: hsv(u(0.05, 0.1), u(0.2, 0.6), u(0.05, 0.45)),
      stride: u(0, 0.22),
      swing: u(-0.1, 0.15),
    });
  }
  things.sort((a, b) => b.Z - a.Z);
}

// ─── Rasteriser (pixel space: x = cx + f·X/Z, y = cy + f·(hc − Y)/Z, Y up, Z depth) ─────────────────

interface Raster {
  W: number;
  H: number;
  f: number;
  cx: number;
  cy: number;
  s: Scene;
  data: Float32Array;
  label: Uint8Array;
}
type Sdf2 = (X: number, Y: number) => number;
type Paint2 = (X: number, Y: number, out: Rgb) => void;

/** Blend colour c, hazed by depth Z, over pixel p with coverage a; the label follows the pixel centre (inside). */
function put(r: Raster, p: number, c: Rgb, a: number, Z: number, cls: number, inside: boolean): void {
  const m = Z / (Z + r.s.haze);
  const h = r.s.skyLow,
    d = r.data,
    i = p * 3;
  d[i] = d[i]! + (c[0] + (h[0] - c[0]) * m - d[i]!) * a;
  d[i + 1] = d[i + 1]! + (c[1] + (h[1] - c[1]) * m - d[i + 1]!) * a;
  d[i + 2] = d[i + 2]! + (c[2] + (h[2] - c[2]) * m - d[i + 2]!) * a;
  if (inside) r.label[p] = cls;
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

function drawSkyAndGround(r: Raster): void {
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
function span(r: Raster, x: number, Z: number, yTop: number, yBot: number, cls: number, shade: (Y: number, out: Rgb) => void): void {
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

function drawSkyline(r: Raster): void {
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

function drawSide(r: Raster, side: Side, sg: number): void {
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

/** Draw a shape on the vertical plane at depth Z (world bbox X0..X1 × Y0..Y1), anti-aliased by its distance (m). */
function drawFrontal(r: Raster, Z: number, X0: number, X1: number, Y0: number, Y1: number, sdf: Sdf2, paint: Paint2, cls: number): void {
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
      put(r, y * W + x, c, Math.min(1, 0.5 - d), Z, cls, d < 0);
    }
  }
}

/** Draw on the plane X = Xp between depths z0 and z1 up to height Y1; shader says which (Z, Y) belong to it. */
function drawSidePlane(r: Raster, Xp: number, z0: number, z1: number, Y1: number, shader: (Z: number, Y: number, out: Rgb) => boolean, cls: number): void {
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
function shadeGround(r: Raster, X0: number, X1: number, Z0: number, Z1: number, k: number): void {
  const { W, H, f, cx, cy, s } = r;
  for (let y = Math.max(0, Math.ceil(cy + (f * s.hc) / Z1 - 0.5)); y < Math.min(H, cy + (f * s.hc) / Z0 - 0.5); y++) {
    const m = s.hc / (y + 0.5 - cy);
    for (let x = Math.max(0, Math.ceil(cx + X0 / m - 0.5)); x < Math.min(W, cx + X1 / m - 0.5); x++) {
      for (let c = 0; c < 3; c++) r.data[3 * (y * W + x) + c]! *= k;
    }
  }
}

const TYRE: Rgb = [0.06, 0.06, 0.07];
const RIM: Rgb = [0.5, 0.5, 0.52];
const BARK: Rgb = [0.32, 0.24, 0.16];

function drawCar(r: Raster, c: Extract<Thing, { kind: 'car' }>): void {
  const s = r.s;
  const hw = c.w / 2,
    hb = c.van ? 1 : 0.85 + (c.h - 1.35) * 0.3;
  const glass = scale(mix(c.colour, [0.3, 0.4, 0.5], 0.8), 0.45);
  shadeGround(r, c.X - hw, c.X + hw, c.Z, c.Z + c.L * 0.95, 0.45);
  const sideX = c.X + hw < -0.05 ? c.X + hw : c.X - hw > 0.05 ? c.X - hw : 0;
  if (sideX !== 0) {
    const light = Math.sign(sideX - c.X) === s.sun ? 1 + 0.1 * s.sunK : 1 - 0.3 * s.sunK;
    drawSidePlane(
      r,
      sideX,
      c.Z,
      c.Z + c.L,
      c.h,
      (Z, Y, out) => {
        const z = Z - c.Z;
        for (const zc of [0.8, c.L - 0.8]) {
          const dd = (z - zc) ** 2 + (Y - 0.32) ** 2;
          if (dd < 0.1024) {
            set(out, dd < 0.03 ? RIM : TYRE);
            return true;
          }
        }
        if (Y < 0.25 || Y > c.h) return false;
        if (Y < hb) {
          set(out, c.colour, light * (Y < 0.4 ? 0.75 : 1));
          return true;
        }
        const t = (Y - hb) / (c.h - hb);
        const za = c.van ? 0.15 + t * 0.4 : 0.9 + t * 0.7,
          zb = c.van ? c.L - 0.15 : c.L - 0.9 - t * 0.6;
        if (z < za || z > zb) return false;
        const inGlass = z > za + 0.1 && z < zb - 0.1 && Y < c.h - 0.07 && Y > hb + 0.05 && Math.abs(z - (za + zb) / 2) > 0.05;
        set(out, inGlass ? glass : c.colour, inGlass ? 1 : light);
        return true;
      },
      CAR,
    );
  }
  const cabinW = (Y: number) => hw * (0.94 - (c.van ? 0.06 : 0.24) * clamp01((Y - hb) / (c.h - hb)));
  const sdf: Sdf2 = (X, Y) => {
    const x = X - c.X;
    const body = sdBox(x, Y - (0.22 + hb) / 2, hw - 0.08, (hb - 0.22) / 2) - 0.08;
    const cabin = Math.max(Math.abs(x) - cabinW(Y), Y - c.h, hb - 0.1 - Y);
    const wheels = sdBox(Math.abs(x) - (hw - 0.24), Y - 0.2, 0.14, 0.2);
    return Math.min(body, cabin, wheels);
  };
  const paint: Paint2 = (X, Y, out) => {
    const x = Math.abs(X - c.X);
    let col: Rgb = c.colour;
    if (Y < 0.24) col = TYRE;
    else if (Y > hb) col = cabinW(Y) - x > 0.1 && Y < c.h - 0.08 && Y > hb + 0.06 ? glass : c.colour;
    else if (Y < 0.36) col = scale(c.colour, 0.55);
    else if (Y > hb - 0.28 && Y < hb - 0.1 && x > hw - 0.38) col = c.front ? [0.95, 0.93, 0.8] : [0.75, 0.06, 0.05];
    else if (x < 0.26 && Y > 0.4 && Y < 0.53) col = [0.9, 0.9, 0.85];
    else if (c.front && x < 0.5 && Y > 0.53 && Y < hb - 0.08) col = [0.12, 0.12, 0.13];
    const k = 0.85 + 0.2 * clamp01(Y / c.h);
    set(out, col, k);
  };
  drawFrontal(r, c.Z, c.X - hw - 0.1, c.X + hw + 0.1, -0.05, c.h + 0.05, sdf, paint, CAR);
}

function drawPerson(r: Raster, p: Extract<Thing, { kind: 'person' }>): void {
  const k = p.h,
    sun = r.s.sun * r.s.sunK;
  const sdf: Sdf2 = (X, Y) => {
    const x = X - p.X;
    let d = Math.min(sdCapsule(x, Y, -0.09 - p.stride, 0.05, -0.08, 0.47 * k, 0.07), sdCapsule(x, Y, 0.09 + p.stride, 0.05, 0.08, 0.47 * k, 0.07));
    d = Math.min(d, sdBox(x, Y - 0.655 * k, 0.13, 0.15 * k) - 0.06);
    d = Math.min(d, sdCapsule(x, Y, -0.2, 0.79 * k, -0.22 - p.swing, 0.5 * k, 0.045), sdCapsule(x, Y, 0.2, 0.79 * k, 0.22 + p.swing, 0.5 * k, 0.045));
    return Math.min(d, Math.hypot(x, Y - 0.92 * k) - 0.065 * k, sdBox(x, Y - 0.85 * k, 0.04, 0.03 * k));
  };
  const paint: Paint2 = (X, Y, out) => {
    const x = X - p.X;
    const col =
      Y > 0.955 * k ? p.hair : Y > 0.835 * k ? p.skin : Y > 0.49 * k ? (Y < 0.55 * k && Math.abs(x) > 0.17 ? p.skin : p.shirt) : Y < 0.05 ? TYRE : p.pants;
    const l = 1 + 0.5 * sun * x;
    set(out, col, l);
  };
  drawFrontal(r, p.Z, p.X - 0.5, p.X + 0.5, -0.05, k + 0.02, sdf, paint, PERSON);
}

function drawTree(r: Raster, t: Extract<Thing, { kind: 'tree' }>): void {
  const s = r.s;
  const cyc = t.trunk + t.r * 0.85,
    rx = t.r,
    ry = t.r * 1.1;
  const trunkTop = t.trunk + t.r * 0.4;
  drawFrontal(
    r,
    t.Z,
    t.X - 0.3,
    t.X + 0.3,
    0,
    trunkTop,
    (X, Y) => sdBox(X - t.X, Y - trunkTop / 2, 0.12 + 0.02 * t.r, trunkTop / 2),
    (X, _Y, out) => set(out, BARK, 1 + 0.3 * s.sun * s.sunK * (X - t.X) * 4),
    VEGETATION,
  );
  drawFrontal(
    r,
    t.Z,
    t.X - rx * 1.3,
    t.X + rx * 1.3,
    cyc - ry * 1.3,
    cyc + ry * 1.3,
    (X, Y) => {
      const dx = (X - t.X) / rx,
        dy = (Y - cyc) / ry;
      return (Math.sqrt(dx * dx + dy * dy) - 1) * t.r * 0.9 + (vnoise(X * 1.4, Y * 1.4, t.salt) - 0.5) * t.r * 0.5;
    },
    (X, Y, out) => {
      const dx = (X - t.X) / rx,
        dy = (Y - cyc) / ry;
      const k = (0.55 + 0.6 * vnoise(X * 3.5, Y * 3.5, t.salt + 1)) * (1 + 0.3 * s.sun * s.sunK * dx) * (0.85 + 0.2 * dy);
      set(out, t.leaf, k);
    },
    VEGETATION,
  );
}

function drawPole(r: Raster, p: Extract<Thing, { kind: 'pole' }>): void {
  const arm = 1.6 * p.dir,
    boxX = 0.3 * p.dir;
  const sdf: Sdf2 = (X, Y) => {
    const x = X - p.X;
    const shaft = sdBox(x, Y - p.h / 2, p.w / 2, p.h / 2);
    if (p.top === 'lamp') return Math.min(shaft, sdCapsule(x, Y, 0, p.h - 0.15, arm, p.h + 0.05, 0.06), sdBox(x - arm, Y - p.h, 0.3, 0.09));
    if (p.top === 'sign') return Math.min(shaft, sdBox(x, Y - 2.6, 0.32, 0.3));
    return Math.min(shaft, sdBox(x - boxX, Y - 3.3, 0.17, 0.45));
  };
  const paint: Paint2 = (X, Y, out) => {
    const x = X - p.X;
    let col = p.colour;
    if (p.top === 'lamp' && Math.abs(x - arm) < 0.3 && Y < p.h) col = [0.85, 0.85, 0.8];
    else if (p.top === 'sign' && Math.abs(Y - 2.6) < 0.3 && Math.abs(x) < 0.32) col = Math.abs(Y - 2.6) < 0.22 && Math.abs(x) < 0.24 ? p.sign : [0.9, 0.9, 0.9];
    else if (p.top === 'light' && Math.abs(Y - 3.3) < 0.45 && Math.abs(x - boxX) < 0.17) {
      const lamp = Math.round((Y - 3.3) / 0.28);
      col =
        Math.hypot(x - boxX, Y - 3.3 - lamp * 0.28) < 0.1
          ? ((
              [
                [0.1, 0.8, 0.3],
                [0.95, 0.7, 0.1],
                [0.9, 0.1, 0.1],
              ] as Rgb[]
            )[lamp + 1] ?? TYRE)
          : TYRE;
    }
    set(out, col);
  };
  drawFrontal(r, p.Z, p.X - 2, p.X + 2, 0, p.h + 0.2, sdf, paint, POLE);
}

const canvases = new Map<string, Canvas>();

/**
 * Render scene index of split (HWC uint8 RGB, height×width×3, into outImage at imageOffset) and its per-pixel
 * class ids (height×width, into outLabel at labelOffset). Geometry is in normalised image coordinates, so
 * every size (composed for 1:2) shows the same scene.
 */
export function renderStreetScene(
  seed: number,
  split: 0 | 1,
  index: number,
  height: number,
  width: number,
  outImage: Uint8Array,
  imageOffset: number,
  outLabel: Uint8Array,
  labelOffset: number,
): void {
  if (imageOffset + height * width * 3 > outImage.length || labelOffset + height * width > outLabel.length) {
    throw new RangeError(`street scene ${height}×${width} does not fit the output buffers at the given offsets`);
  }
  const s = buildScene(mulberry32(hashSeed(seed, split, index)));
  const key = `${width}x${height}`;
  const cv = canvases.get(key) ?? createCanvas(width, height);
  canvases.set(key, cv);
  const r: Raster = {
    W: width,
    H: height,
    f: s.fv * height,
    cx: s.vp * width,
    cy: s.hz * height,
    s,
    data: cv.data,
    label: outLabel.subarray(labelOffset, labelOffset + width * height),
  };
  drawSkyAndGround(r);
  drawSkyline(r);
  drawSide(r, s.sides[0], -1);
  drawSide(r, s.sides[1], 1);
  for (const t of s.things) {
    if (t.kind === 'car') drawCar(r, t);
    else if (t.kind === 'person') drawPerson(r, t);
    else if (t.kind === 'tree') drawTree(r, t);
    else drawPole(r, t);
  }
  const [kr, kg, kb] = scale(s.tint, s.light);
  for (let i = 0; i < cv.data.length; i += 3) {
    cv.data[i]! *= kr;
    cv.data[i + 1]! *= kg;
    cv.data[i + 2]! *= kb;
  }
  writeNoisyUint8(cv, mulberry32(hashSeed(seed, split, index, NOISE_SALT)), s.noise, outImage, imageOffset);
}

const CHUNK_PIXELS = 1 << 18;
const nextTick = () => new Promise<void>((res) => setTimeout(res, 0));

/**
 * Generate the street dataset: images NHWC uint8 (count×H×W×3) and labels (count×H×W class ids) at the low
 * (64×128) or high (128×256) size, in chunks of about 2^18 pixels that yield to the event loop between them;
 * onProgress gets fractions in [0, 1].
 */
export async function generateStreetDataset(opts: {
  seed: number;
  size: StreetSize;
  trainSize: number;
  testSize: number;
  onProgress?: (fraction: number) => void;
}): Promise<SegDataset> {
  const { seed, size, trainSize, testSize, onProgress } = opts;
  const { height, width } = STREET_SIZES[size];
  const pixels = height * width;
  const chunk = Math.max(1, Math.floor(CHUNK_PIXELS / pixels));
  const total = trainSize + testSize;
  let done = 0;
  const makeSplit = async (split: 0 | 1, count: number): Promise<SegSplit> => {
    const images = new Uint8Array(count * pixels * 3);
    const labels = new Uint8Array(count * pixels);
    for (let start = 0; start < count; start += chunk) {
      const end = Math.min(count, start + chunk);
      for (let i = start; i < end; i++) renderStreetScene(seed, split, i, height, width, images, i * pixels * 3, labels, i * pixels);
      done += end - start;
      if (done < total) onProgress?.(done / total);
      await nextTick();
    }
    return { images, labels, count };
  };
  const train = await makeSplit(STREET_SPLIT.train, trainSize);
  const test = await makeSplit(STREET_SPLIT.test, testSize);
  onProgress?.(1);
  return { name: `streets-${size}`, classNames: STREET_CLASSES, palette: STREET_PALETTE, height, width, ignoreLabel: 255, train, test };
}
