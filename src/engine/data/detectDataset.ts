/** The in-memory person-detection dataset that the built-in scene generator (detectScenes.ts) and the COCO/VOC importers produce. */

/**
 * One ground-truth box: centre and size (cx, cy, w, h) normalised to [0, 1] of its image (DETR's target format).
 * `ignore` marks an ignore region (COCO `iscrowd`, VOC `difficult`): AP neither rewards nor penalises detections on it.
 */
export interface DetectBox {
  cx: number;
  cy: number;
  w: number;
  h: number;
  ignore: boolean;
}

/** One split of a detection dataset: images and, aligned with them, each image's boxes (possibly none: a negative). */
export interface DetectSplit {
  /** NHWC uint8 RGB: count × height × width × 3 contiguous, row-major, RGB interleaved. */
  images: Uint8Array;
  /** boxes[i] = the person boxes of image i. */
  boxes: DetectBox[][];
  count: number;
}

/** A single-class (person) detection dataset with train and test splits, all images at one size. */
export interface DetectDataset {
  name: string;
  height: number;
  width: number;
  train: DetectSplit;
  test: DetectSplit;
}
