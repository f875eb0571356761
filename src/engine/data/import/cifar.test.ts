import { gzipSync as fflateGzip } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { ImageDataset, ImageSplit } from '../dataset';
import { readableChunks } from './byteStream';
import { importCifar } from './cifar';
import { CIFAR10_CLASSES } from './cifarNames';
import { makeTar } from './tar.fixture';
import { CIFAR10_META, chunked, cifar100Files, cifar100Labels, cifar10Files, cifar10Label, pixel, tarGz } from './cifar.fixture';

/** Count pixels of `split` that differ from the test pattern, image k coming from (file, index) = source(k). */
function wrongPixels(split: ImageSplit, source: (k: number) => [number, number]): number {
  let wrong = 0;
  for (let k = 0; k < split.count; k++) {
    const [file, image] = source(k);
    for (let row = 0; row < 32; row++) {
      for (let col = 0; col < 32; col++) {
        for (let c = 0; c < 3; c++) {
          if (split.images[((k * 32 + row) * 32 + col) * 3 + c] !== pixel(file, image, c, row, col)) wrong++;
        }
      }
    }
  }
  return wrong;
}

/** CIFAR-10 test data: 3 records per batch; train image k is record k % 3 of data_batch_(k / 3 + 1). */
function expectCifar10(d: ImageDataset, per = 3): void {
  expect(d).toMatchObject({ name: 'CIFAR-10', height: 32, width: 32, channels: 3 });
  expect(d.train.count).toBe(5 * per);
  expect(d.test.count).toBe(per);
  expect(d.train.images.length).toBe(5 * per * 3072);
  expect(d.train.images.buffer.byteLength).toBe(5 * per * 3072); // exact, no slack
  expect(d.test.images.length).toBe(per * 3072);
  const trainSource = (k: number): [number, number] => [Math.floor(k / per) + 1, k % per];
  expect(wrongPixels(d.train, trainSource)).toBe(0);
  expect(wrongPixels(d.test, (k) => [6, k])).toBe(0);
  expect([...d.train.labels]).toEqual(Array.from({ length: 5 * per }, (_, k) => cifar10Label(...trainSource(k))));
  expect([...d.test.labels]).toEqual(Array.from({ length: per }, (_, k) => cifar10Label(6, k)));
}

