/**
 * The label-PNG formats of real segmentation datasets, as data: class names, display palette, and how a
 * decoded PNG's pixels (an index value, or an RGB colour) map to class ids (255 = ignore).
 * Sources: SegNet's CamVid 11 classes; CamVid `label_colors.txt` (32 classes, with fastai's `codes.txt`
 * index order for `_P.png`); cityscapesScripts `labels.py` (labelId → trainId); the Pascal VOC colormap.
 */
import type { DecodedPng } from 'fast-png';
import { SegImportError } from './segImportError';
import type { SegColour } from './segTypes';

/** The class id of pixels that no loss or metric counts (void, border, unlabelled). */
export const IGNORE = 255;

export const SEG_FORMAT_IDS = ['camvid11', 'camvid32', 'cityscapes', 'cityscapes-trainids', 'voc'] as const;
export type SegFormatId = (typeof SEG_FORMAT_IDS)[number];

/** One label format: what the classes are called and coloured, and how label pixels become class ids. */
export interface SegFormat {
  id: SegFormatId;
  /** For messages and the UI: "CamVid 11-class". */
  name: string;
  classNames: readonly string[];
  /** Display colour of each class id. */
  palette: readonly SegColour[];
  /** Class id of each index value (grayscale sample or palette index); -1 = not a label of this format. */
  indexTable: Int16Array;
  /** What the index values are, for messages: "0–10, or 11 for void". */
  indexText: string;
  /** Class id of each RGB colour (key r << 16 | g << 8 | b), or null when the format has no colour coding. */
  colourTable: ReadonlyMap<number, number> | null;
  /** How a palette (indexed-colour) PNG is read: by its index, or by the palette entry's colour. */
  paletteBy: 'index' | 'colour';
}

const rgbKey = (r: number, g: number, b: number) => (r << 16) | (g << 8) | b;

/** An index table from [value, class id] entries; every other value is unknown (-1). */
function indexTable(entries: Iterable<readonly [number, number]>): Int16Array {
  const table = new Int16Array(256).fill(-1);
  for (const [value, cls] of entries) table[value] = cls;
  return table;
}

// ---- CamVid, 11 classes (SegNet): index PNGs, values 0–10, 11 = void.
const CAMVID11_CLASSES = ['Sky', 'Building', 'Pole', 'Road', 'Pavement', 'Tree', 'SignSymbol', 'Fence', 'Car', 'Pedestrian', 'Bicyclist'];
/** The CamVid label colours of the 11 classes (Pole = Column_Pole, Pavement = Sidewalk). */
const CAMVID11_PALETTE: SegColour[] = [
  [128, 128, 128],
  [128, 0, 0],
  [192, 192, 128],
  [128, 64, 128],
  [0, 0, 192],
  [128, 128, 0],
  [192, 128, 128],
  [64, 64, 128],
  [64, 0, 128],
  [64, 64, 0],
  [0, 128, 192],
];

// ---- CamVid, 32 classes: label_colors.txt, in file order (= fastai codes.txt order). Void is ignored.
/** CamVid `label_colors.txt`: the 32 colour codes with their class names, in the file's order. */
export const CAMVID32_COLOURS: readonly (readonly [string, number, number, number])[] = [
  ['Animal', 64, 128, 64],
  ['Archway', 192, 0, 128],
  ['Bicyclist', 0, 128, 192],
  ['Bridge', 0, 128, 64],
  ['Building', 128, 0, 0],
  ['Car', 64, 0, 128],
  ['CartLuggagePram', 64, 0, 192],
  ['Child', 192, 128, 64],
  ['Column_Pole', 192, 192, 128],
  ['Fence', 64, 64, 128],
  ['LaneMkgsDriv', 128, 0, 192],
  ['LaneMkgsNonDriv', 192, 0, 64],
  ['Misc_Text', 128, 128, 64],
  ['MotorcycleScooter', 192, 0, 192],
  ['OtherMoving', 128, 64, 64],
  ['ParkingBlock', 64, 192, 128],
  ['Pedestrian', 64, 64, 0],
  ['Road', 128, 64, 128],
  ['RoadShoulder', 128, 128, 192],
  ['Sidewalk', 0, 0, 192],
  ['SignSymbol', 192, 128, 128],
  ['Sky', 128, 128, 128],
  ['SUVPickupTruck', 64, 128, 192],
  ['TrafficCone', 0, 0, 64],
  ['TrafficLight', 0, 64, 64],
  ['Train', 192, 64, 128],
  ['Tree', 128, 128, 0],
  ['Truck_Bus', 192, 128, 192],
  ['Tunnel', 64, 0, 64],
  ['VegetationMisc', 192, 192, 0],
  ['Void', 0, 0, 0],
  ['Wall', 64, 192, 0],
];
const CAMVID32_CLASSES = CAMVID32_COLOURS.filter(([name]) => name !== 'Void');
/** Class id of label_colors.txt entry `i` (Void → ignore, the entries after it shift down by one). */
const camvid32Class = (name: string) => (name === 'Void' ? IGNORE : CAMVID32_CLASSES.findIndex(([n]) => n === name));

