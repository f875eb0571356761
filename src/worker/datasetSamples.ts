/** Sample grids of stored or generated datasets: class by class for classification, the first images for segmentation and detection. */
import type { DatasetInfo, DatasetSamples, SampleBox } from '../protocol/datasets';

/** Images and labels of one split (or one stored chunk of it): NHWC uint8 RGB images, one label per image or per pixel. */
export interface SampleSource {
  images: Uint8Array;
  labels: Uint8Array;
}

/** Choose sample images class by class (first `perClass` of each, at most `maxImages`) from NHWC uint8 images. */
export function pickSamples(
  info: Pick<DatasetInfo, 'id' | 'height' | 'width' | 'classNames'>,
  split: 'train' | 'test',
  source: SampleSource,
  perClass: number,
  maxImages: number,
): DatasetSamples {
  const pixels = info.height * info.width * 3;
  const chosen: number[] = [];
  for (let c = 0; c < info.classNames.length && chosen.length < maxImages; c++) {
    let taken = 0;
    for (let i = 0; i < source.labels.length && taken < perClass && chosen.length < maxImages; i++) {
      if (source.labels[i] === c) {
        chosen.push(i);
        taken++;
      }
    }
  }
  const images = new Uint8Array(chosen.length * pixels);
  chosen.forEach((i, k) => images.set(source.images.subarray(i * pixels, (i + 1) * pixels), k * pixels));
  return {
    id: info.id,
    split,
    width: info.width,
    height: info.height,
    count: chosen.length,
    images,
    labels: chosen.map((i) => source.labels[i]!),
    classNames: [...info.classNames],
  };
}

/** The first `count` images of a segmentation split (NHWC uint8 RGB) with their label maps (H×W class ids each) and palette. */
export function pickSegSamples(
  info: Pick<DatasetInfo, 'id' | 'height' | 'width' | 'classNames' | 'palette'>,
  split: 'train' | 'test',
  source: SampleSource,
  count: number,
): DatasetSamples {
  const pixels = info.height * info.width;
  const n = Math.max(0, Math.min(count, Math.floor(source.labels.length / pixels)));
  return {
    id: info.id,
    split,
    width: info.width,
    height: info.height,
    count: n,
    images: source.images.slice(0, n * pixels * 3),
    labels: [],
    classNames: [...info.classNames],
    labelMaps: source.labels.slice(0, n * pixels),
    palette: (info.palette ?? []).map(([r, g, b]) => [r, g, b]),
  };
}

/** The first `count` images of a detection split (NHWC uint8 RGB) with each image's person boxes (normalised cx, cy, w, h). */
export function pickDetectSamples(
  info: Pick<DatasetInfo, 'id' | 'height' | 'width' | 'classNames'>,
  split: 'train' | 'test',
  source: { images: Uint8Array; boxes: readonly (readonly SampleBox[])[] },
  count: number,
): DatasetSamples {
  const pixels = info.height * info.width * 3;
  const n = Math.max(0, Math.min(count, Math.floor(source.images.length / pixels), source.boxes.length));
  return {
    id: info.id,
    split,
    width: info.width,
    height: info.height,
    count: n,
    images: source.images.slice(0, n * pixels),
    labels: [],
    classNames: [...info.classNames],
    boxes: source.boxes.slice(0, n).map((bs) => bs.map(({ cx, cy, w, h, ignore }) => ({ cx, cy, w, h, ignore }))),
  };
}
