/**
 * The seeded random layout of a **realistic** street scene (domain randomisation towards dashcam photos such as CamVid and
 * Cityscapes): camera height 1–2.5 m, pitch (horizon row) and focal length varied; asphalt with patches, tracks and
 * markings (lane dashes, centre lines, zebra crossings, stop lines); kerbs and sidewalks of tiles, slabs, brick or asphalt;
 * facades stepping back and forth in brick, render, concrete, glass or panels with windows and shop fronts; tree rows,
 * hedges, fences; parked rows and moving cars of six body types; people (front or side views, walking, groups, crossings,
 * cyclists); lamp, sign, traffic-light and utility poles, bollards; clear, white, overcast or sunset skies; and the camera's
 * white balance, exposure, contrast, gamma, blur, noise and blockiness. Every draw happens here, from a stream that never
 * sees the image size, so the low and high versions of an item are the same scene. Labels of clutter: streetRealScene.ts.
 */
import { randInt, uniform, type Rng } from '../random';
import { hsv, type Rgb } from './raster';
import type { RealCar, RealFacade, RealLook, RealPerson, RealSide, RealStrip, RealThing } from './streetRealScene';
import { ASPECT, CURB, type Block, type Scene } from './streetScene';
import { mix, scale } from './streetTexture';

type U = (lo: number, hi: number) => number;

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[randInt(rng, xs.length)]!;
/** Index by weights. */
function choose(rng: Rng, weights: readonly number[]): number {
  let t = rng() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) if ((t -= weights[i]!) < 0) return i;
  return weights.length - 1;
}

function greyish(rng: Rng, vLo: number, vHi: number, satMax: number): Rgb {
  return hsv(rng(), uniform(rng, 0, satMax), uniform(rng, vLo, vHi));
}

/** Facade materials in their real colours. */
function facadeLook(rng: Rng, u: U): Pick<RealFacade, 'material' | 'colour' | 'glass' | 'frame' | 'roof' | 'winW' | 'winH'> {
  const m = choose(rng, [0.3, 0.3, 0.2, 0.08, 0.12]);
  const material = (['brick', 'render', 'concrete', 'glass', 'panel'] as const)[m]!;
  const colour =
    material === 'brick'
      ? rng() < 0.7
        ? hsv(u(0.02, 0.07), u(0.35, 0.6), u(0.3, 0.55)) // red / brown brick
        : hsv(u(0.08, 0.13), u(0.2, 0.45), u(0.5, 0.75)) // yellow (gault) brick
      : material === 'render'
        ? hsv(u(0.05, 0.15), u(0.05, 0.3), u(0.6, 0.92)) // cream, beige, white render
        : material === 'concrete'
          ? greyish(rng, 0.45, 0.75, 0.06)
          : material === 'glass'
            ? hsv(u(0.5, 0.6), u(0.1, 0.3), u(0.25, 0.5))
            : hsv(rng(), u(0, 0.25), u(0.35, 0.8)); // metal / composite panels
  const glassy = material === 'glass';
  return {
    material,
    colour,
    glass: hsv(u(0.55, 0.65), u(0.05, 0.3), u(0.06, 0.25)),
    frame: rng() < 0.6 ? hsv(0, 0, u(0.75, 0.95)) : greyish(rng, 0.1, 0.35, 0.2),
    roof: rng() < 0.5 ? scale(colour, u(0.6, 0.85)) : greyish(rng, 0.2, 0.45, 0.15),
    winW: glassy ? u(0.8, 0.95) : u(0.3, 0.6),
    winH: glassy ? u(0.7, 0.9) : u(0.4, 0.62),
  };
}

