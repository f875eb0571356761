/**
 * The seeded random layout of a street scene: every random draw of a scene happens here, from a stream that never sees
 * the image size, so the low and high versions of an item are the same scene (world units, metres).
 */
import { randInt, uniform, type Rng } from '../random';
import { hsv, type Rgb } from './raster';
import { ASPECT, CURB, type Block, type Facade, type Scene, type Side, type Thing } from './streetScene';
import { mix } from './streetTexture';

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

/** Draw a whole street scene (world units) from the seeded stream rng; the same stream gives the same scene at every image size. */
export function buildStreetScene(rng: Rng): Scene {
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
    things.push(randomPerson(rng, X, Z));
  }
  things.sort((a, b) => b.Z - a.Z);
}

/** A person standing at lateral X, depth Z, with a random height (1 in 10 a child), clothes, skin, hair and pose. */
export function randomPerson(rng: Rng, X: number, Z: number): Extract<Thing, { kind: 'person' }> {
  const u = (lo: number, hi: number) => uniform(rng, lo, hi);
  const child = rng() < 0.1;
  return {
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
  };
}
