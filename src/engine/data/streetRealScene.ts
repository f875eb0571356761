/**
 * What a realistic street scene adds to the classic Scene (streetScene.ts): materials of the ground and facades, the
 * richer objects (car bodies, walking people, cyclists, lumpy trees, street furniture, hedges, fences) and the camera
 * pipeline (white balance, exposure, contrast, gamma, blur, noise, blockiness). Built by streetRealLayout.ts, drawn by
 * streetRealRaster.ts and streetRealObjects.ts.
 *
 * Labels of the clutter the 8 classes have no name for, chosen after the Cityscapes categories and harmless for the CamVid
 * evaluation (CamVid SignSymbol and Fence are ignored there, so any label is): sign plates and traffic-light heads are
 * **pole** (Cityscapes' `object` category: pole, traffic sign, traffic light; they sit on a pole and are as thin), fences,
 * railings and low walls are **building** (Cityscapes' `construction` category: building, wall, fence), bollards are
 * **pole**, hedges and grass verges **vegetation**, buses and trucks **car** (CamVid-11 folds them into Car), and a
 * cyclist with the bicycle is **person** (CamVid Bicyclist → person in the mapping).
 */
import type { Rgb } from './raster';
import type { Facade, Side } from './streetScene';

/** A facade of a realistic street side: the classic fields plus its depth behind the wall line and its materials. */
export interface RealFacade extends Facade {
  /** Metres behind the side's wall line (buildings step back and forth; their side walls show). */
  inset: number;
  material: 'brick' | 'render' | 'concrete' | 'glass' | 'panel';
  /** Shop front on the ground floor: glass, a fascia (sign band) of colour fascia, an awning when awning is set. */
  shop: boolean;
  fascia: Rgb;
  awning: Rgb | null;
  frame: Rgb;
  /** Roof band (cornice or parapet) colour. */
  roof: Rgb;
  /** Pitched roof: apparent height above the facade (0 = flat) and tile colour; chimneys stand on it. */
  pitch: number;
  tiles: Rgb;
}

/** A realistic street side: the classic fields plus the sidewalk material. */
export interface RealSide extends Side {
  facades: RealFacade[];
  paving: 'tiles' | 'slabs' | 'brick' | 'asphalt';
  walkColour: Rgb;
  joint: Rgb;
  tileX: number;
  tileZ: number;
  curbColour: Rgb;
  /** Ground between the sidewalk and the wall line: grass (vegetation) or paving (sidewalk). */
  yard: 'grass' | 'paving';
  /** A side street joining between these depths (road across the sidewalk, no facades), or null. */
  junction: [number, number] | null;
}

export type RealCar = {
  kind: 'car';
  X: number;
  Z: number;
  w: number;
  h: number;
  L: number;
  /** Height of the beltline (bottom of the windows) and of the bonnet at the front/back end. */
  belt: number;
  body: 'sedan' | 'hatch' | 'suv' | 'van' | 'truck' | 'bus';
  colour: Rgb;
  glass: Rgb;
  front: boolean;
};
export type RealPerson = {
  kind: 'person';
  X: number;
  Z: number;
  h: number;
  /** Shoulder half-width relative to height. */
  build: number;
  top: Rgb;
  legs: Rgb;
  shoes: Rgb;
  skin: Rgb;
  hair: Rgb;
  /** Coat length: the top reaches down to this fraction of the height (0.5 = waist). */
  coat: number;
  bag: Rgb | null;
  /** front = seen from front or back (legs side by side), side = walking across the view (legs scissoring). */
  view: 'front' | 'side';
  dir: number;
  /** Walking phase in [−1, 1]: the stride (negative = the other leg forward). */
  stride: number;
  hat: Rgb | null;
};
export type RealCyclist = Omit<RealPerson, 'kind' | 'view'> & { kind: 'cyclist'; bike: Rgb };
export type RealTree = {
  kind: 'tree';
  X: number;
  Z: number;
  /** Height of the crown's base (top of the bare trunk), crown half-width r and half-height ry. */
  trunk: number;
  r: number;
  ry: number;
  trunkW: number;
  leaf: Rgb;
  leaf2: Rgb;
  bark: Rgb;
  /** 0 = in leaf; up to 1 = bare winter crown (see-through twigs, still labelled vegetation). */
  bare: number;
  salt: number;
};
export type RealPole = {
  kind: 'pole';
  X: number;
  Z: number;
  h: number;
  w: number;
  colour: Rgb;
  top: 'lamp' | 'sign' | 'light' | 'utility' | 'bollard';
  dir: number;
  sign: Rgb;
  shape: number;
};
/** A hedge, fence, railing or low wall along the street at lateral X between depths z0 and z1 (drawn as a plane facing the road). */
export type RealStrip = {
  kind: 'hedge' | 'fence' | 'wall';
  X: number;
  Z: number;
  z1: number;
  h: number;
  colour: Rgb;
  salt: number;
};
export type RealThing = RealCar | RealPerson | RealCyclist | RealTree | RealPole;

/** The realistic-only part of a scene. */
export interface RealLook {
  sky: 'clear' | 'overcast' | 'sunset' | 'white';
  /** Sun glow: image x (fraction) and strength. */
  glowX: number;
  glow: number;
  /** Asphalt texture: coarse variation, repair patches (share of cells), tyre-track darkening, crack density. */
  coarse: number;
  patches: number;
  patchColour: Rgb;
  tracks: number;
  cracks: number;
  /** Width (m) of the parking lanes at the left and right kerbs (0 = none); the driving lanes lie between them. */
  parkL: number;
  parkR: number;
  centreSolid: boolean;
  zebra: boolean;
  stopLine: number;
  /** Strips (hedges, fences, walls) behind the sidewalks, drawn before the objects. */
  strips: RealStrip[];
  /** Objects far to near. */
  things: RealThing[];
  /** Camera pipeline. */
  gain: Rgb;
  exposure: number;
  contrast: number;
  gamma: number;
  saturation: number;
  blur: number;
  block: number;
  vignette: number;
}
