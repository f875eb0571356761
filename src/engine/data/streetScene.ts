/**
 * What a procedural street scene is, in world units (metres): its classes and their palette, the camera, light, street
 * layout, facades, skyline and the objects on it (cars, people, trees, poles) sorted far to near. streetLayout.ts draws a
 * scene from a seeded stream; streetRaster.ts and streetObjects.ts draw it into pixels.
 */
import type { Rgb } from './raster';
import type { SegColour } from './segDataset';
import type { RealLook } from './streetRealScene';

/** The scene styles (see STREET_STYLES in streets.ts): the original scenes, or domain-randomised photo-like ones. */
export type StreetStyle = 'classic' | 'realistic';

/** The 8 class names, indexed by label id. */
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

/** Class ids (indices into STREET_CLASSES). */
export const SKY = 0,
  BUILDING = 1,
  ROAD = 2,
  SIDEWALK = 3,
  VEGETATION = 4,
  CAR = 5,
  PERSON = 6,
  POLE = 7;
export const ASPECT = 2; // width / height the scenes are composed for
export const CURB = 0.25; // kerb stone width (m), labelled sidewalk

/** A stretch of one street side between depths z0 and z1: a building, a hedge or green, or an open gap. */
export interface Facade {
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
/** One side of the street, outward from the road: kerb, verge, sidewalk, setback, then the facades on the wall line. */
export interface Side {
  curb: number;
  verge: number;
  walk: number;
  setbackGrass: boolean;
  wall: number;
  facades: Facade[];
}
/** A block of the distant skyline between lateral X0 and X1. */
export interface Block {
  x0: number;
  x1: number;
  h: number;
  colour: Rgb;
  veg: boolean;
}
/** An object on the street, at lateral X and depth Z of its near face. */
export type Thing =
  | { kind: 'car'; X: number; Z: number; w: number; h: number; L: number; colour: Rgb; front: boolean; van: boolean }
  | { kind: 'person'; X: number; Z: number; h: number; shirt: Rgb; pants: Rgb; skin: Rgb; hair: Rgb; stride: number; swing: number }
  | { kind: 'tree'; X: number; Z: number; trunk: number; r: number; leaf: Rgb; salt: number }
  | { kind: 'pole'; X: number; Z: number; h: number; w: number; colour: Rgb; top: 'lamp' | 'sign' | 'light'; dir: number; sign: Rgb };

/** A whole scene in world units: camera, light, street layout and objects sorted far to near. */
export interface Scene {
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
  /** Present only on realistic scenes (streetRealLayout.ts): what the realistic rasteriser needs beyond the classic fields. */
  real?: RealLook;
}
