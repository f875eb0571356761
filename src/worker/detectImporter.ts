/**
 * Runs a person-detection import in the worker: a COCO folder (`instances_*.json` + its images) or a Pascal VOC folder
 * (`Annotations/*.xml` + `JPEGImages/`), told apart by the chosen files, parsed by the engine importer (detectImport.ts)
 * into a DetectDataset at the Detect lab's size (128×256, every image stretched to it: the normalised boxes stay valid),
 * split into train and test.
 */
import { DETECT_SIZE, ImportError, importCocoPersons, importVocPersons, type DetectDataset, type DetectImport, type DetectSplit } from '../engine';
import type { DetectAnnotationFormat, ImportRequest } from '../protocol/datasets';
import type { DetectSaveMeta } from './datasetStore';
import type { SegImageDecoder } from './segImporter';

/** The size imported detection sets are stored at (height × width): the Detect lab's input, 128×256. */
export const DETECT_STORE_SIZE = DETECT_SIZE;

/** Without a VOC ImageSets/Main/val.txt (or test.txt), every `DETECT_HOLD_OUT`-th image (in annotation order) goes to test. */
export const DETECT_HOLD_OUT = 5;

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const stem = (path: string) => baseName(path).replace(/\.[^.]*$/, '');
const listSome = (names: readonly string[]) => `${names.slice(0, 3).join(', ')}${names.length > 3 ? `, … (${names.length} in all)` : ''}`;

/** What the chosen files are: a COCO instances JSON (its path) or Pascal VOC XMLs. */
export type DetectPlan = { format: 'coco'; json: string } | { format: 'voc' };

/**
 * Tell COCO from VOC by the chosen paths: an `instances_*.json` means COCO (or the only .json when none is so named);
 * otherwise .xml annotations mean VOC. Throws ImportError (one sentence) when there is none, or several JSONs to choose from.
 */
export function planDetectImport(paths: readonly string[]): DetectPlan {
  const jsons = paths.filter((p) => /\.json$/i.test(p));
  const instances = jsons.filter((p) => /^instances_.*\.json$/i.test(baseName(p)));
  const candidates = instances.length > 0 ? instances : paths.some((p) => /\.xml$/i.test(p)) ? [] : jsons;
  if (candidates.length === 1) return { format: 'coco', json: candidates[0]! };
  if (candidates.length > 1) {
    throw new ImportError(
      'annotation-format',
      `The chosen files hold ${candidates.length} COCO annotation files (${listSome(candidates)}): choose a folder (or files) with just one instances_*.json.`,
    );
  }
  if (paths.some((p) => /\.xml$/i.test(p))) return { format: 'voc' };
  throw new ImportError(
    'annotation-format',
    `None of the ${paths.length} chosen files is a COCO instances_*.json or a Pascal VOC Annotations/*.xml: choose a folder with person annotations beside its images.`,
  );
}

/** The stems VOC's ImageSets/Main/val.txt (else test.txt) names, if the chosen files have one. */
async function vocTestNames(req: ImportRequest): Promise<Set<string> | undefined> {
  const list =
    req.files.find((f) => /(^|\/)ImageSets\/Main\/val\.txt$/i.test(f.path)) ?? req.files.find((f) => /(^|\/)ImageSets\/Main\/test\.txt$/i.test(f.path));
  if (!list) return undefined;
  const names = (await list.file.text()).split(/\r?\n/).map((l) => l.trim().split(/\s+/)[0] ?? '');
  return new Set(names.filter((n) => n !== ''));
}

/**
 * Which images go to test: those a VOC list names (when that leaves images on both sides), else every
 * DETECT_HOLD_OUT-th, and with fewer than DETECT_HOLD_OUT images the last one.
 */
export function detectTestMask(files: readonly string[], testNames?: ReadonlySet<string>): boolean[] {
  const listed = testNames ? files.map((f) => testNames.has(stem(f))) : [];
  if (listed.some(Boolean) && !listed.every(Boolean)) return listed;
  const n = files.length;
  return files.map((_, i) => i % DETECT_HOLD_OUT === DETECT_HOLD_OUT - 1 || (n < DETECT_HOLD_OUT && i === n - 1));
}

/** The images of `split` where `keep` is true (same layout, boxes aligned). */
function subset(split: DetectSplit, pixels: number, keep: readonly boolean[]): DetectSplit {
  const idx = keep.flatMap((k, i) => (k ? [i] : []));
  const images = new Uint8Array(idx.length * pixels);
  idx.forEach((i, k) => images.set(split.images.subarray(i * pixels, (i + 1) * pixels), k * pixels));
  return { images, boxes: idx.map((i) => split.boxes[i]!), count: idx.length };
}

export interface DetectImportOutput {
  data: DetectDataset;
  meta: DetectSaveMeta;
}

/** Plan, decode, parse and split the request's files (throws the engine importer's ImportError); `onProgress` gets fractions of decoding. */
export async function runDetectImport(
  req: ImportRequest,
  source: string,
  onProgress: (fraction: number) => void,
  signal: AbortSignal,
  decodeImage: SegImageDecoder,
): Promise<DetectImportOutput> {
  if (req.files.length === 0) throw new ImportError('empty-file', 'No files were chosen.');
  const plan = planDetectImport(req.files.map((f) => f.path));
  const files = req.files.map(({ file, path }) => ({ path, bytes: async () => new Uint8Array(await file.arrayBuffer()) }));
  const images = files.filter((f) => /\.(png|jpe?g)$/i.test(f.path));
  const opts = { decodeImage, size: DETECT_STORE_SIZE, onProgress, signal };
  let imported: DetectImport;
  let testNames: Set<string> | undefined;
  if (plan.format === 'coco') {
    imported = await importCocoPersons(
      files.find((f) => f.path === plan.json)!,
      images,
      opts,
    );
  } else {
    imported = await importVocPersons(files, opts);
    testNames = await vocTestNames(req);
  }
  const root = req.files[0]!.path.includes('/') ? req.files[0]!.path.split('/')[0]! : plan.format === 'coco' ? stem(plan.json) : 'VOC';
  const what = plan.format === 'coco' ? plan.json : `The Pascal VOC annotations of ${source}`;
  const { split, files: names } = imported;
  if (split.count < 2) {
    throw new ImportError(
      'no-images',
      `${what} describes ${split.count === 0 ? 'none' : 'only one'} of the chosen images: a detection set needs at least 2 (one to train on, one to test on).`,
    );
  }
  if (split.boxes.every((b) => b.length === 0)) {
    throw new ImportError('no-person-category', `${what} has no person box on any of its ${split.count} images: the Detect lab needs people to learn from.`);
  }
  const test = detectTestMask(names, testNames);
  const pixels = imported.height * imported.width * 3;
  const data: DetectDataset = {
    name: `${root} (${plan.format === 'coco' ? 'COCO' : 'VOC'} persons)`,
    height: imported.height,
    width: imported.width,
    train: subset(
      split,
      pixels,
      test.map((t) => !t),
    ),
    test: subset(split, pixels, test),
  };
  const detectFormat: DetectAnnotationFormat = plan.format;
  return { data, meta: { source, detectFormat, skipped: imported.skipped.length } };
}
