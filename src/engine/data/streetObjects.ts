/**
 * The street-scene objects drawn over the backdrop, far to near: cars (side plane + frontal silhouette and ground shadow),
 * people, trees and poles (lamps, signs, traffic lights), each a signed-distance silhouette on a vertical plane at its depth.
 */
import { sdBox, sdCapsule, type Rgb } from './raster';
import { drawFrontal, drawSidePlane, shadeGround, type Paint2, type Raster, type Sdf2 } from './streetRaster';
import { CAR, PERSON, POLE, VEGETATION, type Thing } from './streetScene';
import { clamp01, mix, scale, set, vnoise } from './streetTexture';

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

/** Draw one object of the scene (cars, people, trees, poles) into r. */
export function drawThing(r: Raster, t: Thing): void {
  if (t.kind === 'car') drawCar(r, t);
  else if (t.kind === 'person') drawPerson(r, t);
  else if (t.kind === 'tree') drawTree(r, t);
  else drawPole(r, t);
}