function buildRealSide(rng: Rng, u: U, curb: number, end: number, urban: number, leaf: Rgb): RealSide {
  const verge = rng() < 0.2 ? u(0.8, 2.5) : 0;
  const walk = u(1.6, 4.5);
  const yard = rng() < 0.3 ? 'grass' : 'paving';
  const setback = rng() < 0.35 ? u(0.5, 4) : 0;
  // pb, pg: shares of buildings and greenery along the side (dense town centre → leafy suburb).
  const [pb, pg] = urban < 0.55 ? [0.88, 0.08] : urban < 0.85 ? [0.6, 0.3] : [0.2, 0.7];
  const facades: RealFacade[] = [];
  const shopStreet = rng() < 0.5;
  // A side street joining at depth junctionZ (−1 = none): a gap in the facades with road instead of sidewalk.
  let junctionZ = rng() < 0.35 ? u(6, 50) : -1;
  let junction: [number, number] | null = null;
  for (let z = 0; z < end;) {
    const r = rng();
    const side = junctionZ >= 0 && z >= junctionZ;
    const kind = side ? 'gap' : r < pb ? 'building' : r < pb + pg ? 'green' : 'gap';
    const len = side ? u(7, 12) : kind === 'building' ? u(6, 25) : kind === 'green' ? u(8, 30) : u(3, 12);
    if (side) {
      junction = [z, z + len];
      junctionZ = -1;
    }
    const look = facadeLook(rng, u);
    const storeys = 1 + randInt(rng, urban < 0.55 ? 4 : 3);
    const floor = u(2.9, 3.6);
    const f: RealFacade = {
      z0: z,
      z1: Math.min(end, z + len),
      kind,
      ...look,
      height: storeys * floor + u(0.3, 1.5),
      floor,
      bay: u(2, 3.5),
      lit: 0,
      salt: (rng() * 2 ** 31) | 0,
      inset: rng() < 0.6 ? 0 : u(0.3, 4),
      shop: shopStreet && rng() < 0.7,
      fascia: rng() < 0.5 ? hsv(rng(), u(0.4, 0.9), u(0.2, 0.8)) : greyish(rng, 0.1, 0.9, 0.1),
      awning: rng() < 0.3 ? hsv(rng(), u(0.3, 0.8), u(0.3, 0.8)) : null,
      pitch: storeys <= 3 && look.material !== 'glass' && rng() < 0.55 ? u(1.2, 3.5) : 0,
      tiles: rng() < 0.6 ? hsv(u(0.55, 0.65), u(0.05, 0.2), u(0.15, 0.32)) : hsv(u(0.02, 0.06), u(0.4, 0.65), u(0.3, 0.5)),
    };
    if (kind === 'green') {
      f.height = u(1.5, 6);
      f.colour = mix(leaf, hsv(u(0.17, 0.3), u(0.35, 0.65), u(0.18, 0.4)), 0.5);
      f.inset = u(0, 2);
      f.pitch = 0;
    }
    facades.push(f);
    z += len;
  }
  const paving = pick(rng, ['tiles', 'tiles', 'slabs', 'slabs', 'brick', 'asphalt'] as const);
  const walkColour =
    paving === 'brick'
      ? hsv(u(0.02, 0.08), u(0.3, 0.55), u(0.4, 0.6))
      : paving === 'asphalt'
        ? greyish(rng, 0.25, 0.42, 0.06)
        : hsv(u(0.05, 0.14), u(0, 0.18), u(0.5, 0.78));
  return {
    curb,
    verge,
    walk,
    setbackGrass: yard === 'grass' && setback > 0,
    wall: curb + CURB + verge + walk + setback,
    facades,
    paving,
    walkColour,
    joint: scale(walkColour, u(0.6, 0.85)),
    tileX: paving === 'slabs' ? u(0.9, 1.8) : paving === 'brick' ? u(0.2, 0.3) : u(0.3, 0.6),
    tileZ: paving === 'slabs' ? u(0.9, 1.8) : paving === 'brick' ? u(0.1, 0.15) : u(0.3, 0.6),
    curbColour: greyish(rng, 0.5, 0.85, 0.05),
    yard,
    junction,
  };
}

function carColour(rng: Rng, u: U): Rgb {
  const k = choose(rng, [0.24, 0.2, 0.18, 0.12, 0.26]);
  if (k === 0) return hsv(0, 0, u(0.85, 0.97)); // white
  if (k === 1) return hsv(u(0.55, 0.65), u(0, 0.08), u(0.55, 0.78)); // silver
  if (k === 2) return hsv(rng(), u(0, 0.1), u(0.04, 0.14)); // black
  if (k === 3) return hsv(rng(), u(0, 0.1), u(0.25, 0.45)); // grey
  return hsv(pick(rng, [0, 0.02, 0.6, 0.62, 0.3, 0.1, 0.55, 0.95]), u(0.45, 0.85), u(0.25, 0.8)); // red, blue, green, …
}

