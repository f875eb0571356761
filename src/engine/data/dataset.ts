/** The in-memory image classification dataset that generators and importers produce. */

/** One split of an image dataset. */
export interface ImageSplit {
  /** NHWC uint8, count × height × width × channels contiguous, row-major, RGB interleaved. */
  images: Uint8Array;
  /** One class index per image. */
  labels: Uint8Array;
  count: number;
}

/** A labelled RGB image dataset with separate train and test splits. */
export interface ImageDataset {
  name: string;
  classNames: readonly string[];
  height: number;
  width: number;
  channels: 3;
  train: ImageSplit;
  test: ImageSplit;
}
