import { gzipSync as fflateGzip } from 'fflate';
import { gzipSync as zlibGzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { concat } from './tar.fixture';
import { GunzipStream } from './gunzipStream';
import { ImportError } from './importError';
import { failure } from './failure.fixture';

/** Gunzip `input` fed in chunks of `size`; returns the output and the largest chunk handed on. */
function gunzip(input: Uint8Array, size = input.length): { output: Uint8Array; largest: number } {
  const parts: Uint8Array[] = [];
  const stream = new GunzipStream((chunk) => parts.push(chunk.slice()));
  for (let at = 0; at < input.length; at += size) stream.push(input.subarray(at, at + size));
  stream.end();
  return { output: concat(parts), largest: parts.reduce((m, p) => Math.max(m, p.length), 0) };
}

/** Fast byte equality (vitest's deep equality walks typed arrays element by element). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}

/** 200 kB of poorly compressible bytes (like photos) with some structure. */
const data = (() => {
  const out = new Uint8Array(200_000);
  let x = 12345;
  for (let i = 0; i < out.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = i % 3 === 0 ? i & 255 : x >>> 24;
  }
  return out;
})();

describe('GunzipStream', () => {
  const byFflate = fflateGzip(data);
  const byZlib = zlibGzip(data);

  it('decodes gzip made by node:zlib (as real archives are) and by fflate, in any chunk size', () => {
    for (const gz of [byZlib, byFflate]) {
      for (const size of [1, 7, 511, 513, 4096, gz.length]) expect(same(gunzip(gz, size).output, data), `chunks of ${size}`).toBe(true);
    }
  });

  it('hands on output chunk by chunk rather than as one whole buffer', () => {
    expect(gunzip(byZlib, 4096).largest).toBeLessThan(64 * 1024);
  });

  it('decodes concatenated gzip members', () => {
    const two = concat([zlibGzip(data.subarray(0, 1000)), zlibGzip(data.subarray(1000))]);
    expect(same(gunzip(two, 333).output, data)).toBe(true);
  });

  it('refuses an empty file and a file that is not gzip', () => {
    expect(failure(() => gunzip(new Uint8Array(0))).code).toBe('empty-file');
    const notGzip = failure(() => gunzip(new TextEncoder().encode('PK\u0003\u0004 a zip file')));
    expect(notGzip.code).toBe('not-gzip');
    expect(notGzip.message).toMatch(/not gzip-compressed.*1f 8b/);
    expect(failure(() => gunzip(Uint8Array.of(0x1f), 1)).code).toBe('not-gzip');
  });

  it('reports a truncated file wherever it is cut', () => {
    for (const cut of [5, 10, 11, 100, 5000, byZlib.length - 9, byZlib.length - 8, byZlib.length - 4, byZlib.length - 1]) {
      for (const size of [1, 4096]) {
        const error = failure(() => gunzip(byZlib.subarray(0, cut), size));
        expect(['gzip-truncated', 'gzip-corrupt'], `cut at ${cut}`).toContain(error.code);
        expect(error.message).toMatch(/incomplete|damaged/);
      }
    }
    expect(failure(() => gunzip(byZlib.subarray(0, 5000))).code).toBe('gzip-truncated');
  });

  it('reports damaged data: a flipped bit in the content or in the checksum', () => {
    const badCrc = byZlib.slice();
    badCrc[badCrc.length - 6]! ^= 1;
    expect(failure(() => gunzip(badCrc)).code).toBe('gzip-corrupt');
    const badSize = byZlib.slice();
    badSize[badSize.length - 2]! ^= 1;
    expect(failure(() => gunzip(badSize)).code).toBe('gzip-corrupt');
    for (const at of [20, 1000, 50_000, 150_000]) {
      const flipped = byZlib.slice();
      flipped[at]! ^= 0x10;
      expect(['gzip-corrupt', 'gzip-truncated'], `flip at ${at}`).toContain(failure(() => gunzip(flipped, 4096)).code);
    }
  });

  it('lets errors of the consumer through unchanged', () => {
    const stream = new GunzipStream(() => {
      throw new ImportError('not-cifar', 'consumer says no');
    });
    expect(() => stream.push(byZlib)).toThrow('consumer says no');
  });
});