// ---- Cityscapes: labelIds 0–33 → the 19 train ids of cityscapesScripts labels.py.
export const CITYSCAPES_CLASSES = [
  'road',
  'sidewalk',
  'building',
  'wall',
  'fence',
  'pole',
  'traffic light',
  'traffic sign',
  'vegetation',
  'terrain',
  'sky',
  'person',
  'rider',
  'car',
  'truck',
  'bus',
  'train',
  'motorcycle',
  'bicycle',
];
/** labels.py: the labelId of each train id 0–18. */
const CITYSCAPES_LABEL_IDS = [7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33];
const CITYSCAPES_PALETTE: SegColour[] = [
  [128, 64, 128],
  [244, 35, 232],
  [70, 70, 70],
  [102, 102, 156],
  [190, 153, 153],
  [153, 153, 153],
  [250, 170, 30],
  [220, 220, 0],
  [107, 142, 35],
  [152, 251, 152],
  [70, 130, 180],
  [220, 20, 60],
  [255, 0, 0],
  [0, 0, 142],
  [0, 0, 70],
  [0, 60, 100],
  [0, 80, 100],
  [0, 0, 230],
  [119, 11, 32],
];
/** Train id of each Cityscapes labelId 0–33 (255 for the ids not trained on: unlabeled, parking, guard rail, ...). */
export const CITYSCAPES_TRAIN_ID: readonly number[] = Array.from({ length: 34 }, (_, id) => {
  const trainId = CITYSCAPES_LABEL_IDS.indexOf(id);
  return trainId < 0 ? IGNORE : trainId;
});

// ---- Pascal VOC: 21 classes, palette PNGs where the index is the class, 255 = border.
export const VOC_CLASSES = [
  'background',
  'aeroplane',
  'bicycle',
  'bird',
  'boat',
  'bottle',
  'bus',
  'car',
  'cat',
  'chair',
  'cow',
  'diningtable',
  'dog',
  'horse',
  'motorbike',
  'person',
  'pottedplant',
  'sheep',
  'sofa',
  'train',
  'tvmonitor',
];
/** Colour of VOC index `i`: the bit-interleaved colormap of the devkit (1 → 128 0 0, 255 → 224 224 192). */
export function vocColour(i: number): SegColour {
  let r = 0;
  let g = 0;
  let b = 0;
  for (let j = 0, c = i; j < 8; j++, c >>= 3) {
    r |= (c & 1) << (7 - j);
    g |= ((c >> 1) & 1) << (7 - j);
    b |= ((c >> 2) & 1) << (7 - j);
  }
  return [r, g, b];
}
const VOC_PALETTE = VOC_CLASSES.map((_, i) => vocColour(i));
const VOC_BORDER = vocColour(IGNORE);

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Every format by id. */
export const SEG_FORMATS: Readonly<Record<SegFormatId, SegFormat>> = {
  camvid11: {
    id: 'camvid11',
    name: 'CamVid 11-class',
    classNames: CAMVID11_CLASSES,
    palette: CAMVID11_PALETTE,
    indexTable: indexTable([...range(11).map((v) => [v, v] as const), [11, IGNORE]]),
    indexText: 'values 0–10, or 11 for void',
    colourTable: null,
    paletteBy: 'index',
  },
  camvid32: {
    id: 'camvid32',
    name: 'CamVid 32-class',
    classNames: CAMVID32_CLASSES.map(([name]) => name),
    palette: CAMVID32_CLASSES.map(([, r, g, b]) => [r, g, b] as const),
    indexTable: indexTable(CAMVID32_COLOURS.map(([name], code) => [code, camvid32Class(name)] as const)),
    indexText: 'codes 0–31 in label_colors.txt order, 30 = Void',
    colourTable: new Map(CAMVID32_COLOURS.map(([name, r, g, b]) => [rgbKey(r, g, b), camvid32Class(name)])),
    paletteBy: 'colour',
  },
  cityscapes: {
    id: 'cityscapes',
    name: 'Cityscapes labelIds',
    classNames: CITYSCAPES_CLASSES,
    palette: CITYSCAPES_PALETTE,
    indexTable: indexTable(CITYSCAPES_TRAIN_ID.map((trainId, id) => [id, trainId] as const)),
    indexText: 'label ids 0–33',
    colourTable: null,
    paletteBy: 'index',
  },
  'cityscapes-trainids': {
    id: 'cityscapes-trainids',
    name: 'Cityscapes labelTrainIds',
    classNames: CITYSCAPES_CLASSES,
    palette: CITYSCAPES_PALETTE,
    indexTable: indexTable([...range(19).map((v) => [v, v] as const), [IGNORE, IGNORE]]),
    indexText: 'train ids 0–18, or 255 for ignore',
    colourTable: null,
    paletteBy: 'index',
  },
  voc: {
    id: 'voc',
    name: 'Pascal VOC',
    classNames: VOC_CLASSES,
    palette: VOC_PALETTE,
    indexTable: indexTable([...range(21).map((v) => [v, v] as const), [IGNORE, IGNORE]]),
    indexText: 'values 0–20, or 255 for the border',
    colourTable: new Map([...VOC_PALETTE.map(([r, g, b], i) => [rgbKey(r, g, b), i] as const), [rgbKey(...VOC_BORDER), IGNORE]]),
    paletteBy: 'index',
  },
};

