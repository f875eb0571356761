/**
 * The realistic street objects (streetRealScene.ts), far to near: cars of six body types (side plane with windows and
 * wheels, front or back face, ground shadow), people (front or side views, walking, coats, bags, hats), cyclists (person
 * label, bike included), trees (lumpy multi-lobed crowns with foliage texture, trunks), and poles (lamps, signs, traffic
 * lights, utility poles, bollards; plates and light heads labelled pole). Signed-distance silhouettes on vertical planes.
 */
import { sdBox, sdCapsule, type Rgb } from './raster';
import type { RealCar, RealCyclist, RealPerson, RealPole, RealThing, RealTree } from './streetRealScene';
import { drawFrontal, drawFrontalSeeThrough, drawSidePlane, shadeGround, type Paint2, type Raster, type Sdf2 } from './streetRaster';
import { CAR, PERSON, POLE, VEGETATION } from './streetScene';
import { clamp01, hash2, mix, scale, set, vnoise } from './streetTexture';

const TYRE: Rgb = [0.05, 0.05, 0.06];
const RIM: Rgb = [0.45, 0.45, 0.47];

function drawCar(r: Raster, c: RealCar): void {
  const s = r.s;
  const hw = c.w / 2,
    hb = c.belt;
  const boxy = c.body === 'van' || c.body === 'bus' || c.body === 'truck';
  const wheelR = c.body === 'bus' || c.body === 'truck' ? 0.5 : c.body === 'suv' || c.body === 'van' ? 0.38 : 0.32;
  const clear = wheelR * 0.55;
  shadeGround(r, c.X - hw - 0.1, c.X + hw + 0.1, c.Z - 0.1, c.Z + c.L, 0.3);
  const sideX = c.X + hw < -0.05 ? c.X + hw : c.X - hw > 0.05 ? c.X - hw : 0;
  const wz = c.body === 'bus' ? [2.5, c.L - 3] : c.body === 'truck' ? [1.3, c.L - 1.5] : [0.8, c.L - 0.85];
  // Cabin (greenhouse) extent along the car at height fraction t of the cabin.
  const cabin = (t: number): [number, number] => {
    if (c.body === 'bus') return [0.15, c.L - 0.15];
    if (c.body === 'van') return [0.25 + t * 0.6, c.L - 0.15];
    if (c.body === 'truck') return [0.1, Math.min(2.3, c.L * 0.3)];
    if (c.body === 'hatch' || c.body === 'suv') return [0.9 + t * 0.7, c.L - 0.35 - t * 0.35];
    return [1.0 + t * 0.8, c.L - 1.0 - t * 0.5];
  };
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
        for (const zc of wz) {
          const dd = (z - zc) ** 2 + (Y - wheelR) ** 2;
          if (dd < wheelR * wheelR) {
            set(out, dd < wheelR * wheelR * 0.35 ? RIM : TYRE);
            return true;
          }
        }
        if (Y < clear || Y > c.h) return false;
        // Rounded nose and tail.
        const endR = boxy ? 0.1 : 0.35;
        if ((z < endR && Y > hb - (endR - z) * 1.2) || (c.L - z < endR && Y > hb - (endR - (c.L - z)) * 1.2)) return false;
        if (c.body === 'truck' && z > Math.min(2.3, c.L * 0.3) && z < Math.min(2.5, c.L * 0.3 + 0.2)) return false;
        if (Y < hb) {
          const arch = wz.some((zc) => Math.abs(z - zc) < wheelR * 1.15 && Y < wheelR * 1.5);
          set(out, arch ? TYRE : c.colour, light * (Y < hb * 0.45 ? 0.7 : 1) * (Math.abs(Y - hb * 0.7) < 0.02 ? 0.8 : 1));
          return true;
        }
        const t = (Y - hb) / (c.h - hb);
        if (c.body === 'truck' && z > Math.min(2.5, c.L * 0.3 + 0.2)) {
          set(out, mix(c.colour, [0.85, 0.85, 0.85], 0.5), light);
          return true;
        }
        const [za, zb] = cabin(t);
        if (z < za || z > zb) return false;
        const inGlass = z > za + 0.08 && z < zb - 0.08 && Y < c.h - 0.08 && Y > hb + 0.06 && (c.body === 'bus' || Math.abs(z - (za + zb) / 2) > 0.06);
        set(out, inGlass ? c.glass : c.colour, inGlass ? 1 + 0.5 * t : light);
        return true;
      },
      CAR,
    );
  }
  // Front or back face at the near end.
  const roofW = boxy ? hw * 0.96 : hw * 0.72;
  const cabinW = (Y: number) => hw * 0.94 + (roofW - hw * 0.94) * clamp01((Y - hb) / (c.h - hb));
  const sdf: Sdf2 = (X, Y) => {
    const x = X - c.X;
    const body = sdBox(x, Y - (clear + hb) / 2, hw - 0.06, (hb - clear) / 2) - 0.06;
    const top = Math.max(Math.abs(x) - cabinW(Y), Y - c.h, hb - 0.1 - Y);
    const wheels = sdBox(Math.abs(x) - (hw - 0.2), Y - clear / 2 - 0.02, 0.13, clear / 2 + 0.02);
    return Math.min(body, top, wheels);
  };
  const paint: Paint2 = (X, Y, out) => {
    const x = Math.abs(X - c.X);
    let col: Rgb = c.colour;
    let k = 0.85 + 0.2 * clamp01(Y / c.h);
    if (Y < clear) col = TYRE;
    else if (Y > hb) {
      const g = cabinW(Y) - x > 0.08 && Y < c.h - 0.07 && Y > hb + 0.05;
      col = g ? c.glass : c.colour;
      if (g) k = 1 + 0.6 * clamp01((Y - hb) / (c.h - hb));
    } else if (Y < clear + 0.12) col = scale(c.colour, 0.45);
    else if (Y > hb - 0.3 && Y < hb - 0.1 && x > hw - 0.4) col = c.front ? [0.92, 0.9, 0.8] : [0.7, 0.05, 0.05];
    else if (x < 0.25 && Y > clear + 0.15 && Y < clear + 0.27) col = [0.9, 0.9, 0.85];
    else if (c.front && x < 0.55 && Y > clear + 0.28 && Y < hb - 0.1) col = [0.08, 0.08, 0.09];
    set(out, col, k);
  };
  drawFrontal(r, c.Z, c.X - hw - 0.1, c.X + hw + 0.1, -0.05, c.h + 0.05, sdf, paint, CAR);
}

