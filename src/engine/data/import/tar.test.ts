import { describe, expect, it } from 'vitest';
import { TarReader } from './tar';
import type { TarEntry } from './tar';
import { readNumber } from './tarHeader';
import { concat, makeTar, paxRecords, tarEntry, tarHeader } from './tar.fixture';
import { failure } from './failure.fixture';

interface Read {
  entries: (TarEntry & { data: number[] })[];
  finished: boolean;
}

/** Read `archive` in chunks of `size` bytes, collecting entries and their data. */
function read(archive: Uint8Array, size = archive.length): Read {
  const entries: Read['entries'] = [];
  const reader = new TarReader((entry) => {
    const item = { ...entry, data: [] as number[] };
    entries.push(item);
    let ended = false;
    return {
      write: (chunk) => item.data.push(...chunk),
      end: () => {
        expect(ended).toBe(false);
        ended = true;
      },
    };
  });
  for (let at = 0; at < archive.length; at += size) reader.push(archive.subarray(at, at + size));
  reader.end();
  return { entries, finished: reader.finished };
}

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 13 + seed) & 255);

describe('TarReader', () => {
  const archive = makeTar([
    { name: 'top/', type: '5' },
    { name: 'top/empty.bin' },
    { name: 'top/one.bin', data: bytes(1, 1) },
    { name: 'top/a511.bin', data: bytes(511, 2) },
    { name: 'top/b512.bin', data: bytes(512, 3) },
    { name: 'top/c513.bin', data: bytes(513, 4) },
    { name: 'top/d1500.bin', data: bytes(1500, 5) },
  ]);

  it('reads names, types, sizes and data, padded to 512, up to the end marker', () => {
    const { entries, finished } = read(archive);
    expect(finished).toBe(true);
    expect(entries.map((e) => [e.name, e.type, e.size])).toEqual([
      ['top/', 'directory', 0],
      ['top/empty.bin', 'file', 0],
      ['top/one.bin', 'file', 1],
      ['top/a511.bin', 'file', 511],
      ['top/b512.bin', 'file', 512],
      ['top/c513.bin', 'file', 513],
      ['top/d1500.bin', 'file', 1500],
    ]);
    expect(entries[6]!.data).toEqual([...bytes(1500, 5)]);
    expect(entries[5]!.data).toEqual([...bytes(513, 4)]);
  });

  it('gives identical results whatever the chunk boundaries (inside headers, data and padding)', () => {
    const whole = read(archive);
    for (const size of [1, 7, 511, 512, 513, 4096]) expect(read(archive, size)).toEqual(whole);
  });

  it('joins the ustar prefix field and the name; ignores that area in GNU headers', () => {
    const posix = read(makeTar([{ name: 'data_batch_1.bin', prefix: 'a/very/long/folder', data: 'x' }]));
    expect(posix.entries[0]!.name).toBe('a/very/long/folder/data_batch_1.bin');
    const gnu = read(makeTar([{ name: 'file.bin', prefix: 'not-a-prefix', magic: 'gnu', data: 'x' }]));
    expect(gnu.entries[0]!.name).toBe('file.bin');
    const v7 = read(makeTar([{ name: 'old.bin', magic: 'v7', data: 'abc' }]));
    expect(v7.entries[0]).toMatchObject({ name: 'old.bin', size: 3, data: [97, 98, 99] });
  });

  it('applies PAX path and size to the next entry only, skips global PAX headers, applies GNU long names', () => {
    const long = `${'deep/'.repeat(40)}data_batch_2.bin`;
    const { entries } = read(
      makeTar([
        { name: 'pax_global_header', type: 'g', data: paxRecords({ comment: 'made by a test' }) },
        { name: 'PaxHeaders/x', type: 'x', data: paxRecords({ path: long, mtime: '1.5' }) },
        { name: 'short-name.bin', data: 'hello' },
        { name: 'next.bin', data: 'z' },
        { name: '././@LongLink', type: 'L', magic: 'gnu', data: `${long.replace('2', '3')}\u0000` },
        { name: 'truncated-name', magic: 'gnu', data: 'ab' },
        { name: 'PaxHeaders/y', type: 'x', data: paxRecords({ size: '3' }) },
        { name: 'sized.bin', data: 'abc' },
      ]),
    );
    expect(entries.map((e) => [e.name, e.size])).toEqual([
      [long, 5],
      ['next.bin', 1],
      [long.replace('2', '3'), 2],
      ['sized.bin', 3],
    ]);
  });

  it('skips entries whose handler returns nothing', () => {
    const names: string[] = [];
    const reader = new TarReader((e) => void names.push(e.name));
    reader.push(archive);
    reader.end();
    expect(names).toHaveLength(7);
  });

  it('tolerates a lone zero block at the end and ignores bytes after the end marker', () => {
    expect(read(makeTar([{ name: 'a', data: 'a' }], 1)).entries).toHaveLength(1);
    const padded = concat([makeTar([{ name: 'a', data: 'a' }]), new Uint8Array(9216), tarEntry({ name: 'late', data: 'x' })]);
    expect(read(padded).entries.map((e) => e.name)).toEqual(['a']);
  });

  it('reports a truncated archive: inside a header, inside data, or without the end marker', () => {
    const cutData = failure(() => read(archive.subarray(0, 512 * 9 + 100)));
    expect(cutData.code).toBe('tar-truncated');
    expect(cutData.message).toContain('"top/c513.bin" (100 of 513 bytes present)');
    expect(failure(() => read(archive.subarray(0, 700))).code).toBe('tar-truncated');
    const noEnd = failure(() => read(archive.subarray(0, archive.length - 1024)));
    expect(noEnd.message).toMatch(/after 7 entries, without its end-of-archive marker.*incomplete/);
    expect(failure(() => read(new Uint8Array(0))).code).toBe('empty-file');
  });

  it('reports a bad header checksum, naming the byte offset', () => {
    const damaged = archive.slice();
    damaged[1024 + 3]! ^= 0x40; // inside the name of the third header
    const error = failure(() => read(damaged, 100));
    expect(error.code).toBe('tar-bad-header');
    expect(error.message).toMatch(/tar header at byte 1024 is damaged/);
    const notTar = failure(() => read(new TextEncoder().encode('just some text'.repeat(100))));
    expect(notTar.message).toMatch(/does not start with a tar header.*not a tar archive/);
  });

  it('reports malformed PAX records', () => {
    const bad = makeTar([
      { name: 'p', type: 'x', data: '99 path=x\n' },
      { name: 'a', data: 'a' },
    ]);
    expect(failure(() => read(bad)).code).toBe('tar-bad-header');
  });

  it('reads octal and GNU base-256 numeric fields', () => {
    const header = tarHeader({ name: 'n', data: 'abc' });
    expect(readNumber(header, 124, 12)).toBe(3);
    const big = new Uint8Array(12);
    big[0] = 0x80;
    big[7] = 0x02; // 2 << 32
    expect(readNumber(big, 0, 12)).toBe(2 * 2 ** 32);
  });
});
