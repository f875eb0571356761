/** Decoding of one 512-byte ustar / GNU / v7 tar header block and of PAX extended-header records. */
import { ImportError } from './importError';

export const BLOCK = 512;

/** What an entry is; 'pax' / 'pax-global' / 'gnu-longname' / 'gnu-longlink' describe the entry that follows. */
export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other' | 'pax' | 'pax-global' | 'gnu-longname' | 'gnu-longlink';

export interface TarHeader {
  /** Path inside the archive: the ustar `prefix` + '/' + `name` when the prefix is set. */
  name: string;
  /** Size from the header's size field (data blocks that follow, before padding). */
  size: number;
  type: TarEntryType;
}

const utf8 = new TextDecoder('utf-8');

/** Text of a NUL-terminated field of `block` (UTF-8). */
export function readString(block: Uint8Array, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const nul = field.indexOf(0);
  return utf8.decode(nul < 0 ? field : field.subarray(0, nul));
}

/** A numeric field: octal digits (space/NUL padded) or GNU base-256 when the top bit is set; NaN if malformed. */
export function readNumber(block: Uint8Array, start: number, length: number): number {
  const first = block[start] ?? 0;
  if (first & 0x80) {
    let value = first & 0x3f;
    if (first & 0x40) return NaN; // negative base-256 values never describe a size
    for (let i = start + 1; i < start + length; i++) value = value * 256 + (block[i] ?? 0);
    return value;
  }
  const text = readString(block, start, length).trim();
  if (text === '') return 0;
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

/** True if all 512 bytes are zero (one half of the end-of-archive marker). */
export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** Header checksum: byte sum with the checksum field read as spaces; [unsigned, signed] (old tars used signed). */
function checksums(block: Uint8Array): [number, number] {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return [unsigned, signed];
}

function entryType(flag: number): TarEntryType {
  switch (String.fromCharCode(flag)) {
    case '\0':
    case '0':
    case '7':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '5':
      return 'directory';
    case 'x':
      return 'pax';
    case 'g':
      return 'pax-global';
    case 'L':
      return 'gnu-longname';
    case 'K':
      return 'gnu-longlink';
    default:
      return 'other';
  }
}

/** Decode a non-zero header block found at byte `offset` of the tar stream; throws ImportError on a bad checksum. */
export function parseHeader(block: Uint8Array, offset: number): TarHeader {
  const stored = readNumber(block, 148, 8);
  const [unsigned, signed] = checksums(block);
  if (stored !== unsigned && stored !== signed) {
    const where = offset === 0 ? 'The archive does not start with a tar header' : `The tar header at byte ${offset} is damaged`;
    throw new ImportError(
      'tar-bad-header',
      `${where} (checksum ${unsigned} expected, ${Number.isNaN(stored) ? 'none' : stored} stored): the file is corrupt or not a tar archive.`,
    );
  }
  const type = entryType(block[156] ?? 0);
  // Links, devices, directories and fifos carry no data blocks whatever their size field says.
  const flag = String.fromCharCode(block[156] ?? 0);
  const size = '123456'.includes(flag) ? 0 : readNumber(block, 124, 12);
  if (!Number.isSafeInteger(size)) {
    throw new ImportError('tar-bad-header', `The tar header at byte ${offset} has an unreadable size field: the archive is damaged.`);
  }
  let name = readString(block, 0, 100);
  const posix = readString(block, 257, 6) === 'ustar'; // "ustar\0" (POSIX); GNU writes "ustar  \0" and no prefix
  if (posix) {
    const prefix = readString(block, 345, 155);
    if (prefix) name = `${prefix}/${name}`;
  }
  return { name, size, type };
}

/** PAX extended-header records ("<len> <key>=<value>\n"), as a key → value map; throws ImportError if malformed. */
export function parsePaxRecords(data: Uint8Array, offset: number): Map<string, string> {
  const records = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // some writers pad with NULs
    const space = data.indexOf(0x20, pos);
    const length = space < 0 ? NaN : Number(utf8.decode(data.subarray(pos, space)));
    const end = pos + length;
    if (!Number.isInteger(length) || length <= 0 || end > data.length || data[end - 1] !== 0x0a) {
      throw new ImportError('tar-bad-header', `The PAX extended header at byte ${offset} is malformed: the archive is damaged.`);
    }
    const record = utf8.decode(data.subarray(space + 1, end - 1));
    const eq = record.indexOf('=');
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1));
    pos = end;
  }
  return records;
}