/** A car body of a random type at (X, Z), parked or driving. */
function randomCar(rng: Rng, u: U, X: number, Z: number, front: boolean, big: boolean): RealCar {
  const body = big ? pick(rng, ['van', 'truck', 'bus'] as const) : pick(rng, ['sedan', 'sedan', 'hatch', 'hatch', 'suv', 'van'] as const);
  const dims: Record<RealCar['body'], [number, number, number, number, number, number]> = {
    sedan: [1.7, 1.85, 1.38, 1.5, 4.3, 4.9],
    hatch: [1.6, 1.8, 1.42, 1.55, 3.6, 4.2],
    suv: [1.8, 2, 1.6, 1.85, 4.3, 4.9],
    van: [1.9, 2.1, 1.9, 2.5, 4.8, 6],
    truck: [2.3, 2.5, 2.8, 3.6, 6.5, 9],
    bus: [2.5, 2.55, 3, 3.3, 10, 12],
  };
  const [w0, w1, h0, h1, l0, l1] = dims[body];
  const h = u(h0, h1);
  const colour = body === 'bus' ? hsv(pick(rng, [0, 0.6, 0.35, 0.12]), u(0.5, 0.9), u(0.4, 0.85)) : carColour(rng, u);
  return {
    kind: 'car',
    X,
    Z,
    w: u(w0, w1),
    h,
    L: u(l0, l1),
    belt: body === 'bus' || body === 'truck' ? h * u(0.35, 0.45) : body === 'van' ? h * u(0.5, 0.56) : h * u(0.55, 0.64),
    body,
    colour,
    glass: hsv(u(0.55, 0.65), u(0.05, 0.25), u(0.04, 0.18)),
    front,
  };
}

/** A pedestrian standing or walking at (X, Z): clothes in muted street colours, skin tones, hair, coats, bags, hats. */
export function randomRealPerson(rng: Rng, u: U, X: number, Z: number, view: 'front' | 'side', dir: number): RealPerson {
  const child = rng() < 0.1;
  const clothes = (): Rgb =>
    rng() < 0.6 ? hsv(rng(), u(0, 0.2), u(0.05, 0.5)) : rng() < 0.5 ? hsv(u(0.55, 0.65), u(0.3, 0.6), u(0.2, 0.5)) : hsv(rng(), u(0.3, 0.8), u(0.3, 0.9));
  const skinV = u(0.25, 0.9);
  return {
    kind: 'person',
    X,
    Z,
    h: child ? u(1, 1.35) : u(1.55, 1.92),
    build: u(0.11, 0.14),
    top: clothes(),
    legs: rng() < 0.4 ? hsv(u(0.58, 0.64), u(0.3, 0.6), u(0.2, 0.45)) : clothes(),
    shoes: hsv(rng(), u(0, 0.3), u(0.05, rng() < 0.2 ? 0.9 : 0.3)),
    skin: hsv(u(0.04, 0.09), u(0.3, 0.55) - skinV * 0.15, skinV),
    hair: rng() < 0.15 ? hsv(0.1, 0.1, u(0.5, 0.8)) : hsv(u(0.05, 0.1), u(0.2, 0.6), u(0.04, 0.4)),
    coat: rng() < 0.35 ? u(0.3, 0.42) : 0.47,
    bag: rng() < 0.3 ? clothes() : null,
    view,
    dir,
    stride: view === 'side' ? u(-1, 1) : u(-0.3, 0.3),
    hat: rng() < 0.1 ? clothes() : null,
  };
}

