/** Test-only builders of person-detection imports: COCO instances JSON and Pascal VOC XML in the real formats, PNG and JPEG images. */
import jpeg from 'jpeg-js';
import { decodeTestImage, imagePixel, photoPng } from '../engine/data/import/seg.fixture';
import type { ImportRequest } from '../protocol/datasets';

/** A baseline JPEG (quality 90) of the same pixels photoPng draws. */
export function photoJpeg(seed: number, width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([...imagePixel(seed, x, y), 255], (y * width + x) * 4);
  }
  return new Uint8Array(jpeg.encode({ data, width, height }, 90).data);
}

/** The Node stand-in for the worker's createImageBitmap decoder: PNG (fast-png) and JPEG (jpeg-js); anything else throws. */
export async function decodeTestPhoto(bytes: Uint8Array): Promise<{ width: number; height: number; rgba: Uint8Array }> {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    const d = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    return { width: d.width, height: d.height, rgba: new Uint8Array(d.data) };
  }
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return decodeTestImage(bytes);
  throw new Error('not a PNG or JPEG image');
}

export interface CocoImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
}
export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  bbox: [number, number, number, number];
  iscrowd: 0 | 1;
}

/** A COCO instances file as the official ones are laid out (info, licenses, images, annotations, categories). */
export function cocoInstances(
  images: CocoImage[],
  annotations: CocoAnnotation[],
  categories: { id: number; name: string; supercategory?: string }[] = [{ id: 1, name: 'person', supercategory: 'person' }],
): string {
  return JSON.stringify({
    info: { description: 'test', version: '1.0', year: 2017 },
    licenses: [],
    images: images.map((im) => ({ license: 1, coco_url: '', date_captured: '2013-11-14 11:18:45', ...im })),
    annotations: annotations.map((a) => ({ segmentation: [], area: a.bbox[2] * a.bbox[3], ...a })),
    categories,
  });
}

/** A Pascal VOC annotation XML (VOC2012 layout) of `file` (w×h) with objects [name, xmin, ymin, xmax, ymax, difficult]. */
export function vocAnnotation(file: string, w: number, h: number, objects: [string, number, number, number, number, 0 | 1][]): string {
  const obj = objects
    .map(
      ([name, x0, y0, x1, y1, difficult]) =>
        `\t<object>\n\t\t<name>${name}</name>\n\t\t<pose>Unspecified</pose>\n\t\t<truncated>0</truncated>\n\t\t<difficult>${difficult}</difficult>\n` +
        `\t\t<bndbox>\n\t\t\t<xmin>${x0}</xmin>\n\t\t\t<ymin>${y0}</ymin>\n\t\t\t<xmax>${x1}</xmax>\n\t\t\t<ymax>${y1}</ymax>\n\t\t</bndbox>\n\t</object>\n`,
    )
    .join('');
  return (
    `<annotation>\n\t<folder>VOC2012</folder>\n\t<filename>${file}</filename>\n\t<source>\n\t\t<database>The VOC2007 Database</database>\n\t</source>\n` +
    `\t<size>\n\t\t<width>${w}</width>\n\t\t<height>${h}</height>\n\t\t<depth>3</depth>\n\t</size>\n\t<segmented>0</segmented>\n${obj}</annotation>\n`
  );
}

/** An import request of in-memory files (path → bytes or text). */
export function detectRequest(files: Record<string, Uint8Array | string>): ImportRequest {
  return {
    format: 'detection',
    labelMode: 'fine',
    files: Object.entries(files).map(([path, content]) => ({
      path,
      file: new File([typeof content === 'string' ? content : new Uint8Array(content)], path.split('/').pop()!),
    })),
  };
}

export { photoPng };
