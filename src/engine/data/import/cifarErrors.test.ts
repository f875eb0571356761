import { describe, expect, it } from 'vitest';
import { importCifar } from './cifar';
import type { CifarImportOptions, CifarSource } from './cifar';
import { ImportError } from './importError';
import type { ImportErrorCode } from './importError';
import { chunked, cifar100Files, cifar10Files, cifarRecords, tarGz } from './cifar.fixture';
import { makeTar } from './tar.fixture';
import { gzipSync } from 'node:zlib';

/** The ImportError an import rejects with (and check it is one). */
async function failure(source: CifarSource, opts?: CifarImportOptions): Promise<ImportError> {
  const error: unknown = await importCifar(source, opts).then(
    () => new Error('expected the import to fail'),
    (e: unknown) => e,
  );
  if (!(error instanceof ImportError)) throw error;
  return error;
}

async function expectFailure(source: CifarSource, code: ImportErrorCode, message?: RegExp | string, opts?: CifarImportOptions) {
  const error = await failure(source, opts);
  expect(error.code).toBe(code);
  if (message !== undefined) expect(error.message).toMatch(message);
}

const text = (s: string) => new TextEncoder().encode(s);
const replace = (files: ReturnType<typeof cifar10Files>, name: string, bytes: Uint8Array) => files.map((f) => (f.name === name ? { name, bytes } : f));