/** Draw a whole realistic street scene (world units) from the seeded stream rng; the same stream gives the same scene at every size. */
export function buildRealisticScene(rng: Rng): Scene {
  const u: U = (lo, hi) => uniform(rng, lo, hi);
  // Camera: 1–2.5 m high (dashcams sit near 1.2–1.5 m), pitch moves the horizon, focal length from wide to CamVid/Cityscapes-like.
  const hc = rng() < 0.6 ? u(1.05, 1.6) : u(1.6, 2.5);
  const hz = u(0.32, 0.55),
    vp = u(0.3, 0.7),
    fv = u(0.95, 2.1);
  const zMin = (fv * hc) / (1 - hz);
  const skyKind = choose(rng, [0.25, 0.35, 0.3, 0.1]);
  const sky = (['clear', 'white', 'overcast', 'sunset'] as const)[skyKind]!;
  const sunny = sky === 'clear' || (sky === 'white' && rng() < 0.5);
  const dusk = sky === 'sunset';
  const skyTop =
    sky === 'clear'
      ? hsv(u(0.56, 0.61), u(0.2, 0.55), u(0.75, 0.97))
      : sky === 'white'
        ? hsv(u(0.55, 0.62), u(0.02, 0.12), u(0.9, 1))
        : sky === 'overcast'
          ? hsv(u(0.55, 0.65), u(0.02, 0.1), u(0.6, 0.85))
          : hsv(u(0.6, 0.7), u(0.25, 0.5), u(0.45, 0.7));
  const skyLow =
    sky === 'clear'
      ? hsv(u(0.55, 0.6), u(0.05, 0.25), u(0.88, 1))
      : sky === 'white'
        ? hsv(u(0.55, 0.62), u(0, 0.05), u(0.95, 1))
        : sky === 'overcast'
          ? hsv(u(0.55, 0.65), u(0, 0.06), u(0.75, 0.95))
          : hsv(u(0.03, 0.1), u(0.35, 0.65), u(0.85, 1));
  const sunK = sunny ? u(0.4, 0.9) : dusk ? u(0.2, 0.5) : u(0, 0.12);
  const warm = dusk ? u(0.04, 0.1) : u(-0.03, 0.04);

  const lanes = 1 + choose(rng, [0.15, 0.45, 0.2, 0.2]);
  const laneW = u(2.7, 3.7);
  const parkL = rng() < 0.5 ? u(2, 2.5) : 0,
    parkR = rng() < 0.5 ? u(2, 2.5) : 0;
  const roadW = lanes * laneW + parkL + parkR;
  const left = parkL + (randInt(rng, lanes) + u(0.3, 0.7)) * laneW;
  const right = roadW - left;
  const end = u(60, 200);
  const leaf = hsv(u(0.17, 0.3), u(0.3, 0.6), u(0.14, 0.38));
  const urban = rng();
  const sides: [RealSide, RealSide] = [buildRealSide(rng, u, left, end, urban, leaf), buildRealSide(rng, u, right, end, urban, leaf)];
  const sun = rng() < 0.5 ? -1 : 1;
  const sunSide = sides[sun < 0 ? 0 : 1];
  const skylineZ = end + u(8, 30);
  const xMax = (Math.max(vp, 1 - vp) * ASPECT * skylineZ) / fv + 5;
  const skyline: Block[] = [];
  for (let x = -xMax; x < xMax;) {
    const w = u(6, 25);
    const veg = rng() < 0.3;
    const h = rng() < 0.05 ? 0 : veg ? u(5, 14) : u(6, 30);
    skyline.push({ x0: x, x1: x + w, h, veg, colour: veg ? scale(leaf, u(0.8, 1.1)) : greyish(rng, 0.35, 0.75, 0.15) });
    x += w;
  }
  const asphalt = rng() < 0.8 ? greyish(rng, 0.22, 0.45, 0.06) : hsv(u(0.05, 0.12), u(0.05, 0.15), u(0.3, 0.5));
  const look: RealLook = {
    sky,
    glowX: u(-0.2, 1.2),
    glow: dusk ? u(0.3, 0.8) : sunny ? u(0, 0.4) : 0,
    coarse: u(0.05, 0.3),
    patches: rng() < 0.5 ? u(0, 0.4) : 0,
    patchColour: scale(asphalt, u(0.7, 1.25)),
    tracks: u(0, 0.2),
    cracks: rng() < 0.4 ? u(0, 1) : 0,
    parkL,
    parkR,
    centreSolid: rng() < 0.3,
    zebra: rng() < 0.35,
    stopLine: 0,
    strips: [],
    things: [],
    gain: [u(0.92, 1.08), 1, u(0.9, 1.1)],
    exposure: rng() < 0.3 ? u(1.05, 1.35) : u(0.8, 1.1),
    contrast: u(0.8, 1.25),
    gamma: u(0.8, 1.25),
    saturation: u(0.55, 1.15),
    blur: rng() < 0.5 ? u(0, 1) : 0,
    block: rng() < 0.4 ? u(0, 0.06) : 0,
    vignette: u(0, 0.35),
  };
  const scene: Scene = {
    hz,
    vp,
    fv,
    hc,
    light: sunny ? u(0.95, 1.1) : dusk ? u(0.6, 0.8) : u(0.8, 1),
    sunK,
    sun,
    skyTop,
    skyLow,
    haze: u(100, 400),
    salt: (rng() * 2 ** 31) | 0,
    tint: [1 + warm, 1, 1 - warm],
    shadeA: sunSide.wall - u(0.2, 1) * (sunSide.wall + sides[sun < 0 ? 1 : 0].wall),
    cloud: sky === 'clear' ? u(0, 0.5) : sky === 'white' ? u(0, 0.3) : dusk ? u(0.1, 0.5) : u(0.4, 0.9),
    cloudColour: sunny ? [0.97, 0.97, 0.98] : dusk ? hsv(u(0.02, 0.08), u(0.2, 0.4), u(0.6, 0.8)) : hsv(0.6, 0.04, u(0.55, 0.75)),
    left,
    right,
    laneW,
    lanes,
    asphalt,
    paint: hsv(0.12, u(0, 0.1), u(0.75, 0.92)),
    yellow: rng() < 0.25,
    dash: u(6, 12),
    duty: u(0.3, 0.6),
    dashPhase: rng(),
    edgeLines: rng() < 0.4,
    cross: rng() < 0.35 ? zMin + u(3, 25) : 0,
    walk: sides[0].walkColour,
    curb: sides[0].curbColour,
    grass: hsv(u(0.18, 0.28), u(0.35, 0.65), u(0.25, 0.5)),
    tile: sides[0].tileX,
    sides,
    end,
    skylineZ,
    skyline,
    things: [],
    noise: u(0.01, 0.04),
    real: look,
  };
  if (scene.cross > 0 && rng() < 0.6) look.stopLine = scene.cross - u(1, 3);
  placeRealThings(rng, u, scene, look, zMin, leaf, parkL, parkR);
  return scene;
}

