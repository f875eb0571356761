/** Decode a PNG/JPEG file and resize it to size×size RGBA in the worker (createImageBitmap + OffscreenCanvas). */

let canvas: OffscreenCanvas | null = null;

/** RGBA pixels of `file` squashed to size×size (high-quality resampling), composited onto white. */
export async function decodeResized(file: Blob, size: number): Promise<Uint8ClampedArray> {
  const bitmap = await createImageBitmap(file, { resizeWidth: size, resizeHeight: size, resizeQuality: 'high' });
  try {
    if (!canvas || canvas.width !== size) canvas = new OffscreenCanvas(size, size);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D canvas context in this browser');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, size, size);
    ctx.drawImage(bitmap, 0, 0, size, size);
    return ctx.getImageData(0, 0, size, size).data;
  } finally {
    bitmap.close();
  }
}

let fullCanvas: OffscreenCanvas | null = null;

/** RGBA pixels of `file` at its own size (no resampling), composited onto white: for segmentation images, which must match their labels pixel for pixel. */
export async function decodeFullSize(file: Blob): Promise<{ width: number; height: number; rgba: Uint8ClampedArray }> {
  const bitmap = await createImageBitmap(file);
  try {
    const { width, height } = bitmap;
    if (!fullCanvas || fullCanvas.width !== width || fullCanvas.height !== height) fullCanvas = new OffscreenCanvas(width, height);
    const ctx = fullCanvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('no 2D canvas context in this browser');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    ctx.drawImage(bitmap, 0, 0);
    return { width, height, rgba: ctx.getImageData(0, 0, width, height).data };
  } finally {
    bitmap.close();
  }
}