/** Silhouette of a person (front or side view) at local x (m from the body axis) and height Y (m). */
function personSdf(p: Omit<RealPerson, 'kind'>, x: number, Y: number): number {
  const k = p.h;
  const sh = p.build * k;
  if (p.view === 'front') {
    const sp = 0.04 * k + 0.02 * k * p.stride;
    let d = Math.min(sdCapsule(x, Y, -0.055 * k, 0.48 * k, -sp, 0.03 * k, 0.038 * k), sdCapsule(x, Y, 0.055 * k, 0.48 * k, sp, 0.03 * k, 0.038 * k));
    const bottom = p.coat * k;
    const hwB = p.coat < 0.45 ? sh * 0.95 : sh * 0.75;
    d = Math.min(d, sdBox(x, Y - (bottom + 0.8 * k) / 2, (hwB + sh * 0.85) / 2, (0.8 * k - bottom) / 2) - 0.02 * k);
    d = Math.min(d, sdCapsule(Math.abs(x), Y, sh * 0.95, 0.79 * k, sh * 1.05, 0.46 * k, 0.028 * k));
    const hy = (Y - 0.915 * k) * 0.92;
    d = Math.min(d, Math.sqrt(x * x + hy * hy) - 0.062 * k, sdBox(x, Y - 0.84 * k, 0.03 * k, 0.03 * k));
    if (p.bag) d = Math.min(d, sdBox(x - sh * 1.2, Y - 0.5 * k, 0.06 * k, 0.06 * k));
    if (p.hat) d = Math.min(d, sdBox(x, Y - 0.975 * k, 0.07 * k, 0.02 * k));
    return d;
  }
  const st = p.stride * 0.17 * k * p.dir;
  let d = Math.min(sdCapsule(x, Y, 0, 0.48 * k, st, 0.03 * k, 0.042 * k), sdCapsule(x, Y, 0, 0.48 * k, -st, 0.03 * k, 0.042 * k));
  d = Math.min(d, sdCapsule(x, Y, st + 0.03 * k * p.dir, 0.02 * k, st + 0.06 * k * p.dir, 0.02 * k, 0.02 * k));
  d = Math.min(d, sdCapsule(x, Y, -st + 0.03 * k * p.dir, 0.02 * k, -st + 0.06 * k * p.dir, 0.02 * k, 0.02 * k));
  const bottom = p.coat * k;
  d = Math.min(d, sdBox(x - 0.01 * k * p.dir, Y - (bottom + 0.8 * k) / 2, p.coat < 0.45 ? 0.085 * k : 0.07 * k, (0.8 * k - bottom) / 2) - 0.02 * k);
  const arm = -p.stride * 0.12 * k * p.dir;
  d = Math.min(d, sdCapsule(x, Y, 0, 0.78 * k, arm, 0.47 * k, 0.03 * k));
  const hx = x - 0.012 * k * p.dir,
    hy = (Y - 0.915 * k) * 0.92;
  d = Math.min(d, Math.sqrt(hx * hx + hy * hy) - 0.062 * k);
  if (p.bag) d = Math.min(d, sdBox(x + 0.09 * k * p.dir, Y - 0.55 * k, 0.04 * k, 0.07 * k));
  if (p.hat) d = Math.min(d, sdBox(x, Y - 0.975 * k, 0.07 * k, 0.02 * k));
  return d;
}