function placeRealThings(rng: Rng, u: U, s: Scene, look: RealLook, zMin: number, leaf: Rgb, parkL: number, parkR: number): void {
  const things: RealThing[] = look.things;
  const sides = s.sides as [RealSide, RealSide];
  const far = Math.min(s.end - 3, 90);
  sides.forEach((side, k) => {
    const sg = k === 0 ? -1 : 1;
    const kerb = side.curb + CURB;
    // Tree rows in the verge or at the kerb; crowns reach over the sidewalk and cover facades and sky.
    if (rng() < 0.55) {
      const bare = rng() < 0.3 ? u(0.6, 1) : 0;
      const X = sg * (side.verge > 0 ? kerb + side.verge / 2 : rng() < 0.6 ? kerb + u(0.5, 1) : side.wall - u(0.8, 2));
      const spacing = u(6, 15);
      const tall = u(0.7, 1.4);
      for (let z = zMin * u(0.7, 1.6); z < far; z += spacing * u(0.8, 1.25)) {
        if (rng() < 0.12 || inJunction(side, z)) continue;
        const r = u(1.5, 3.5) * tall;
        things.push({
          kind: 'tree',
          X: X + u(-0.3, 0.3),
          Z: z,
          trunk: u(1.8, 3.5) * tall,
          r,
          ry: r * u(0.9, 1.5),
          trunkW: u(0.15, 0.3) * tall,
          leaf: mix(leaf, hsv(u(0.15, 0.32), u(0.3, 0.65), u(0.12, 0.4)), 0.4),
          leaf2: rng() < 0.15 ? hsv(u(0.07, 0.12), u(0.4, 0.7), u(0.3, 0.5)) : hsv(u(0.18, 0.3), u(0.3, 0.6), u(0.3, 0.55)),
          bark: hsv(u(0.05, 0.1), u(0.15, 0.4), u(0.12, 0.3)),
          bare,
          salt: (rng() * 2 ** 31) | 0,
        });
      }
    }
    // Hedges, fences, walls along the back of the sidewalk in front of some facades.
    const back = sg * (side.wall - (side.wall > kerb + side.verge + side.walk + 0.3 ? side.wall - (kerb + side.verge + side.walk) - 0.1 : 0.1));
    for (let z = u(0, 10); z < far;) {
      const len = u(5, 25);
      const r = rng();
      const cut = side.junction !== null && z < side.junction[1] + 1 && side.junction[0] - 1 < z + len;
      if (r < 0.3 && !cut) {
        const kind = r < 0.15 ? 'hedge' : r < 0.24 ? 'fence' : 'wall';
        const strip: RealStrip = {
          kind,
          X: back,
          Z: z,
          z1: z + len,
          h: kind === 'hedge' ? u(0.7, 2) : kind === 'fence' ? u(0.9, 1.8) : u(0.5, 1.2),
          colour:
            kind === 'hedge'
              ? mix(leaf, hsv(u(0.2, 0.3), u(0.4, 0.6), u(0.15, 0.35)), 0.5)
              : kind === 'fence'
                ? greyish(rng, 0.1, 0.5, 0.2)
                : hsv(u(0.03, 0.12), u(0.05, 0.35), u(0.35, 0.7)),
          salt: (rng() * 2 ** 31) | 0,
        };
        look.strips.push(strip);
      }
      z += len + u(2, 20);
    }
    // Lamp posts at the kerb, sign poles, traffic lights at the crossing, utility poles, bollards.
    const colour = rng() < 0.7 ? greyish(rng, 0.15, 0.5, 0.1) : hsv(u(0.3, 0.6), u(0.2, 0.5), u(0.15, 0.3));
    const spacing = u(10, 25);
    const lamps = rng() < 0.6;
    for (let z = zMin * u(1.5, 3) + u(0, spacing * 0.5); z < far; z += spacing * u(0.85, 1.15)) {
      if (!lamps) break;
      if (inJunction(side, z)) continue;
      things.push({ kind: 'pole', X: sg * (kerb + u(0.3, 0.6)), Z: z, h: u(5, 10), w: u(0.1, 0.2), colour, top: 'lamp', dir: -sg, sign: colour, shape: 0 });
    }
    for (let n = randInt(rng, 3); n > 0; n--) {
      const sign: Rgb = pick(rng, [hsv(0.6, 0.8, 0.6), hsv(0, 0.85, 0.75), [0.9, 0.9, 0.9] as Rgb, hsv(0.12, 0.9, 0.9), hsv(0.35, 0.7, 0.45)]);
      things.push({
        kind: 'pole',
        X: sg * (kerb + u(0.2, 0.6)),
        Z: depth(rng, zMin * 0.9, far, 1.6),
        h: u(2.4, 3.6),
        w: u(0.07, 0.13),
        colour: greyish(rng, 0.4, 0.7, 0.05),
        top: 'sign',
        dir: -sg,
        sign,
        shape: randInt(rng, 3),
      });
    }
    if (s.cross > 0 && rng() < 0.8) {
      things.push({
        kind: 'pole',
        X: sg * (kerb + u(0.3, 0.7)),
        Z: s.cross - u(0, 1.5),
        h: u(3.2, 4.5),
        w: u(0.12, 0.2),
        colour: greyish(rng, 0.1, 0.4, 0.1),
        top: 'light',
        dir: -sg,
        sign: colour,
        shape: 0,
      });
    }
    if (rng() < 0.25) {
      const sp = u(25, 45);
      for (let z = zMin * u(1, 3); z < far; z += sp) {
        things.push({
          kind: 'pole',
          X: sg * (kerb + u(0.2, 0.5)),
          Z: z,
          h: u(8, 11),
          w: u(0.22, 0.32),
          colour: hsv(u(0.06, 0.1), u(0.3, 0.5), u(0.2, 0.35)),
          top: 'utility',
          dir: -sg,
          sign: colour,
          shape: 0,
        });
      }
    }
    if (rng() < 0.2) {
      const z0 = depth(rng, zMin, 40, 1.5);
      for (let i = 0, sp = u(1.2, 2); i < 3 + randInt(rng, 6); i++) {
        things.push({
          kind: 'pole',
          X: sg * (kerb + 0.3),
          Z: z0 + i * sp,
          h: u(0.8, 1.1),
          w: u(0.12, 0.2),
          colour: greyish(rng, 0.15, 0.7, 0.1),
          top: 'bollard',
          dir: -sg,
          sign: colour,
          shape: 0,
        });
      }
    }
  });
  // Cars: parked rows along the kerbs (in the parking lanes or the outer lanes), traffic in the lanes, some buses and trucks.
  const cars: RealCar[] = [];
  const addCar = (X: number, Z: number, front: boolean, big: boolean): number => {
    const c = randomCar(rng, u, X, Z, front, big);
    if (cars.some((o) => Math.abs(o.X - X) < (o.w + c.w) / 2 + 0.3 && Z < o.Z + o.L + 0.8 && o.Z < Z + c.L + 0.8)) return c.L;
    cars.push(c);
    return c.L;
  };
  const rows: number[] = [];
  if (parkL > 0) rows.push(-s.left + parkL / 2 + u(-0.1, 0.1));
  else if (rng() < 0.3) rows.push(-s.left + 1.1);
  if (parkR > 0) rows.push(s.right - parkR / 2 + u(-0.1, 0.1));
  else if (rng() < 0.3) rows.push(s.right - 1.1);
  for (const X of rows) {
    const density = u(0.3, 0.8);
    for (let z = depth(rng, zMin * 0.9, 20, 1.5); z < far - 5;) {
      const L = rng() < density ? addCar(X, z, rng() < 0.5, rng() < 0.03) : u(4, 6);
      z += L + u(0.5, 2.5);
    }
  }
  const centre = -s.left + parkL + Math.floor(s.lanes / 2) * s.laneW;
  for (let n = randInt(rng, 5); n > 0; n--) {
    const lane = randInt(rng, s.lanes);
    const X = -s.left + parkL + (lane + 0.5) * s.laneW + u(-0.3, 0.3);
    addCar(X, depth(rng, Math.max(zMin * 1.1, Math.abs(X) < 1.5 ? 6 : 3), Math.min(far, 70), 1.6), X < centre, rng() < 0.05);
  }
  things.push(...cars);
  // People: mostly on the sidewalks (alone or in groups, walking along or standing), some on the crossing, a few cyclists.
  const people = 4 + randInt(rng, 8);
  // Nearest depth at which lateral X is still in view (people nearer than that would stand outside the frame).
  const inView = (X: number) => (Math.abs(X) * s.fv) / (ASPECT * (X < 0 ? s.vp : 1 - s.vp));
  const walkX = (side: RealSide, sg: number) => sg * (side.curb + CURB + side.verge + u(0.3, Math.max(0.4, side.walk - 0.3)));
  for (let n = 0; n < people; n++) {
    const sg = rng() < 0.5 ? -1 : 1;
    const side = sides[sg < 0 ? 0 : 1];
    const onCross = s.cross > 0 && rng() < 0.25;
    const X0 = onCross ? u(-s.left + 0.5, s.right - 0.5) : walkX(side, sg);
    const Z0 = onCross ? s.cross + u(0.5, 3) : depth(rng, Math.max(zMin * 0.7, inView(X0) * 0.6), 32, 1.8);
    const group = rng() < 0.35 ? 2 + randInt(rng, 3) : 1;
    for (let g = 0; g < group; g++) {
      const view = onCross ? 'side' : rng() < 0.65 ? 'front' : 'side';
      const X = X0 + (onCross ? u(-0.8, 0.8) * g : sg * u(-0.5, 0.5) * Math.min(g, 1));
      things.push(randomRealPerson(rng, u, X, Z0 + (onCross ? u(-0.6, 0.6) : u(-0.3, 1.2)) * Math.min(g, 1), view, rng() < 0.5 ? -1 : 1));
    }
  }
  for (let n = rng() < 0.25 ? 1 + randInt(rng, 2) : 0; n > 0; n--) {
    const p = randomRealPerson(rng, u, rng() < 0.5 ? -s.left + 0.7 : s.right - 0.7, depth(rng, zMin * 1.3, 40, 1.5), 'front', 1);
    const { kind: _k, view: _v, ...rest } = p;
    things.push({ ...rest, kind: 'cyclist', bike: greyish(rng, 0.05, 0.7, 0.6) });
  }
  things.sort((a, b) => b.Z - a.Z);
}

/** Whether depth z is within the side street joining this side (with a margin for the kerb corners). */
const inJunction = (side: RealSide, z: number) => side.junction !== null && z > side.junction[0] - 1 && z < side.junction[1] + 1;

/** Z between near and far, biased towards near. */
const depth = (rng: Rng, near: number, far: number, bias: number) => near + (far - near) * rng() ** bias;
