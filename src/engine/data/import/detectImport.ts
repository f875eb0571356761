/**
 * Import of real person-detection datasets (TECHNIQUES.md "Real data formats"): COCO `instances_*.json` and Pascal VOC
 * `Annotations/*.xml`, each with its images. Parsing is pure: it takes the annotation text and the decoded size of every
 * image file (decoding is the caller's job; `decodeDetectImages` does it with an injected decoder) and returns each
 * image's person boxes as (cx, cy, w, h) normalised to [0, 1] of the image, with ignore flags (COCO `iscrowd`,
 * VOC `difficult`). Images without people are kept as negatives; other classes are dropped. Nothing is stored here.
 *
 * Box check: a box may overhang its image by at most BOX_TOLERANCE_PX = 1 pixel on any side (annotation tools round
 * and VOC counts pixels from 1); within that it is clipped to the image, beyond it the file is refused, as is a box of
 * width or height ≤ 0.
 */
import type { DetectBox, DetectSplit } from '../detectDataset';
import { ImportError } from './importError';
import { resizeBilinearRgb, type DecodedRgba } from './segImport';

/** How far (pixels) a box may reach past its image's edges before the file is refused; within it, boxes are clipped. */
export const BOX_TOLERANCE_PX = 1;

/** An image's decoded size in pixels. */
export interface ImageSize {
  width: number;
  height: number;
}

/** One annotated image: its file name, decoded size and person boxes (normalised; empty for a negative). */
export interface DetectRecord {
  file: string;
  width: number;
  height: number;
  boxes: DetectBox[];
}

/** What a COCO file describes: its images in file order, and the image entries left out because no file was given for them. */
export interface CocoPersons {
  records: DetectRecord[];
  /** Listed images without people whose file is not among the given images (skipped, not an error). */
  skipped: string[];
}

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
const stem = (path: string) => baseName(path).replace(/\.[^.]*$/, '');

/** The size of `file` among `images` (by exact name, then by base name). */
function lookup(images: ReadonlyMap<string, ImageSize>, file: string): ImageSize | undefined {
  return images.get(file) ?? images.get(baseName(file));
}

/**
 * A box in pixel edges [x0, x1) × [y0, y1) checked against a width×height image (BOX_TOLERANCE_PX), clipped, normalised.
 * `what` names the box for the refusal ("annotations.json: annotation 42").
 */
function normaliseBox(x0: number, y0: number, x1: number, y1: number, size: ImageSize, ignore: boolean, what: string, file: string): DetectBox {
  const { width: W, height: H } = size;
  const t = BOX_TOLERANCE_PX;
  if (!(x1 - x0 > 0 && y1 - y0 > 0)) {
    throw new ImportError('box-outside', `${what} has a box of non-positive size (${fmt(x1 - x0)}×${fmt(y1 - y0)} pixels) on ${file}.`);
  }
  const cx0 = Math.max(0, x0),
    cy0 = Math.max(0, y0),
    cx1 = Math.min(W, x1),
    cy1 = Math.min(H, y1);
  if (x0 < -t || y0 < -t || x1 > W + t || y1 > H + t || cx1 <= cx0 || cy1 <= cy0) {
    throw new ImportError(
      'box-outside',
      `${what} has a box (${fmt(x0)}, ${fmt(y0)})–(${fmt(x1)}, ${fmt(y1)}) outside its ${W}×${H} image ${file} (by more than ${t} pixel).`,
    );
  }
  return { cx: (cx0 + cx1) / 2 / W, cy: (cy0 + cy1) / 2 / H, w: (cx1 - cx0) / W, h: (cy1 - cy0) / H, ignore };
}

const fmt = (v: number) => String(Math.round(v * 100) / 100);

