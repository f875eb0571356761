/** The in-memory semantic segmentation dataset that generators (streets.ts) and importers produce. */

/** An RGB display colour, 0–255 per channel. */
export type SegColour = readonly [number, number, number];

/** The label value of pixels that losses and metrics skip (void, border, unlabelled). */
export const SEG_IGNORE_LABEL = 255;

/** One split of a segmentation dataset. */
export interface SegSplit {
  /** NHWC uint8 RGB: count × height × width × 3 contiguous, row-major, RGB interleaved. */
  images: Uint8Array;
  /** count × height × width class ids (uint8), row-major, aligned with images; 255 = ignore. */
  labels: Uint8Array;
  count: number;
}

/** A per-pixel labelled RGB image dataset with separate train and test splits. */
export interface SegDataset {
  name: string;
  /** Class names, indexed by class id (0 … classNames.length − 1). */
  classNames: readonly string[];
  /** Display colour of each class id, same order as classNames. */
  palette: readonly SegColour[];
  height: number;
  width: number;
  /** Label value to ignore: always 255. */
  ignoreLabel: 255;
  train: SegSplit;
  test: SegSplit;
}