describe('importCifar: CIFAR-10', () => {
  const files = cifar10Files();
  const archive = tarGz('cifar-10-batches-bin', files);

  it('decodes cifar-10-binary.tar.gz: planar CHW records to NHWC, labels, class names, batches in order 1..5', async () => {
    const d = await importCifar(chunked(archive, 65536));
    expectCifar10(d);
    expect(d.classNames).toEqual(CIFAR10_CLASSES);
  });

  it('puts the R value at (row 3, col 5) of image 2 at images[((2*32+3)*32+5)*3+0]', async () => {
    const d = await importCifar(files);
    const record = files[0]!.bytes.subarray(2 * 3073, 3 * 3073); // image 2 of data_batch_1.bin
    for (const [c, plane] of [
      [0, 'R'],
      [1, 'G'],
      [2, 'B'],
    ] as const) {
      expect(d.train.images[((2 * 32 + 3) * 32 + 5) * 3 + c], plane).toBe(record[1 + c * 1024 + 3 * 32 + 5]);
    }
    expect(d.train.labels[2]).toBe(record[0]);
  });

  it('gives identical results for any chunk size, including 1 byte (records straddling chunks)', async () => {
    const reference = await importCifar(chunked(archive, archive.length));
    for (const size of [1, 7, 511, 513, 4096]) expect(await importCifar(chunked(archive, size)), `chunks of ${size}`).toEqual(reference);
    // An uncompressed .tar hands the chunks to the record decoder as they come.
    const tar = makeTar(files.map((f) => ({ name: `cifar-10-batches-bin/${f.name}`, data: f.bytes })));
    for (const size of [1, 7, 511, 513, 3073, 4096]) expect(await importCifar(chunked(tar, size)), `tar chunks of ${size}`).toEqual(reference);
  });

  it('reads class names from batches.meta.txt, falls back to the published ones without it', async () => {
    const renamed = cifar10Files(2, CIFAR10_META.toUpperCase().replace(/\n/g, '\r\n'));
    expect((await importCifar(renamed)).classNames).toEqual(CIFAR10_CLASSES.map((n) => n.toUpperCase()));
    const withoutMeta = files.filter((f) => f.name !== 'batches.meta.txt');
    expect((await importCifar(withoutMeta)).classNames).toEqual(CIFAR10_CLASSES);
  });

  it('accepts the extracted files, a POSIX tar, fflate-made gzip, a plain .tar and a File-like stream', async () => {
    const reference = await importCifar(chunked(archive, 4096));
    expectCifar10(await importCifar(files));
    expect(await importCifar(files)).toEqual(reference);
    expect(await importCifar(chunked(tarGz('cifar-10-batches-bin', files, 'posix'), 1000))).toEqual(reference);
    const tar = makeTar(files.map((f) => ({ name: `cifar-10-batches-bin/${f.name}`, data: f.bytes })));
    expect(await importCifar(chunked(fflateGzip(tar), 777))).toEqual(reference);
    expect(await importCifar(chunked(tar, 4096))).toEqual(reference);
    expect(await importCifar([{ name: 'cifar-10-binary.tar.gz', bytes: archive }])).toEqual(reference);
    const blob = new Blob([new Uint8Array(archive)]);
    expect(await importCifar(readableChunks(blob.stream()), { totalBytes: blob.size })).toEqual(reference);
  });

  it('streams listed files read on demand (extracted .bin files and an archive), without holding them in memory', async () => {
    const reference = await importCifar(files);
    const asStream = (f: { name: string; bytes: Uint8Array }) => ({ name: f.name, size: f.bytes.length, chunks: () => chunked(f.bytes, 1000) });
    expect(await importCifar(files.map(asStream))).toEqual(reference);
    expect(await importCifar([asStream({ name: 'cifar-10-binary.tar.gz', bytes: archive })])).toEqual(reference);
    const short = { name: 'test_batch.bin', size: 3 * 3073, chunks: () => chunked(new Uint8Array(3 * 3073 - 10), 1000) };
    const rest = files.filter((f) => f.name !== 'test_batch.bin').map(asStream);
    await expect(importCifar([...rest, short])).rejects.toMatchObject({ code: 'record-size' });
  });

  it('reports increasing progress fractions ending at 1', async () => {
    const seen: number[] = [];
    await importCifar(chunked(archive, 50), { totalBytes: archive.length, onProgress: (f) => seen.push(f) });
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.at(-1)).toBe(1);
    expect(seen.slice(0, -1).every((f) => f < 1)).toBe(true);
    expect(seen.every((f, i) => i === 0 || f > seen[i - 1]!)).toBe(true);
  });

  it('accepts a subset of the training batches', async () => {
    const some = files.filter((f) => f.name !== 'data_batch_4.bin');
    const d = await importCifar(chunked(tarGz('cifar-10-batches-bin', some), 4096));
    expect(d.train.count).toBe(12);
    expect(d.train.images.buffer.byteLength).toBe(12 * 3072);
    expect(wrongPixels(d.train, (k) => [[1, 2, 3, 5][Math.floor(k / 3)]!, k % 3])).toBe(0);
  });
});

describe('importCifar: CIFAR-100', () => {
  const files = cifar100Files();
  const archive = tarGz('cifar-100-binary', files);

  it('decodes cifar-100-binary.tar.gz with fine labels by default', async () => {
    const d = await importCifar(chunked(archive, 4096));
    expect(d).toMatchObject({ name: 'CIFAR-100 (fine)', height: 32, width: 32, channels: 3 });
    expect(d.classNames).toHaveLength(100);
    expect(d.classNames[42]).toBe('fine42');
    expect(d.train.count).toBe(4);
    expect(d.test.count).toBe(2);
    expect(wrongPixels(d.train, (k) => [1, k])).toBe(0);
    expect(wrongPixels(d.test, (k) => [2, k])).toBe(0);
    expect([...d.train.labels]).toEqual([0, 1, 2, 3].map((i) => cifar100Labels(1, i)[1]));
    expect([...d.test.labels]).toEqual([0, 1].map((i) => cifar100Labels(2, i)[1]));
  });

  it('uses the coarse labels and names when asked', async () => {
    const d = await importCifar(chunked(archive, 513), { labelMode: 'coarse' });
    expect(d.name).toBe('CIFAR-100 (coarse)');
    expect(d.classNames).toEqual(Array.from({ length: 20 }, (_, i) => `super${i}`));
    expect([...d.train.labels]).toEqual([0, 1, 2, 3].map((i) => cifar100Labels(1, i)[0]));
  });

  it('gives identical results for any chunk size and for the extracted files', async () => {
    const reference = await importCifar(files);
    for (const size of [1, 7, 511, 513, 4096]) expect(await importCifar(chunked(archive, size)), `chunks of ${size}`).toEqual(reference);
  });
});