function personColour(p: Omit<RealPerson, 'kind'>, x: number, Y: number, out: Rgb, sun: number): void {
  const k = p.h;
  const sh = p.build * k;
  let col: Rgb;
  if (p.hat && Y > 0.955 * k) col = p.hat;
  else if (Y > 0.94 * k || (Y > 0.87 * k && (p.view === 'side' ? (x - 0.012 * k * p.dir) * p.dir < -0.02 * k : p.dir < 0))) col = p.hair;
  else if (Y > 0.82 * k) col = p.skin;
  else if (p.bag && (p.view === 'front' ? x > sh * 1.1 && Y < 0.57 * k : (x + 0.09 * k * p.dir) * p.dir < 0.03 * k && Y < 0.63 * k && Y > 0.47 * k))
    col = p.bag;
  else if (Y < 0.035 * k) col = p.shoes;
  else if (Y > p.coat * k && (p.view === 'side' || Math.abs(x) < sh * 0.95 || Y > 0.5 * k)) col = Y < 0.5 * k && Math.abs(x) > sh * 0.9 ? p.skin : p.top;
  else col = p.legs;
  set(out, col, (1 + 0.4 * sun * (x / k)) * (0.85 + 0.2 * (Y / k)));
}

function drawPerson(r: Raster, p: RealPerson): void {
  const sun = r.s.sun * r.s.sunK;
  const hw = 0.35 * p.h;
  drawFrontal(
    r,
    p.Z,
    p.X - hw,
    p.X + hw,
    -0.05,
    p.h + 0.03,
    (X, Y) => personSdf(p, X - p.X, Y),
    (X, Y, out) => personColour(p, X - p.X, Y, out, sun),
    PERSON,
  );
}

/** A cyclist seen from behind or in front: thin wheel and fork below, rider seated, legs on the pedals; all labelled person. */
function drawCyclist(r: Raster, c: RealCyclist): void {
  const sun = r.s.sun * r.s.sunK;
  const k = c.h;
  const lift = 0.42; // the rider's body is raised: hips at the saddle
  const rider: Omit<RealPerson, 'kind'> = { ...c, view: 'front', coat: 0.47 };
  const sdf: Sdf2 = (X, Y) => {
    const x = X - c.X;
    const wheel = sdBox(x, Y - 0.34, 0.025, 0.34);
    const bars = sdBox(x, Y - 1.02, 0.28, 0.02);
    const body = personSdf(rider, x, (Y - lift) / 0.92);
    const legs = Math.min(sdCapsule(x, Y, -0.12, lift + 0.42 * k, -0.12, 0.35, 0.04 * k), sdCapsule(x, Y, 0.12, lift + 0.42 * k, 0.12, 0.2, 0.04 * k));
    return Math.min(wheel, bars, Y > lift + 0.45 * k ? body : Math.max(body, 1e9), legs);
  };
  const paint: Paint2 = (X, Y, out) => {
    const x = X - c.X;
    if (Y < lift + 0.42 * k && Math.abs(x) < 0.06 && Y < 0.7) set(out, Y < 0.68 && Math.abs(x) < 0.03 ? TYRE : c.bike);
    else if (Math.abs(Y - 1.02) < 0.025) set(out, c.bike);
    else if (Y < lift + 0.45 * k) set(out, c.legs, 0.9);
    else personColour(rider, x, (Y - lift) / 0.92, out, sun);
  };
  drawFrontal(r, c.Z, c.X - 0.45, c.X + 0.45, -0.02, lift + c.h * 0.92 + 0.05, sdf, paint, PERSON);
}

