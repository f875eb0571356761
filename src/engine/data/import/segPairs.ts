/**
 * Pairing of segmentation images with their label PNGs by file name, the train/test split, and the detection
 * of the label format. Conventions: same base name (`images/X.jpg` ↔ `labels/X.png`, `X.jpg` ↔ `X.png`),
 * Cityscapes `X_leftImg8bit.png` ↔ `X_gtFine_labelIds.png`, CamVid `X.png` ↔ `X_L.png` (colour) or `X_P.png`
 * or `trainannot/X.png` (index), Pascal VOC `JPEGImages/X.jpg` ↔ `SegmentationClass/X.png`.
 */
import type { DecodedPng } from 'fast-png';
import { SEG_FORMATS, pngSamples, type SegFormatId } from './segFormats';
import { SegImportError, listSome } from './segImportError';

/** One image and its label, with its split and its slot in that split. */
export interface SegPair {
  image: string;
  label: string;
  split: 'train' | 'test';
  slot: number;
}

export interface SegPlan {
  name: string;
  /** In image path order. */
  pairs: SegPair[];
  counts: { train: number; test: number };
  /** Files not used: other files, other annotations (colour/instance PNGs), unlabelled VOC images, Cityscapes test. */
  skipped: string[];
}

export interface SegPlanOptions {
  /** Base names that go to the test split when there are no split folders (VOC ImageSets/Segmentation/val.txt). */
  testNames?: readonly string[];
  /** For scoring, not training (`npm run eval:segment:real`): every pair is used, so a folder of only val/ or test/ pairs is fine. */
  evaluation?: boolean;
}

/** Without split folders or lists, every `HOLD_OUT`-th pair (in path order) goes to test. */
export const HOLD_OUT = 5;

const IMAGE = /\.(png|jpe?g)$/i;
const PNG = /\.png$/i;
/** Label files of other kinds beside the class labels (Cityscapes colour / instance PNGs). */
const OTHER_ANNOTATION = /_(color|instanceIds|instanceTrainIds)$/i;
const OTHER_ANNOTATION_DIR = /^segmentationobject/;
const LABEL_SUFFIX = /(_L|_P|_gt(?:Fine|Coarse)_label(?:Train)?Ids|_(?:label|labels|mask|gt|annot|seg))$/;
const IMAGE_SUFFIX = /_leftImg8bit$/;
const SPLIT = /^(train|training|trainval|val|valid|validation|test|testing)(?:[_-]?(?:annot|annots|labels?|masks?|gt|images?|imgs?))?$/;
const LABEL_DIR =
  /^(labels?|annots?|annotations?|masks?|gt|gtfine|gtcoarse|ground_?truth|segmentationclass(?:aug|raw)?|labeledapproved_full|(?:train|training|trainval|val|valid|validation|test|testing)[_-]?(?:annot|annots|labels?|masks?|gt))$/;
const STRUCTURE_DIR = /^(images?|imgs?|jpegimages|leftimg8bit|701_stillsraw_full)$/;

type SplitTag = 'train' | 'val' | 'test';

interface Entry {
  path: string;
  /** Lower-case folder names. */
  dirs: string[];
  /** File name without extension and without the pairing suffix. */
  key: string;
  split: SplitTag | null;
  /** Preference among several labels of one image: labelIds over labelTrainIds over the rest. */
  rank: number;
}

function splitTag(dirs: readonly string[]): SplitTag | null {
  for (let i = dirs.length - 1; i >= 0; i--) {
    const m = SPLIT.exec(dirs[i]!);
    if (!m) continue;
    const word = m[1]!;
    return word.startsWith('val') ? 'val' : word.startsWith('test') ? 'test' : 'train';
  }
  return null;
}

function entry(path: string, dirs: string[], base: string, suffix: RegExp): Entry {
  const key = base.replace(suffix, '');
  const rank = /_labelIds$/.test(base) ? 2 : /_labelTrainIds$/.test(base) ? 1 : 0;
  return { path, dirs, key, split: splitTag(dirs), rank };
}

