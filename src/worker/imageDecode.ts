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