describe('importCifar: validation', () => {
  const c10 = cifar10Files();
  const c100 = cifar100Files();

  it('refuses a file whose size is not a whole number of records', async () => {
    const odd = replace(
      c10,
      'data_batch_2.bin',
      cifarRecords(
        2,
        Array.from({ length: 10 }, () => [1]),
      ).subarray(0, 30_721),
    );
    const message = 'cifar-10-batches-bin/data_batch_2.bin has 30,721 bytes, not a multiple of the 3,073-byte CIFAR-10 record';
    await expectFailure(chunked(tarGz('cifar-10-batches-bin', odd), 4096), 'record-size', message);
    await expectFailure(odd, 'record-size', /^data_batch_2\.bin has 30,721 bytes/);
    const c100odd = cifar100Files().map((f) => (f.name === 'train.bin' ? { name: f.name, bytes: new Uint8Array(3073 * 2) } : f));
    await expectFailure(c100odd, 'record-size', 'train.bin has 6,146 bytes, not a multiple of the 3,074-byte CIFAR-100 record');
    await expectFailure(replace(c10, 'test_batch.bin', new Uint8Array(0)), 'record-size', /test_batch\.bin has 0 bytes/);
  });

  it('refuses labels out of range: CIFAR-10 above 9, CIFAR-100 fine above 99 or coarse above 19', async () => {
    const bad10 = replace(c10, 'data_batch_3.bin', cifarRecords(3, [[1], [9], [10]]));
    await expectFailure(
      chunked(tarGz('cifar-10-batches-bin', bad10), 999),
      'label-range',
      'cifar-10-batches-bin/data_batch_3.bin: image 3 has label 10, but CIFAR-10 labels run from 0 to 9',
    );
    const withTrain = (labels: number[][]) => c100.map((f) => (f.name === 'train.bin' ? { name: f.name, bytes: cifarRecords(1, labels) } : f));
    await expectFailure(
      withTrain([
        [19, 99],
        [0, 100],
      ]),
      'label-range',
      /image 2 has fine label 100, but CIFAR-100 fine labels run from 0 to 99/,
    );
    await expectFailure(withTrain([[20, 5]]), 'label-range', /image 1 has coarse label 20, but CIFAR-100 coarse labels run from 0 to 19/);
    // Both label bytes are checked whichever label set is used.
    await expectFailure(withTrain([[20, 5]]), 'label-range', /coarse label 20/, { labelMode: 'fine' });
  });

  it('refuses an archive without CIFAR files, listing what it found', async () => {
    const other = gzipSync(makeTar(['x.txt', 'y.png', 'z.csv'].map((name) => ({ name, data: 'data' }))));
    await expectFailure(
      chunked(other, 4096),
      'not-cifar',
      /^photos\.tar\.gz is not a CIFAR archive: found x\.txt, y\.png, z\.csv\. Expected the binary version/,
      { sourceName: 'photos.tar.gz' },
    );
    const many = gzipSync(makeTar(Array.from({ length: 8 }, (_, i) => ({ name: `f${i}`, data: 'd' }))));
    await expectFailure(chunked(many, 4096), 'not-cifar', /found f0, f1, f2, f3, f4 and 3 more/);
    const python = gzipSync(makeTar(['data_batch_1', 'batches.meta', 'test_batch'].map((n) => ({ name: `cifar-10-batches-py/${n}`, data: 'p' }))));
    await expectFailure(chunked(python, 4096), 'not-cifar', /Python \(pickle\) version; download the binary version/);
    await expectFailure(chunked(gzipSync(makeTar([])), 4096), 'not-cifar', /contains no files/);
    await expectFailure([{ name: 'photo.jpg', bytes: text('jpeg') }], 'not-cifar', /^The selected files are not CIFAR files: found photo\.jpg\./);
    await expectFailure([], 'not-cifar', /No files were selected/);
  });

  it('refuses CIFAR-10 and CIFAR-100 files mixed in one import', async () => {
    await expectFailure([...c10, ...c100], 'mixed-cifar', /mixes CIFAR-10 files \(.*\) with CIFAR-100 files \(.*\): import one dataset at a time/);
    const archives = [
      { name: 'a.tar.gz', bytes: tarGz('cifar-10-batches-bin', c10) },
      { name: 'b.tar.gz', bytes: tarGz('cifar-100-binary', c100) },
    ];
    await expectFailure(archives, 'mixed-cifar');
  });

  it('refuses an import without training or without test data', async () => {
    await expectFailure(
      c10.filter((f) => f.name !== 'test_batch.bin'),
      'missing-test',
      'The CIFAR-10 import has no test data (test_batch.bin)',
    );
    await expectFailure(
      c10.filter((f) => !f.name.startsWith('data_batch')),
      'missing-train',
      /no training data \(data_batch_1\.bin … data_batch_5\.bin\)/,
    );
    await expectFailure(
      chunked(
        tarGz(
          'cifar-100-binary',
          c100.filter((f) => f.name !== 'train.bin'),
        ),
        4096,
      ),
      'missing-train',
      /CIFAR-100 .*\(train\.bin\)/,
    );
    await expectFailure(
      c100.filter((f) => f.name !== 'test.bin'),
      'missing-test',
      /\(test\.bin\)/,
    );
  });

  it('refuses a file given twice', async () => {
    const twice = [...c10, { name: 'copy/data_batch_2.bin', bytes: c10[7]!.bytes }];
    await expectFailure(twice, 'duplicate-file', /data_batch_2\.bin appears twice/);
  });

  it('refuses a names file with the wrong number of names', async () => {
    await expectFailure(replace(c10, 'batches.meta.txt', text('cat\ndog\n')), 'class-names', 'batches.meta.txt lists 2 class names, but 10 are expected');
  });

  it('refuses empty, non-gzip, truncated and corrupt archives', async () => {
    const archive = tarGz('cifar-10-batches-bin', c10);
    await expectFailure(chunked(new Uint8Array(0), 1), 'empty-file', 'The archive is empty (0 bytes).');
    await expectFailure([{ name: 'cifar-10-binary.tar.gz', bytes: new Uint8Array(0) }], 'empty-file', /^cifar-10-binary\.tar\.gz is empty/);
    await expectFailure(chunked(text('<!DOCTYPE html><html>404 Not Found</html>'), 7), 'not-gzip', /not a \.tar\.gz archive.*gzip signature \(1f 8b\)/);
    const cut = await failure(chunked(archive.subarray(0, Math.floor(archive.length / 2)), 4096));
    expect(['gzip-truncated', 'gzip-corrupt']).toContain(cut.code);
    expect(cut.message).toMatch(/^The archive: .*incomplete/);
    const named = await failure([{ name: 'cifar-10-binary.tar.gz', bytes: archive.subarray(0, Math.floor(archive.length / 2)) }]);
    expect(named.message).toMatch(/^cifar-10-binary\.tar\.gz: The gzip file .*incomplete|^cifar-10-binary\.tar\.gz: .*corrupt/);
    const flipped = archive.slice();
    flipped[flipped.length - 7]! ^= 0xff; // inside the CRC-32 of the trailer
    await expectFailure(chunked(flipped, 4096), 'gzip-corrupt', /damaged or incomplete/);
    const badTar = makeTar(c10.map((f) => ({ name: f.name, data: f.bytes })));
    badTar[512 + 3073 * 3 + 600]! ^= 1; // inside the second header
    await expectFailure(chunked(gzipSync(badTar), 4096), 'tar-bad-header', /damaged/);
    const tar = makeTar(c10.map((f) => ({ name: f.name, data: f.bytes })));
    await expectFailure(chunked(gzipSync(tar.subarray(0, 12_000)), 4096), 'tar-truncated', /cut off inside "data_batch_3\.bin"/);
    await expectFailure(chunked(gzipSync(tar.subarray(0, 10_000)), 4096), 'tar-truncated', /inside the padding after "data_batch_1\.bin"/);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expectFailure(c10, 'aborted', 'The import was cancelled.', { signal: controller.signal });
  });
});
