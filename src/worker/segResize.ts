/** Resizing of a whole segmentation dataset: images bilinearly (antialiased), label maps by nearest neighbour. */
import { resizeBilinearRgb, resizeNearest, type SegDataset, type SegSplit } from '../engine';
import { yieldToEventLoop } from './yieldToEventLoop';

/** Milliseconds of resizing between two yields to the event loop. */
const YIELD_MS = 50;

/**
 * The dataset at height×width (NHWC uint8 RGB images, H×W class-id maps); the same object when it already has
 * that size. Yields to the event loop every few milliseconds; progress in [0, 1].
 */
export async function resizeSegDataset(data: SegDataset, height: number, width: number, onProgress?: (fraction: number) => void): Promise<SegDataset> {
  if (data.height === height && data.width === width) return data;
  const sw = data.width;
  const sh = data.height;
  const rgba = new Uint8Array(sw * sh * 4).fill(255);
  const total = data.train.count + data.test.count;
  let done = 0;
  let lastYield = Date.now();
  const resizeSplit = async (s: SegSplit): Promise<SegSplit> => {
    const images = new Uint8Array(s.count * height * width * 3);
    const labels = new Uint8Array(s.count * height * width);
    for (let i = 0; i < s.count; i++) {
      const src = s.images.subarray(i * sw * sh * 3, (i + 1) * sw * sh * 3);
      for (let p = 0; p < sw * sh; p++) {
        rgba[p * 4] = src[p * 3]!;
        rgba[p * 4 + 1] = src[p * 3 + 1]!;
        rgba[p * 4 + 2] = src[p * 3 + 2]!;
      }
      images.set(resizeBilinearRgb(rgba, sw, sh, width, height), i * height * width * 3);
      labels.set(resizeNearest(s.labels.subarray(i * sw * sh, (i + 1) * sw * sh), sw, sh, width, height), i * height * width);
      onProgress?.(++done / total);
      if (Date.now() - lastYield >= YIELD_MS) {
        await yieldToEventLoop();
        lastYield = Date.now();
      }
    }
    return { images, labels, count: s.count };
  };
  const train = await resizeSplit(data.train);
  const test = await resizeSplit(data.test);
  return { ...data, height, width, train, test };
}
