/**
 * Scoring the built-in street models on real photos (issue #15 item 4): the class mapping from real label
 * formats to the 8 street classes, cropping to the viewer's rectangle (protocol/fit.ts: the same fit the viewer
 * makes), and the layout-prior baseline.
 *
 * Mapping (named by class, so CamVid 11, CamVid 32 and Cityscapes agree): sky → sky; buildings, walls, bridges,
 * tunnels and archways → building; road and lane markings → road; sidewalk / pavement, road shoulder and
 * parking blocks → sidewalk (CamVid 11's Pavement grouping); trees, vegetation and Cityscapes terrain →
 * vegetation; cars and every other motor vehicle (SUV, truck, bus, train, other moving) → car (CamVid 11's Car
 * grouping); pedestrians, children, bicyclists, motorcyclists and Cityscapes riders → person; poles → pole.
 * Ignored (no street class; not counted): signs, traffic lights, text, fences, traffic cones, animals,
 * prams, Cityscapes bicycles and motorcycles (the vehicle, not its rider), void. Pascal VOC is refused: its
 * only street class is person, so every other pixel would be uncounted and person false positives unseen.
 */
import type { CropRect } from '../../protocol';
import { SEG_FORMATS, type SegFormatId } from '../data/import/segFormats';
import { STREET_CLASSES } from '../data/streetScene';
import { SEG_IGNORE_LABEL, emptyConfusion } from './segMetrics';

type StreetClass = (typeof STREET_CLASSES)[number];

/** Real class name (lower case) → street class; names absent here are ignored. */
const BY_NAME: Readonly<Record<string, StreetClass>> = {
  // CamVid 11 (SegNet)
  sky: 'sky',
  building: 'building',
  pole: 'pole',
  road: 'road',
  pavement: 'sidewalk',
  tree: 'vegetation',
  car: 'car',
  pedestrian: 'person',
  bicyclist: 'person',
  // CamVid 32 (label_colors.txt), grouped as SegNet's 11 classes
  archway: 'building',
  bridge: 'building',
  tunnel: 'building',
  wall: 'building',
  column_pole: 'pole',
  lanemkgsdriv: 'road',
  lanemkgsnondriv: 'road',
  sidewalk: 'sidewalk',
  roadshoulder: 'sidewalk',
  parkingblock: 'sidewalk',
  vegetationmisc: 'vegetation',
  suvpickuptruck: 'car',
  truck_bus: 'car',
  train: 'car',
  othermoving: 'car',
  child: 'person',
  motorcyclescooter: 'person',
  // Cityscapes (19 train classes; road, sidewalk, building, wall, pole, sky, person, car, train above)
  vegetation: 'vegetation',
  terrain: 'vegetation',
  person: 'person',
  rider: 'person',
  truck: 'car',
  bus: 'car',
};

/** The label formats that map onto the street classes. */
export const STREET_MAPPABLE_FORMATS: readonly SegFormatId[] = ['camvid11', 'camvid32', 'cityscapes', 'cityscapes-trainids'];

/** Why a format cannot be scored against the street models, or null when it can. */
export function streetMappingRefusal(format: SegFormatId): string | null {
  if (STREET_MAPPABLE_FORMATS.includes(format)) return null;
  return `${SEG_FORMATS[format].name} labels have no street class but person, so they cannot score street models: use CamVid or Cityscapes labels.`;
}

/** A 256-entry table: the format's class id → street class id (255 = ignore). Throws for a format that does not map. */
export function streetMapping(format: SegFormatId): Uint8Array {
  const refusal = streetMappingRefusal(format);
  if (refusal) throw new Error(refusal);
  const table = new Uint8Array(256).fill(SEG_IGNORE_LABEL);
  SEG_FORMATS[format].classNames.forEach((name, id) => {
    const street = BY_NAME[name.toLowerCase()];
    if (street) table[id] = STREET_CLASSES.indexOf(street);
  });
  return table;
}

/** Class ids of a real label map (in its format's ids, 255 = ignore) as street class ids. */
export function toStreetLabels(ids: Uint8Array, table: Uint8Array): Uint8Array {
  const out = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = table[ids[i]!]!;
  return out;
}

/** The `rect` part of a row-major image with `channels` bytes per pixel. */
export function cropPixels<T extends Uint8Array | Uint8ClampedArray>(data: T, width: number, channels: number, rect: CropRect): T {
  const out = new (data.constructor as new (n: number) => T)(rect.width * rect.height * channels);
  for (let y = 0; y < rect.height; y++) {
    const from = ((rect.y + y) * width + rect.x) * channels;
    out.set(data.subarray(from, from + rect.width * channels), y * rect.width * channels);
  }
  return out;
}

/**
 * The layout-prior baseline: for each photo, each pixel gets the class most often labelled at that pixel in the
 * **other** photos (leave-one-out; ties go to the lower class id; a pixel no other photo labels is predicted 0).
 * All label maps are height × width street ids (255 = ignore). Returns the summed confusion matrix.
 */
export function layoutPriorConfusion(labels: readonly Uint8Array[], numClasses: number): Float64Array {
  const cm = emptyConfusion(numClasses);
  if (labels.length < 2) return cm;
  const pixels = labels[0]!.length;
  const counts = new Uint32Array(pixels * numClasses);
  for (const l of labels) {
    if (l.length !== pixels) throw new Error(`Label maps differ in size (${l.length} vs ${pixels} pixels).`);
    for (let p = 0; p < pixels; p++) if (l[p]! !== SEG_IGNORE_LABEL) counts[p * numClasses + l[p]!]!++;
  }
  for (const l of labels) {
    for (let p = 0; p < pixels; p++) {
      const t = l[p]!;
      if (t === SEG_IGNORE_LABEL) continue;
      let best = 0;
      let bestCount = -1;
      for (let c = 0; c < numClasses; c++) {
        const n = counts[p * numClasses + c]! - (c === t ? 1 : 0);
        if (n > bestCount) {
          best = c;
          bestCount = n;
        }
      }
      cm[t * numClasses + best]! += 1;
    }
  }
  return cm;
}
