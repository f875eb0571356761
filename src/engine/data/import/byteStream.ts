/** Byte-stream adapters: a ReadableStream (File.stream() in a browser or worker) as an AsyncIterable of chunks. */

/** Iterate the Uint8Array chunks of `stream`; stopping early (break or throw) cancels the stream. */
export async function* readableChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** Split `bytes` into views of at most `size` bytes (no copies). */
export function* sliceChunks(bytes: Uint8Array, size: number): Generator<Uint8Array, void, undefined> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, Math.min(bytes.length, at + size));
}
