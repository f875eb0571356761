/**
 * The built-in person-detection dataset (Detect lab, TECHNIQUES.md §4): procedural street scenes (streets.ts) whose
 * people are re-placed so that each image holds 0–10 of them, from near (cut by the bottom edge) to far (a few pixels
 * tall), some standing in overlapping groups; every visible person gets its box (modal, see PersonBox in streets.ts).
 * Seeded and deterministic: item (seed, split, index) is always the same image and boxes.
 *
 * Two styles, as the Segment lab's scenes: `classic` (block people in the classic streets; what the shipped detectors
 * were trained on, pinned byte for byte by a test) and `realistic` (issue #15's domain-randomised streets, whose people
 * have a head, hair, skin tones, torso, arms, legs, clothing, coats, bags and hats, front or side views and walking
 * poses — issue #12 item 8 asks for exactly that; cyclists are left out so that every box is a pedestrian).
 */
import type { BuiltinDetectSetName } from '../../protocol/labs/detect';
import { hashSeed, mulberry32, randInt, uniform, type Rng } from '../random';
import type { DetectBox, DetectDataset, DetectSplit } from './detectDataset';
import { buildStreetScene, randomPerson } from './streetLayout';
import { buildRealisticScene, randomRealPerson } from './streetRealLayout';
import type { RealPerson, RealThing } from './streetRealScene';
import { ASPECT, type Scene, type StreetStyle, type Thing } from './streetScene';
import { rasteriseScene, STREET_SPLIT, type PersonBox } from './streets';

/**
 * The detection input size, height × width = 128 × 256 (1:2, the street scenes' aspect). The backbone's stride-32 map is
 * then 4 × 8 = 32 tokens: enough memory tokens for DETR's 20 object queries to attend over (each query has more than one
 * place to look, and the 2-D sine encoding has 4 × 8 distinct positions), yet small enough that encoder self-attention
 * (32² scores per head) and the whole model stay cheap on the wasm backend; at 64 × 128 the map would be 2 × 4 = 8 tokens,
 * fewer than the queries.
 */
export const DETECT_SIZE = { height: 128, width: 256 } as const;

/**
 * People shorter than this (px at DETECT_SIZE) are ignore regions (like COCO's crowds): drawn, never a training target, and
 * neither rewarded nor penalised in AP. A 128-px-high image read through a stride-32 map has 4 rows of tokens; a person
 * under 8 px spans a quarter of one token, beyond what the compact DETR can localise (a quarter of the scenes' boxes were
 * that small: height p10 4 px, p25 8 px, median 25 px).
 */
export const DETECT_MIN_HEIGHT_PX = 8;

/** The most people placed in one image (an image can show fewer: hidden or too small people get no box). */
export const DETECT_MAX_PEOPLE = 10;

/**
 * How a scene's people are placed: `street` at mixed depths; `near` large and close (often cut by the image edges);
 * `far` small and distant (a few pixels tall); `group` clustered in overlapping groups.
 */
export const DETECT_VARIANTS = ['street', 'near', 'far', 'group'] as const;
export type DetectVariant = (typeof DETECT_VARIANTS)[number];

const SCENE_SALT = 0xde7ec7;
const PEOPLE_SALT = 0x9e0b1e;
const NOISE_SALT = 0x5ce4e;
/** Salt of the realistic style's street (a different scene from the Segment lab's realistic scene of the same index). */
const REAL_SCENE_SALT = 0xde7ea1;

/** The built-in detection set's name per style. */
export const detectDatasetName = (style: StreetStyle = 'classic'): BuiltinDetectSetName =>
  style === 'realistic' ? 'streets-people-realistic' : 'streets-people';

/** A detection scene before rasterisation: the street scene with its people replaced, the variant, and how many were placed. */
export interface DetectScenePlan {
  scene: Scene;
  variant: DetectVariant;
  placed: number;
}

/** Lateral range (m) of a person's centre at depth Z that keeps it near the view and between the two walls. */
function lateralRange(s: Scene, Z: number): [number, number] {
  const lo = Math.max((-s.vp * ASPECT * Z) / s.fv - 0.2, -(s.sides[0].wall - 0.4));
  const hi = Math.min(((1 - s.vp) * ASPECT * Z) / s.fv + 0.2, s.sides[1].wall - 0.4);
  return lo < hi ? [lo, hi] : [(lo + hi) / 2, (lo + hi) / 2];
}

/** Where and how many: the positions (X, Z) of `count` people for a variant; `make` draws each person at its place. */
function placePeople<P extends { X: number; Z: number }>(rng: Rng, s: Scene, variant: DetectVariant, count: number, make: (X: number, Z: number) => P): P[] {
  const u = (lo: number, hi: number) => uniform(rng, lo, hi);
  const zMin = (s.fv * s.hc) / (1 - s.hz); // depth of the ground at the bottom edge
  const near = 0.7 * zMin;
  const depth = (): number => {
    if (variant === 'near') return u(near, Math.max(near + 1, 3 * zMin));
    if (variant === 'far') return u(15, 70);
    return near + (60 - near) * rng() ** 2; // biased near, out to 60 m
  };
  const joinP = variant === 'group' ? 0.75 : 0.25;
  const people: P[] = [];
  for (let k = 0; k < count; k++) {
    let X: number, Z: number;
    const prev = people.length > 0 && rng() < joinP ? people[randInt(rng, people.length)]! : null;
    if (prev) {
      // Beside or just behind someone already placed: their boxes overlap.
      Z = Math.max(near, prev.Z + u(-0.6, 1.5));
      X = prev.X + (rng() < 0.5 ? -1 : 1) * u(0.2, 0.6);
    } else {
      Z = depth();
      const [lo, hi] = lateralRange(s, Z);
      X = u(lo, hi);
    }
    people.push(make(X, Z));
  }
  return people;
}

