/** Test-only tar writer: real ustar / GNU / v7 headers with correct checksums, PAX records, end-of-archive blocks. */

export interface TarSpec {
  name: string;
  data?: Uint8Array | string;
  /** Type flag character: '0' file (default), '5' directory, 'x' PAX, 'g' PAX global, 'L' GNU long name. */
  type?: string;
  /** ustar prefix field (POSIX only). */
  prefix?: string;
  /** Header magic: POSIX "ustar\0" + "00" (default), GNU "ustar  \0", or none (v7). */
  magic?: 'posix' | 'gnu' | 'v7';
}

const encoder = new TextEncoder();

function bytesOf(data: Uint8Array | string | undefined): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : (data ?? new Uint8Array(0));
}

function put(block: Uint8Array, at: number, text: string): void {
  block.set(encoder.encode(text), at);
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0');
}

/** One 512-byte header for `spec` (size = its data length). */
export function tarHeader(spec: TarSpec): Uint8Array {
  const block = new Uint8Array(512);
  const size = bytesOf(spec.data).length;
  put(block, 0, spec.name);
  put(block, 100, octal(0o644, 8));
  put(block, 108, octal(0, 8));
  put(block, 116, octal(0, 8));
  put(block, 124, octal(size, 12));
  put(block, 136, octal(1_600_000_000, 12));
  put(block, 156, spec.type ?? '0');
  const magic = spec.magic ?? 'posix';
  if (magic === 'posix') put(block, 257, 'ustar\u000000');
  if (magic === 'gnu') put(block, 257, 'ustar  \u0000');
  if (magic !== 'v7') {
    put(block, 265, 'user');
    put(block, 297, 'group');
  }
  if (spec.prefix) put(block, 345, spec.prefix);
  block.fill(0x20, 148, 156);
  const sum = block.reduce((a, b) => a + b, 0);
  put(block, 148, `${octal(sum, 7)}\u0000 `);
  return block;
}

/** Header + data + padding to 512 for one entry. */
export function tarEntry(spec: TarSpec): Uint8Array {
  const data = bytesOf(spec.data);
  const out = new Uint8Array(512 + Math.ceil(data.length / 512) * 512);
  out.set(tarHeader(spec));
  out.set(data, 512);
  return out;
}

/** PAX extended-header body: "<len> <key>=<value>\n" records, len counting itself. */
export function paxRecords(records: Record<string, string>): string {
  return Object.entries(records)
    .map(([key, value]) => {
      const body = ` ${key}=${value}\n`;
      let length = encoder.encode(body).length + 1;
      while (String(length).length + encoder.encode(body).length !== length) length++;
      return `${length}${body}`;
    })
    .join('');
}

/** Concatenate byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A whole archive: the entries, then `endBlocks` zero blocks (2 = the standard end-of-archive marker). */
export function makeTar(specs: readonly TarSpec[], endBlocks = 2): Uint8Array {
  return concat([...specs.map(tarEntry), new Uint8Array(512 * endBlocks)]);
}
