import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32';
import { planarToNhwc } from './cifarRecords';
import { SplitBuilder } from './splitBuilder';

/** Write `n` 2-byte images whose bytes and label encode (file, index). */
function addFile(builder: SplitBuilder, order: number, n: number, hint = 0): void {
  builder.beginSegment(order, n, hint);
  for (let i = 0; i < n; i++) {
    builder.images.set([order, i], builder.nextImageOffset);
    builder.commit(order * 10 + i);
  }
}

describe('SplitBuilder', () => {
  it('puts segments in canonical order in place, whatever their arrival order and sizes', () => {
    const builder = new SplitBuilder(2);
    const arrival: [number, number][] = [
      [3, 2],
      [1, 3],
      [5, 1],
      [2, 4],
      [4, 2],
    ];
    for (const [order, n] of arrival) addFile(builder, order, n, 20);
    const split = builder.finish();
    const expected = [...arrival].sort((a, b) => a[0] - b[0]).flatMap(([order, n]) => Array.from({ length: n }, (_, i) => [order, i]));
    expect(split.count).toBe(12);
    expect([...split.images]).toEqual(expected.flat());
    expect([...split.labels]).toEqual(expected.map(([order, i]) => order! * 10 + i!));
  });

  it('reserves by the hint, grows past it when needed, and trims to the exact size at the end', () => {
    const builder = new SplitBuilder(2);
    addFile(builder, 2, 2, 10);
    addFile(builder, 1, 30, 0);
    const split = builder.finish();
    expect(split.count).toBe(32);
    expect(split.images.buffer.byteLength).toBe(64);
    expect(split.labels.buffer.byteLength).toBe(32);
    expect(split.labels[0]).toBe(10);
    expect(split.labels[30]).toBe(20);
  });

  it('keeps the buffers as they are (no copy) when the reservation was exact', () => {
    const builder = new SplitBuilder(2);
    builder.reserve(3);
    addFile(builder, 1, 3);
    const images = builder.images;
    expect(builder.finish().images).toBe(images);
  });
});

describe('planarToNhwc', () => {
  it('interleaves the R, G and B planes of a 32×32 image into HWC', () => {
    const src = new Uint8Array(1 + 3072);
    for (let i = 0; i < 3072; i++) src[1 + i] = i % 251;
    const dst = new Uint8Array(4 + 3072);
    planarToNhwc(src, 1, dst, 4);
    for (const [row, col] of [
      [0, 0],
      [3, 5],
      [31, 31],
      [17, 2],
    ] as const) {
      for (let c = 0; c < 3; c++) expect(dst[4 + (row * 32 + col) * 3 + c]).toBe((c * 1024 + row * 32 + col) % 251);
    }
  });
});

describe('crc32', () => {
  it('matches zlib, also when computed in pieces', () => {
    const data = Uint8Array.from({ length: 10_007 }, (_, i) => (i * 7919) & 255);
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(data)).toBe(zlibCrc32(data));
    let piecewise = 0;
    for (let at = 0; at < data.length; at += 13) piecewise = crc32(data.subarray(at, at + 13), piecewise);
    expect(piecewise).toBe(zlibCrc32(data));
  });
});