/** The detection scene of (seed, split, index): a street scene (cars, trees, poles kept) with 0–10 people re-placed. */
export function planDetectScene(seed: number, split: 0 | 1, index: number, style: StreetStyle = 'classic'): DetectScenePlan {
  const realistic = style === 'realistic';
  const scene = realistic
    ? buildRealisticScene(mulberry32(hashSeed(seed, split, index, REAL_SCENE_SALT)))
    : buildStreetScene(mulberry32(hashSeed(seed, split, index, SCENE_SALT)));
  const rng = mulberry32(hashSeed(seed, split, index, PEOPLE_SALT));
  const variant = DETECT_VARIANTS[randInt(rng, DETECT_VARIANTS.length)]!;
  const placed = randInt(rng, DETECT_MAX_PEOPLE + 1);
  if (realistic) {
    const L = scene.real!;
    const u = (lo: number, hi: number) => uniform(rng, lo, hi);
    // Front views two times in three (the realistic scenes' share), facing left or right when seen from the side.
    const make = (X: number, Z: number): RealPerson => randomRealPerson(rng, u, X, Z, rng() < 0.65 ? 'front' : 'side', rng() < 0.5 ? -1 : 1);
    const things: RealThing[] = L.things.filter((t) => t.kind !== 'person' && t.kind !== 'cyclist');
    things.push(...placePeople(rng, scene, variant, placed, make));
    L.things = things.sort((a, b) => b.Z - a.Z);
  } else {
    const things: Thing[] = scene.things.filter((t) => t.kind !== 'person');
    things.push(...placePeople(rng, scene, variant, placed, (X, Z) => randomPerson(rng, X, Z)));
    scene.things = things.sort((a, b) => b.Z - a.Z);
  }
  return { scene, variant, placed };
}

/** Extra outputs of renderDetectScene, for tests and viewers: class ids and person ids per pixel (height×width each). */
export interface DetectSceneExtras {
  label?: Uint8Array;
  instances?: Uint16Array;
}

const scratchLabel = new Uint8Array(DETECT_SIZE.height * DETECT_SIZE.width);

/**
 * Render detection scene (seed, split, index) at DETECT_SIZE: HWC uint8 RGB into outImage at imageOffset; returns its
 * visible people's boxes (modal; none under 2 px; a fully hidden person has none).
 */
export function renderDetectScene(
  seed: number,
  split: 0 | 1,
  index: number,
  outImage: Uint8Array,
  imageOffset: number,
  extras: DetectSceneExtras = {},
  style: StreetStyle = 'classic',
): PersonBox[] {
  const { height, width } = DETECT_SIZE;
  if (imageOffset + height * width * 3 > outImage.length)
    throw new RangeError(`detection scene ${height}×${width} does not fit the image buffer at offset ${imageOffset}`);
  const { scene } = planDetectScene(seed, split, index, style);
  const label = extras.label ?? scratchLabel;
  return rasteriseScene(scene, hashSeed(seed, split, index, NOISE_SALT), height, width, outImage, imageOffset, label, extras.instances);
}

/** A scene's person box as a dataset box: ignore when shorter than DETECT_MIN_HEIGHT_PX. */
export function detectBoxOf({ cx, cy, w, h }: PersonBox): DetectBox {
  return { cx, cy, w, h, ignore: h * DETECT_SIZE.height < DETECT_MIN_HEIGHT_PX };
}

const CHUNK = 8;
const nextTick = () => new Promise<void>((res) => setTimeout(res, 0));

/**
 * Generate the built-in detection dataset at 128×256 (DETECT_SIZE): images NHWC uint8 and per-image person boxes
 * (cx, cy, w, h in [0, 1]; ignore when under DETECT_MIN_HEIGHT_PX tall), in chunks of 8 images that yield to the event loop between them;
 * onProgress gets fractions in [0, 1]. Mirrors generateStreetDataset (seed, trainSize, testSize, onProgress).
 */
export async function generateDetectDataset(opts: {
  seed: number;
  trainSize: number;
  testSize: number;
  /** The scenes' style (default classic: the shipped detectors' scenes). */
  style?: StreetStyle;
  onProgress?: (fraction: number) => void;
}): Promise<DetectDataset> {
  const { seed, trainSize, testSize, onProgress, style = 'classic' } = opts;
  const { height, width } = DETECT_SIZE;
  const pixels = height * width;
  const total = trainSize + testSize;
  let done = 0;
  const makeSplit = async (split: 0 | 1, count: number): Promise<DetectSplit> => {
    const images = new Uint8Array(count * pixels * 3);
    const boxes: DetectBox[][] = [];
    for (let start = 0; start < count; start += CHUNK) {
      const end = Math.min(count, start + CHUNK);
      for (let i = start; i < end; i++) {
        boxes.push(renderDetectScene(seed, split, i, images, i * pixels * 3, {}, style).map(detectBoxOf));
      }
      done += end - start;
      if (done < total) onProgress?.(done / total);
      await nextTick();
    }
    return { images, boxes, count };
  };
  const train = await makeSplit(STREET_SPLIT.train, trainSize);
  const test = await makeSplit(STREET_SPLIT.test, testSize);
  onProgress?.(1);
  return { name: detectDatasetName(style), height, width, train, test };
}
