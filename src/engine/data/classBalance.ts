/**
 * Class-balancing weights for segmentation cross-entropy: **median frequency balancing** (Eigen & Fergus 2015,
 * used by SegNet's reference training on CamVid): w_c = median_c'(freq_c') / freq_c, where freq_c = (pixels of class c)
 * / (all pixels of the images in which c appears). Rare, thin classes (person, pole) get weights above 1, the big
 * ones (road, sky, building) below. A class that never appears gets weight 1 (it is never a label, so it never counts);
 * the median is over the classes that appear. Optionally capped at `maxWeight`, since a class seen in a handful of pixels
 * would otherwise dominate every batch it is in.
 */
export function medianFrequencyWeights(
  labels: Uint8Array,
  pixelsPerImage: number,
  numClasses: number,
  opts: { ignore?: number; maxWeight?: number } = {},
): Float32Array {
  const ignore = opts.ignore ?? 255;
  const maxWeight = opts.maxWeight ?? Infinity;
  if (!Number.isInteger(pixelsPerImage) || pixelsPerImage < 1 || labels.length % pixelsPerImage !== 0)
    throw new Error(`${labels.length} labels are not a whole number of ${pixelsPerImage}-pixel images.`);
  const count = new Float64Array(numClasses);
  const imagePixels = new Float64Array(numClasses);
  const inImage = new Float64Array(numClasses);
  for (let start = 0; start < labels.length; start += pixelsPerImage) {
    inImage.fill(0);
    for (let p = start; p < start + pixelsPerImage; p++) {
      const c = labels[p]!;
      if (c === ignore) continue;
      if (c >= numClasses) throw new Error(`Label ${c} at pixel ${p} is outside 0..${numClasses - 1} and is not the ignore label ${ignore}.`);
      inImage[c]! += 1;
    }
    for (let c = 0; c < numClasses; c++) {
      if (inImage[c]! === 0) continue;
      count[c]! += inImage[c]!;
      imagePixels[c]! += pixelsPerImage;
    }
  }
  const freq: number[] = [];
  for (let c = 0; c < numClasses; c++) if (count[c]! > 0) freq.push(count[c]! / imagePixels[c]!);
  const sorted = [...freq].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median = sorted.length === 0 ? 1 : sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const out = new Float32Array(numClasses);
  for (let c = 0; c < numClasses; c++) out[c] = count[c]! > 0 ? Math.min(maxWeight, median / (count[c]! / imagePixels[c]!)) : 1;
  return out;
}