/** The files of a layout: images, labels and the rest. */
function classify(paths: readonly string[]) {
  const images: Entry[] = [];
  const labels: Entry[] = [];
  const skipped: string[] = [];
  const parsed = paths.map((path) => {
    const parts = path.split('/').filter((p) => p !== '');
    const file = parts[parts.length - 1] ?? '';
    return { path, dirs: parts.slice(0, -1).map((d) => d.toLowerCase()), base: file.replace(/\.[^.]*$/, ''), folder: parts.slice(0, -1).join('/') };
  });
  const jpegBases = new Set(parsed.filter((p) => /\.jpe?g$/i.test(p.path)).map((p) => `${p.folder}/${p.base}`));
  for (const p of parsed) {
    if (!IMAGE.test(p.path) || OTHER_ANNOTATION.test(p.base) || p.dirs.some((d) => OTHER_ANNOTATION_DIR.test(d))) {
      skipped.push(p.path);
    } else if (p.dirs.some((d) => LABEL_DIR.test(d)) || LABEL_SUFFIX.test(p.base) || (PNG.test(p.path) && jpegBases.has(`${p.folder}/${p.base}`))) {
      if (PNG.test(p.path)) labels.push(entry(p.path, p.dirs, p.base, LABEL_SUFFIX));
      else skipped.push(p.path); // a JPEG among labels: lossy, never a label
    } else {
      images.push(entry(p.path, p.dirs, p.base, IMAGE_SUFFIX));
    }
  }
  return { images, labels, skipped };
}

const PAIRING_HINT =
  'labels pair with images by file name (images/X.jpg ↔ labels/X.png, X.png ↔ X_L.png, X_leftImg8bit.png ↔ X_gtFine_labelIds.png, JPEGImages/X.jpg ↔ SegmentationClass/X.png)';

/** Group by key, then pair each image with its label; throws SegImportError on an ambiguity. */
function pairUp(images: Entry[], labels: Entry[], skipped: string[]) {
  const byKey = new Map<string, Entry[]>();
  for (const l of labels) byKey.set(l.key, [...(byKey.get(l.key) ?? []), l]);
  const claimed = new Map<Entry, Entry>();
  const dropped = new Set<Entry>();
  const unpairedImages: Entry[] = [];
  const pairs: { image: Entry; label: Entry }[] = [];
  for (const image of images) {
    let candidates = byKey.get(image.key) ?? [];
    const sameSplit = candidates.filter((l) => l.split === image.split);
    if (candidates.length > 1 && sameSplit.length > 0) candidates = sameSplit;
    const best = Math.max(...candidates.map((l) => l.rank));
    for (const l of candidates) if (l.rank < best) dropped.add(l);
    candidates = candidates.filter((l) => l.rank === best);
    const label = candidates[0];
    if (!label) {
      unpairedImages.push(image);
      continue;
    }
    if (candidates.length > 1) {
      throw new SegImportError(
        'duplicate-label',
        `Image ${image.path} has ${candidates.length} label files (${listSome(candidates.map((l) => l.path))}): keep one of them.`,
      );
    }
    const other = claimed.get(label);
    if (other) {
      throw new SegImportError('duplicate-image', `Label ${label.path} matches two images (${other.path}, ${image.path}): keep one of them.`);
    }
    claimed.set(label, image);
    pairs.push({ image, label });
  }
  const unpairedLabels = labels.filter((l) => !claimed.has(l) && !dropped.has(l));
  skipped.push(...labels.filter((l) => dropped.has(l) && !claimed.has(l)).map((l) => l.path));
  return { pairs, unpairedImages, unpairedLabels };
}

/** Plan the import of `paths` (relative, '/'-separated): pairs and split; throws SegImportError. */
export function planSegPairs(paths: readonly string[], opts: SegPlanOptions = {}): SegPlan {
  const { images, labels, skipped } = classify(paths);
  const { pairs: found, unpairedImages, unpairedLabels } = pairUp(images, labels, skipped);
  if (found.length === 0) {
    throw new SegImportError(
      'no-pairs',
      `No image–label pairs were found among ${paths.length.toLocaleString('en-US')} files (${images.length} images, ${labels.length} label PNGs): ${PAIRING_HINT}.`,
    );
  }
  // Pascal VOC: JPEGImages holds every image, SegmentationClass labels only a subset.
  const voc = labels.some((l) => l.dirs.some((d) => d.startsWith('segmentationclass')));
  const unlabelled = unpairedImages.filter((i) => !(voc && i.dirs.includes('jpegimages')));
  skipped.push(...unpairedImages.filter((i) => !unlabelled.includes(i)).map((i) => i.path));
  if (unlabelled.length > 0) {
    const n = unlabelled.length;
    throw new SegImportError(
      'unpaired-image',
      `${n} image${n > 1 ? 's have' : ' has'} no label PNG (${listSome(unlabelled.map((i) => i.path))}): ${PAIRING_HINT}.`,
    );
  }
  if (unpairedLabels.length > 0) {
    const n = unpairedLabels.length;
    throw new SegImportError(
      'unpaired-label',
      `${n} label PNG${n > 1 ? 's have' : ' has'} no image (${listSome(unpairedLabels.map((l) => l.path))}): ${PAIRING_HINT}.`,
    );
  }
  return assignSplits(paths, found, skipped, opts);
}