function checkSize(size: ImageSize, stated: ImageSize, file: string, source: string): void {
  if (size.width !== stated.width || size.height !== stated.height) {
    throw new ImportError(
      'size-mismatch',
      `${source} says ${file} is ${stated.width}×${stated.height} pixels but it decodes to ${size.width}×${size.height}: the boxes would not fit it.`,
    );
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Parse a COCO instances JSON (`source` names it in messages) against the decoded sizes of the given image files (by name):
 * person = the category named "person" (id 1 in COCO); bbox [x, y, w, h] in pixels; `iscrowd` boxes become ignore boxes;
 * listed images without people are negatives (kept when their file is given, else skipped). Throws ImportError.
 */
export function parseCocoPersons(text: string, source: string, images: ReadonlyMap<string, ImageSize>): CocoPersons {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ImportError('annotation-format', `${source} is not valid JSON (${e instanceof Error ? e.message : String(e)}).`);
  }
  if (!isRecord(json) || !Array.isArray(json.images) || !Array.isArray(json.annotations) || !Array.isArray(json.categories)) {
    throw new ImportError('annotation-format', `${source} is not a COCO instances file: it needs "images", "annotations" and "categories" lists.`);
  }
  const person = json.categories.find((c) => isRecord(c) && c.name === 'person');
  if (!isRecord(person) || !isNum(person.id)) {
    const names = json.categories.map((c) => (isRecord(c) ? String(c.name) : '?')).slice(0, 5);
    throw new ImportError(
      'no-person-category',
      `${source} has no "person" category${names.length ? ` (it has ${names.join(', ')}${json.categories.length > 5 ? ', …' : ''})` : ''}: the Detect lab needs person boxes.`,
    );
  }
  const entries = new Map<number, { file: string; width: number; height: number; boxes: DetectBox[]; size?: ImageSize }>();
  for (const im of json.images) {
    if (!isRecord(im) || !isNum(im.id) || typeof im.file_name !== 'string' || !isNum(im.width) || !isNum(im.height)) {
      throw new ImportError('annotation-format', `${source} has an image entry without a numeric id, width, height and a file_name.`);
    }
    entries.set(im.id, { file: im.file_name, width: im.width, height: im.height, boxes: [] });
  }
  for (const a of json.annotations) {
    if (!isRecord(a) || a.category_id !== person.id) continue;
    const what = `${source}: annotation ${String(a.id ?? '?')}`;
    const entry = isNum(a.image_id) ? entries.get(a.image_id) : undefined;
    if (!entry) throw new ImportError('missing-image', `${what} refers to image ${String(a.image_id)}, which its "images" list does not have.`);
    entry.size ??= lookup(images, entry.file);
    if (!entry.size) throw new ImportError('missing-image', `${what} is on ${entry.file}, which is not among the chosen image files.`);
    checkSize(entry.size, entry, entry.file, source);
    const b = a.bbox;
    if (!Array.isArray(b) || b.length !== 4 || !b.every(isNum)) throw new ImportError('annotation-format', `${what} has no bbox of 4 numbers [x, y, w, h].`);
    const [x, y, w, h] = b as number[];
    entry.boxes.push(normaliseBox(x!, y!, x! + w!, y! + h!, entry.size, a.iscrowd === 1 || a.iscrowd === true, what, entry.file));
  }
  const records: DetectRecord[] = [];
  const skipped: string[] = [];
  for (const e of entries.values()) {
    const size = e.size ?? lookup(images, e.file);
    if (!size) {
      skipped.push(e.file); // a negative whose file was not given (e.g. a subset of the images of a full instances file)
      continue;
    }
    checkSize(size, e, e.file, source);
    records.push({ file: e.file, width: size.width, height: size.height, boxes: e.boxes });
  }
  return { records, skipped };
}

/** The inner text of the first <tag>…</tag> in xml (trimmed), or undefined. */
function tagText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}\\s*>`, 'i').exec(xml);
  return m ? m[1]!.trim() : undefined;
}

/** A number in <tag> of xml, or NaN when absent or not a number. */
function tagNumber(xml: string, tag: string): number {
  const t = tagText(xml, tag);
  return t !== undefined && t !== '' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) ? Number(t) : NaN;
}

/**
 * Parse one Pascal VOC annotation XML (`source` = its path, e.g. "VOC2012/Annotations/2008_003182.xml") against the decoded
 * sizes of the given image files. The image is the JPEG of the same stem (VOC's JPEGImages/<id>.jpg) or, failing that,
 * the XML's <filename>. Person objects (<name>person</name>) give boxes: <bndbox> xmin…ymax are 1-based inclusive pixel
 * indices, so the box's pixel edges are [xmin − 1, xmax) × [ymin − 1, ymax); <difficult>1</difficult> gives an ignore
 * box; other classes are dropped (their boxes are not read), and so are the <part> boxes (head, hands, feet) inside a
 * person. Parsed without a DOM by a small tag matcher that is enough for VOC's flat layout (comments are skipped).
 * Throws ImportError.
 */
export function parseVocPersons(text: string, source: string, images: ReadonlyMap<string, ImageSize>): DetectRecord {
  const xml = text.replace(/<!--[\s\S]*?-->/g, '');
  const sizeXml = tagText(xml, 'size');
  const stated = sizeXml === undefined ? undefined : { width: tagNumber(sizeXml, 'width'), height: tagNumber(sizeXml, 'height') };
  if (!stated || !(stated.width > 0 && stated.height > 0)) {
    throw new ImportError('annotation-format', `${source} has no <size> with a positive <width> and <height>, so it is not a usable Pascal VOC annotation.`);
  }
  const named = tagText(xml, 'filename');
  const candidates = [`${stem(source)}.jpg`, `${stem(source)}.jpeg`, `${stem(source)}.png`, ...(named ? [named] : [])];
  const file = candidates.find((c) => lookup(images, c));
  if (!file) throw new ImportError('missing-image', `${source} describes ${named ?? `${stem(source)}.jpg`}, which is not among the chosen image files.`);
  const size = lookup(images, file)!;
  checkSize(size, stated, file, source);
  const boxes: DetectBox[] = [];
  let k = 0;
  for (const m of xml.matchAll(/<object(?:\s[^>]*)?>([\s\S]*?)<\/object\s*>/gi)) {
    const obj = m[1]!.replace(/<part(?:\s[^>]*)?>[\s\S]*?<\/part\s*>/gi, '');
    k++;
    if (tagText(obj, 'name')?.toLowerCase() !== 'person') continue;
    const what = `${source}: object ${k} (person)`;
    const bb = tagText(obj, 'bndbox');
    const [xmin, ymin, xmax, ymax] = ['xmin', 'ymin', 'xmax', 'ymax'].map((t) => (bb === undefined ? NaN : tagNumber(bb, t))) as [
      number,
      number,
      number,
      number,
    ];
    if (![xmin, ymin, xmax, ymax].every(Number.isFinite)) {
      throw new ImportError('annotation-format', `${what} has a malformed <bndbox>: it needs numeric <xmin>, <ymin>, <xmax> and <ymax>.`);
    }
    boxes.push(normaliseBox(xmin - 1, ymin - 1, xmax, ymax, size, tagNumber(obj, 'difficult') === 1, what, file));
  }
  return { file, width: size.width, height: size.height, boxes };
}

/** A file of the chosen folder: its relative '/'-separated path and a reader of its bytes. */
export interface DetectImportFile {
  path: string;
  bytes(): Promise<Uint8Array>;
}

/** An image decoded and resized for the dataset: its original size and its RGB pixels at the dataset size. */
export interface DecodedDetectImage extends ImageSize {
  rgb: Uint8Array;
}

export interface DecodeDetectOptions {
  /** Decodes a PNG/JPEG image (the worker: createImageBitmap; Node tests: fast-png). */
  decodeImage: (bytes: Uint8Array, path: string) => Promise<DecodedRgba>;
  /** The size every image is resized to (boxes are normalised, so they hold at any size). */
  size: { height: number; width: number };
  /** Fraction of images done, 0–1. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

const IMAGE = /\.(png|jpe?g)$/i;
const pause = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Decode the PNG/JPEG files among `files` with the injected decoder and resize each to opts.size (bilinear, stretched:
 * the normalised boxes stay valid); keyed by base name (annotations name images by file name, so two files of one name are
 * refused). Only the resized pixels are kept. Throws ImportError ('image-decode', 'duplicate-image').
 */
export async function decodeDetectImages(files: readonly DetectImportFile[], opts: DecodeDetectOptions): Promise<Map<string, DecodedDetectImage>> {
  const out = new Map<string, DecodedDetectImage>();
  const images = files.filter((f) => IMAGE.test(f.path));
  let lastYield = Date.now();
  for (const [i, f] of images.entries()) {
    if (opts.signal?.aborted) throw new ImportError('aborted', 'The import was cancelled.');
    if (out.has(baseName(f.path))) {
      throw new ImportError('duplicate-image', `${f.path} has the same file name as another chosen image, so the annotations cannot tell them apart.`);
    }
    let image: DecodedRgba;
    try {
      image = await opts.decodeImage(await f.bytes(), f.path);
    } catch (e) {
      if (e instanceof ImportError) throw e;
      throw new ImportError('image-decode', `${f.path} could not be decoded as an image (${e instanceof Error ? e.message : String(e)}).`);
    }
    if (!(image.width > 0 && image.height > 0) || image.rgba.length !== image.width * image.height * 4) {
      throw new ImportError(
        'image-decode',
        `${f.path} decoded to ${image.rgba.length} bytes, not the ${image.width * image.height * 4} of ${image.width}×${image.height} RGBA pixels.`,
      );
    }
    const { height, width } = opts.size;
    out.set(baseName(f.path), { width: image.width, height: image.height, rgb: resizeBilinearRgb(image.rgba, image.width, image.height, width, height) });
    opts.onProgress?.((i + 1) / images.length);
    if (Date.now() - lastYield >= 50) {
      await pause();
      lastYield = Date.now();
    }
  }
  return out;
}

/** Records and their decoded images as one detection split (images NHWC uint8 at the decoded images' size, in record order). */
export function detectSplitOf(
  records: readonly DetectRecord[],
  decoded: ReadonlyMap<string, DecodedDetectImage>,
  size: { height: number; width: number },
): DetectSplit {
  const n = size.height * size.width * 3;
  const images = new Uint8Array(records.length * n);
  records.forEach((r, i) => images.set(lookupDecoded(decoded, r.file).rgb, i * n));
  return { images, boxes: records.map((r) => r.boxes), count: records.length };
}

function lookupDecoded(decoded: ReadonlyMap<string, DecodedDetectImage>, file: string): DecodedDetectImage {
  const d = decoded.get(baseName(file));
  if (!d) throw new ImportError('missing-image', `${file} is not among the decoded images.`);
  return d;
}

/** An imported detection set: one split of all annotated images (the caller splits train/test), their names, and what was skipped. */
export interface DetectImport {
  height: number;
  width: number;
  split: DetectSplit;
  files: string[];
  skipped: string[];
}

const sizesOf = (decoded: ReadonlyMap<string, DecodedDetectImage>) => new Map([...decoded].map(([k, v]) => [k, { width: v.width, height: v.height }]));

/** Import a COCO instances JSON with its images: decode (injected decoder), parse, assemble. Throws ImportError. */
export async function importCocoPersons(json: DetectImportFile, images: readonly DetectImportFile[], opts: DecodeDetectOptions): Promise<DetectImport> {
  const text = new TextDecoder().decode(await json.bytes());
  const decoded = await decodeDetectImages(images, opts);
  const { records, skipped } = parseCocoPersons(text, json.path, sizesOf(decoded));
  const listed = new Set(records.map((r) => baseName(r.file)));
  const unlisted = [...decoded.keys()].filter((k) => !listed.has(k));
  return { ...opts.size, split: detectSplitOf(records, decoded, opts.size), files: records.map((r) => r.file), skipped: [...skipped, ...unlisted] };
}

/** Import a Pascal VOC folder (Annotations/*.xml + JPEGImages/*.jpg) of the chosen files: every XML is parsed. Throws ImportError. */
export async function importVocPersons(files: readonly DetectImportFile[], opts: DecodeDetectOptions): Promise<DetectImport> {
  const xmls = files.filter((f) => /\.xml$/i.test(f.path)).sort((a, b) => a.path.localeCompare(b.path));
  if (xmls.length === 0)
    throw new ImportError('annotation-format', 'No Pascal VOC annotation (.xml) files were found: choose a folder with Annotations/ and JPEGImages/.');
  const decoded = await decodeDetectImages(files, opts);
  const sizes = sizesOf(decoded);
  const records: DetectRecord[] = [];
  for (const x of xmls) records.push(parseVocPersons(new TextDecoder().decode(await x.bytes()), x.path, sizes));
  const listed = new Set(records.map((r) => baseName(r.file)));
  const skipped = [...decoded.keys()].filter((k) => !listed.has(k));
  return { ...opts.size, split: detectSplitOf(records, decoded, opts.size), files: records.map((r) => r.file), skipped };
}