/** The samples of a decoded PNG, one array entry per channel per pixel (1/2/4-bit rows unpacked). */
export function pngSamples(png: DecodedPng): Uint8Array | Uint16Array | Uint8ClampedArray {
  const { width, height, channels, depth, data } = png;
  if (depth >= 8) return data;
  const out = new Uint8Array(width * height * channels);
  const rowBytes = Math.ceil((width * channels * depth) / 8);
  const perByte = 8 / depth;
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let s = 0; s < width * channels; s++) {
      const byte = data[y * rowBytes + Math.floor(s / perByte)] ?? 0;
      out[y * width * channels + s] = (byte >> (8 - depth * ((s % perByte) + 1))) & mask;
    }
  }
  return out;
}

const colourText = (r: number, g: number, b: number) => `RGB(${r}, ${g}, ${b})`;
const where = (file: string, p: number, width: number) => `${file}: the pixel at x ${p % width}, y ${Math.floor(p / width)}`;

/** What kind of PNG this is, for messages. */
export function pngKind(png: DecodedPng): string {
  if (png.palette) return 'palette (indexed-colour)';
  return png.channels >= 3 ? 'colour (RGB)' : 'grayscale';
}

/** Class ids (row-major, 255 = ignore) of a decoded label PNG in `format`; throws SegImportError naming `file`. */
export function mapLabelPng(format: SegFormat, png: DecodedPng, file: string): Uint8Array {
  const { width, height, channels, depth } = png;
  const n = width * height;
  const samples = pngSamples(png);
  const out = new Uint8Array(n);
  const byColour = png.palette ? format.paletteBy === 'colour' : channels >= 3;
  if (!byColour) {
    const table = format.indexTable;
    for (let p = 0; p < n; p++) {
      const v = samples[p * channels]!;
      const cls = v < 256 ? table[v]! : -1;
      if (cls < 0) {
        const what = png.palette ? `palette index ${v}` : `value ${v}`;
        throw new SegImportError('label-value', `${where(file, p, width)} has ${what}, which is not a ${format.name} label (${format.indexText}).`);
      }
      out[p] = cls;
    }
    return out;
  }
  const colours = format.colourTable;
  if (!colours) {
    throw new SegImportError(
      'label-format',
      `${file} is a ${pngKind(png)} PNG, but ${format.name} labels are index PNGs (${format.indexText}): choose a colour-coded format or the index label files.`,
    );
  }
  if (png.palette) {
    const palette = png.palette;
    const classOf = palette.map(([r = 0, g = 0, b = 0]) => colours.get(rgbKey(r, g, b)) ?? -1);
    for (let p = 0; p < n; p++) {
      const i = samples[p]!;
      const cls = classOf[i] ?? -1;
      if (cls < 0) {
        const [r = 0, g = 0, b = 0] = palette[i] ?? [];
        const entry = i < palette.length ? `palette entry ${i} = ${colourText(r, g, b)}` : `palette index ${i}, past the ${palette.length}-colour palette`;
        throw new SegImportError('label-value', `${where(file, p, width)} has ${entry}, which is not in the ${format.name} palette.`);
      }
      out[p] = cls;
    }
    return out;
  }
  const shift = depth === 16 ? 8 : 0; // 16-bit colours: 8-bit colour c is stored as c·257, whose high byte is c
  let lastKey = -1;
  let lastClass = -1;
  for (let p = 0; p < n; p++) {
    const o = p * channels;
    const key = rgbKey(samples[o]! >> shift, samples[o + 1]! >> shift, samples[o + 2]! >> shift);
    if (key !== lastKey) {
      lastKey = key;
      lastClass = colours.get(key) ?? -1;
    }
    if (lastClass < 0) {
      const rgb = colourText(key >> 16, (key >> 8) & 255, key & 255);
      throw new SegImportError('label-value', `${where(file, p, width)} has colour ${rgb}, which is not in the ${format.name} palette.`);
    }
    out[p] = lastClass;
  }
  return out;
}