function assignSplits(paths: readonly string[], found: { image: Entry; label: Entry }[], skipped: string[], opts: SegPlanOptions): SegPlan {
  found.sort((a, b) => (a.image.path < b.image.path ? -1 : a.image.path > b.image.path ? 1 : 0));
  const tag = (p: (typeof found)[number]) => p.image.split ?? p.label.split;
  // Cityscapes does not publish test labels (its test label PNGs hold no classes): use train and val.
  const cityscapes = found.some((p) => IMAGE_SUFFIX.test(p.image.path.replace(/\.[^.]*$/, '')));
  const kept = found.filter((p) => !(cityscapes && tag(p) === 'test'));
  for (const p of found) if (!kept.includes(p)) skipped.push(p.image.path, p.label.path);
  const tags = new Set(kept.map(tag));
  const tagged = tags.has('train') || tags.has('val') || tags.has('test');
  const testNames = new Set(opts.testNames ?? []);
  const counts = { train: 0, test: 0 };
  const pairs: SegPair[] = kept.map((p, i) => {
    const t = tag(p);
    let test: boolean;
    if (tagged)
      test = t === 'test' || (t === 'val' && !tags.has('test')); // CamVid: train + val, test on test
    else if (testNames.size > 0) test = testNames.has(p.image.key);
    else test = i % HOLD_OUT === HOLD_OUT - 1;
    const split = test ? 'test' : 'train';
    return { image: p.image.path, label: p.label.path, split, slot: counts[split]++ };
  });
  if (opts.evaluation) return { name: datasetName(paths), pairs, counts, skipped };
  if (counts.train === 0) {
    throw new SegImportError('missing-train', `Only test pairs were found (${pairs.length.toLocaleString('en-US')}): add a train/ folder of pairs.`);
  }
  if (counts.test === 0) {
    const why = tagged ? 'no pairs sit in a val/ or test/ folder' : `there are too few pairs to hold any out for testing (${pairs.length} in all)`;
    throw new SegImportError('missing-test', `No test pairs: ${why}; add a val/ or test/ folder or more pairs.`);
  }
  return { name: datasetName(paths), pairs, counts, skipped };
}

/** The dataset's name: the top folder, unless it is a structural one (train/, images/, labels/, ...). */
function datasetName(paths: readonly string[]): string {
  const parts = (paths[0] ?? '').split('/').filter((p) => p !== '');
  const root = parts.length > 1 ? parts[0]! : '';
  const lower = root.toLowerCase();
  return root && !SPLIT.test(lower) && !LABEL_DIR.test(lower) && !STRUCTURE_DIR.test(lower) ? root : 'Segmentation pairs';
}

/** The VOC split list whose names go to test (ImageSets/Segmentation/val.txt), if among `paths`. */
export function vocTestListPath(paths: readonly string[]): string | undefined {
  return paths.find((p) => /(^|\/)ImageSets\/Segmentation\/val\.txt$/i.test(p));
}

/** The names of a VOC split list: one base name per line. */
export function parseNameList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** The label format of a label PNG, from its path and its decoded pixels (used unless the user picks one). */
export function detectSegFormat(labelPath: string, png: DecodedPng): SegFormatId {
  const parts = labelPath.split('/');
  const base = (parts[parts.length - 1] ?? '').replace(/\.[^.]*$/, '');
  if (/_labelTrainIds$/i.test(base)) return 'cityscapes-trainids';
  if (/_labelIds$/i.test(base)) return 'cityscapes';
  if (parts.slice(0, -1).some((d) => d.toLowerCase().startsWith('segmentationclass'))) return 'voc';
  if (png.palette) {
    const colours = SEG_FORMATS.voc.palette;
    const head = png.palette.slice(0, colours.length);
    const vocLike = head.length > 1 && head.every((c, i) => c[0] === colours[i]![0] && c[1] === colours[i]![1] && c[2] === colours[i]![2]);
    if (vocLike) return 'voc';
    const camvid = SEG_FORMATS.camvid32.colourTable!;
    const used = new Set(pngSamples(png));
    const allCamvid = [...used].every((i) => {
      const [r = -1, g = 0, b = 0] = png.palette![i] ?? [];
      return camvid.has((r << 16) | (g << 8) | b);
    });
    return allCamvid ? 'camvid32' : 'camvid11';
  }
  if (png.channels >= 3) return 'camvid32';
  return /_P$/.test(base) ? 'camvid32' : 'camvid11';
}