function drawTree(r: Raster, t: RealTree): void {
  const s = r.s;
  const sun = s.sun * s.sunK;
  const cyc = t.trunk + t.ry;
  const trunkTop = t.trunk + t.ry * 0.5;
  drawFrontal(
    r,
    t.Z,
    t.X - t.trunkW * 2,
    t.X + t.trunkW * 2,
    0,
    trunkTop,
    (X, Y) => sdBox(X - t.X, Y - trunkTop / 2, t.trunkW * (0.6 - 0.15 * (Y / trunkTop)), trunkTop / 2),
    (X, Y, out) => set(out, t.bark, (1 + 0.5 * sun * ((X - t.X) / t.trunkW)) * (0.8 + 0.3 * vnoise(Y * 3, X * 3, t.salt))),
    VEGETATION,
  );
  // Lobes (centre x, y in m, radius relative to the crown) of the crown's outline.
  const lobes = new Float64Array(15);
  lobes[2] = 1;
  for (let i = 1; i < 5; i++) {
    lobes[3 * i] = (hash2(i, 1, t.salt) - 0.5) * 1.2 * t.r;
    lobes[3 * i + 1] = (hash2(i, 2, t.salt) - 0.4) * 0.9 * t.ry;
    lobes[3 * i + 2] = 0.45 + 0.3 * hash2(i, 3, t.salt);
  }
  const margin = t.r * 0.25 + 0.2;
  const ir = 1 / t.r,
    iry = 1.05 / t.ry;
  const crown: Sdf2 = (X, Y) => {
    const x = X - t.X,
      y = Y - cyc;
    let d = 1e9;
    for (let i = 0; i < 15; i += 3) {
      const a = (x - lobes[i]!) * ir,
        b = (y - lobes[i + 1]!) * iry;
      const e = Math.sqrt(a * a + b * b) - lobes[i + 2]! * 0.75;
      if (e < d) d = e;
    }
    d *= t.r;
    if (d > margin) return d;
    return d + (vnoise(X * 1.3, Y * 1.3, t.salt) - 0.5) * t.r * 0.45 + (vnoise(X * 4, Y * 4, t.salt + 1) - 0.5) * 0.35;
  };
  if (t.bare > 0) {
    // A winter crown: grey-brown twigs over whatever is behind, denser towards the middle; labelled vegetation like CamVid's trees.
    drawFrontalSeeThrough(
      r,
      t.Z,
      t.X - t.r * 1.7,
      t.X + t.r * 1.7,
      cyc - t.ry * 1.6,
      cyc + t.ry * 1.6,
      crown,
      (X, Y, out) => set(out, t.bark, 0.6 + 0.5 * vnoise(X * 6, Y * 6, t.salt + 5)),
      (X, Y) => {
        const dx = (X - t.X) / t.r,
          dy = (Y - cyc) / t.ry;
        // Branches: ridges of value noise (thin dark lines), over a fine twig haze thinning towards the crown's edge.
        const ridge = 1 - Math.abs(2 * vnoise(X * 2.2 + Y * 0.4, Y * 1.6, t.salt + 6) - 1);
        const twigs = 0.35 + 0.3 * vnoise(X * 9, Y * 9, t.salt + 7);
        return clamp01(Math.max(ridge ** 6 * 1.3, twigs * (1 - t.bare * 0.5)) * (1.25 - 0.6 * (dx * dx + dy * dy)));
      },
      VEGETATION,
    );
    return;
  }
  drawFrontal(
    r,
    t.Z,
    t.X - t.r * 1.7,
    t.X + t.r * 1.7,
    cyc - t.ry * 1.6,
    cyc + t.ry * 1.6,
    crown,
    (X, Y, out) => {
      const dx = (X - t.X) / t.r,
        dy = (Y - cyc) / t.ry;
      const n = vnoise(X * 3, Y * 3, t.salt + 2),
        n2 = vnoise(X * 9, Y * 9, t.salt + 3);
      const c = mix(t.leaf, t.leaf2, clamp01(vnoise(X * 0.8, Y * 0.8, t.salt + 4) * 1.4 - 0.3) * 0.6);
      const k = (0.45 + 0.55 * n + 0.3 * (n2 - 0.5)) * (1 + 0.35 * sun * dx) * (0.8 + 0.25 * dy);
      set(out, c, k);
    },
    VEGETATION,
  );
}

