/** Test-only builders of CIFAR binary files and archives in the exact downloaded byte layout. */
import { gzipSync } from 'node:zlib';
import { makeTar } from './tar.fixture';
import type { TarSpec } from './tar.fixture';

/** The test pattern: byte of channel `c` at (`row`, `col`) of image `image` in file `file`. */
export function pixel(file: number, image: number, c: number, row: number, col: number): number {
  return (file * 101 + image * 37 + c * 71 + row * 7 + col * 3) & 255;
}

/** Records of `labelBytes[i]` label bytes then planar R, G, B planes (32×32 row-major) with the test pattern. */
export function cifarRecords(file: number, labelBytes: readonly (readonly number[])[]): Uint8Array {
  const labelsPer = labelBytes[0]?.length ?? 1;
  const size = labelsPer + 3072;
  const out = new Uint8Array(labelBytes.length * size);
  labelBytes.forEach((labels, image) => {
    const base = image * size;
    out.set(labels, base);
    for (let c = 0; c < 3; c++) {
      for (let row = 0; row < 32; row++) {
        for (let col = 0; col < 32; col++) out[base + labelsPer + c * 1024 + row * 32 + col] = pixel(file, image, c, row, col);
      }
    }
  });
  return out;
}

export const CIFAR10_META = 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n';

/** Labels of image `i` in CIFAR-10 batch `file` (batches 1–5 train, 6 test). */
export const cifar10Label = (file: number, i: number) => (file * 3 + i) % 10;

/** The files of a small CIFAR-10 download: `per` records in each of data_batch_1..5.bin and test_batch.bin. */
export function cifar10Files(per = 3, names = CIFAR10_META): { name: string; bytes: Uint8Array }[] {
  const batch = (file: number) =>
    cifarRecords(
      file,
      Array.from({ length: per }, (_, i) => [cifar10Label(file, i)]),
    );
  // The order of the real archive: not sorted.
  return [
    { name: 'data_batch_1.bin', bytes: batch(1) },
    { name: 'batches.meta.txt', bytes: new TextEncoder().encode(names) },
    { name: 'data_batch_3.bin', bytes: batch(3) },
    { name: 'data_batch_4.bin', bytes: batch(4) },
    { name: 'test_batch.bin', bytes: batch(6) },
    { name: 'readme.html', bytes: new TextEncoder().encode('<html>CIFAR</html>') },
    { name: 'data_batch_5.bin', bytes: batch(5) },
    { name: 'data_batch_2.bin', bytes: batch(2) },
  ];
}

/** Coarse and fine label of image `i` in CIFAR-100 file `file` (1 = train, 2 = test). */
export const cifar100Labels = (file: number, i: number): [number, number] => [(file + i * 3) % 20, (file * 7 + i * 11) % 100];

/** A names file of `count` lines "<prefix><i>". */
export function cifar100Names(prefix: string, count: number): string {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`).join('\n') + '\n';
}

/** The files of a small CIFAR-100 download: `train` and `test` records. */
export function cifar100Files(train = 4, test = 2): { name: string; bytes: Uint8Array }[] {
  const records = (file: number, n: number) =>
    cifarRecords(
      file,
      Array.from({ length: n }, (_, i) => cifar100Labels(file, i)),
    );
  const text = (s: string) => new TextEncoder().encode(s);
  return [
    { name: 'coarse_label_names.txt', bytes: text(cifar100Names('super', 20)) },
    { name: 'fine_label_names.txt', bytes: text(cifar100Names('fine', 100)) },
    { name: 'test.bin', bytes: records(2, test) },
    { name: 'train.bin', bytes: records(1, train) },
  ];
}

/** A real-layout .tar.gz (made by gzip, i.e. zlib): a folder entry then each file inside `folder`. */
export function tarGz(folder: string, files: readonly { name: string; bytes: Uint8Array }[], magic: TarSpec['magic'] = 'gnu'): Uint8Array {
  const specs: TarSpec[] = [{ name: `${folder}/`, type: '5', magic }, ...files.map((f) => ({ name: `${folder}/${f.name}`, data: f.bytes, magic }))];
  return gzipSync(makeTar(specs));
}

/** Feed `bytes` as an async stream of `size`-byte chunks. */
export async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}