function drawPole(r: Raster, p: RealPole): void {
  const arm = (p.top === 'lamp' ? 1.2 + 0.1 * p.h : 0) * p.dir,
    boxX = 0.25 * p.dir;
  const sdf: Sdf2 = (X, Y) => {
    const x = X - p.X;
    const taper = p.top === 'lamp' || p.top === 'utility' ? 1 - 0.35 * clamp01(Y / p.h) : 1;
    const shaft = sdBox(x, Y - p.h / 2, (p.w / 2) * taper, p.h / 2);
    if (p.top === 'lamp') return Math.min(shaft, sdCapsule(x, Y, 0, p.h - 0.4, arm, p.h + 0.1, 0.05), sdBox(x - arm, Y - p.h - 0.05, 0.3, 0.08));
    if (p.top === 'sign') {
      const cy = p.h - 0.35;
      const plate = p.shape === 0 ? Math.hypot(x, Y - cy) - 0.33 : p.shape === 1 ? sdBox(x, Y - cy, 0.3, 0.38) : sdBox(x, Y - cy, 0.4, 0.22);
      return Math.min(shaft, plate);
    }
    if (p.top === 'light') return Math.min(shaft, sdBox(x - boxX, Y - p.h + 0.5, 0.16, 0.48));
    if (p.top === 'utility') return Math.min(shaft, sdBox(x, Y - p.h + 0.5, 0.9, 0.05));
    return sdBox(x, Y - p.h / 2, p.w / 2, p.h / 2) - 0.02;
  };
  const paint: Paint2 = (X, Y, out) => {
    const x = X - p.X;
    let col = p.colour;
    if (p.top === 'lamp' && Math.abs(x - arm) < 0.3 && Y < p.h + 0.05 && Y > p.h - 0.1) col = [0.9, 0.9, 0.85];
    else if (p.top === 'sign' && Y > p.h - 0.8 && Math.abs(x) > p.w / 2 - 0.001)
      col = Math.abs(Y - p.h + 0.35) < 0.27 && Math.abs(x) < 0.26 ? p.sign : [0.92, 0.92, 0.92];
    else if (p.top === 'light' && Math.abs(Y - p.h + 0.5) < 0.48 && Math.abs(x - boxX) < 0.16) {
      const lamp = Math.round((Y - p.h + 0.5) / 0.3);
      const on = Math.hypot(x - boxX, Y - p.h + 0.5 - lamp * 0.3) < 0.1;
      col = on
        ? ((
            [
              [0.1, 0.8, 0.3],
              [0.95, 0.7, 0.1],
              [0.9, 0.1, 0.1],
            ] as Rgb[]
          )[lamp + 1] ?? TYRE)
        : TYRE;
    } else if (p.top === 'bollard' && Y > p.h - 0.15) col = [0.85, 0.85, 0.8];
    set(out, col, 1 + 0.4 * r.s.sun * r.s.sunK * clamp01((x * p.dir) / p.w + 0.5));
  };
  drawFrontal(r, p.Z, p.X - Math.abs(arm) - 1, p.X + Math.abs(arm) + 1, 0, p.h + 0.25, sdf, paint, POLE);
}

/** Draw one realistic object into r. */
export function drawRealThing(r: Raster, t: RealThing): void {
  if (t.kind === 'car') drawCar(r, t);
  else if (t.kind === 'person') drawPerson(r, t);
  else if (t.kind === 'cyclist') drawCyclist(r, t);
  else if (t.kind === 'tree') drawTree(r, t);
  else drawPole(r, t);
}
