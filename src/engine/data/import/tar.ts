/** Streaming tar reader (ustar, POSIX PAX, GNU long names): bytes in, in chunks of any size; entries and their data out. */
import { ImportError, formatCount } from './importError';
import { BLOCK, isZeroBlock, parseHeader, parsePaxRecords, readString } from './tarHeader';
import type { TarEntryType, TarHeader } from './tarHeader';

/** One archive member; metadata headers (PAX 'x'/'g', GNU 'L'/'K') are applied or skipped, never reported. */
export interface TarEntry {
  /** Full path, with the ustar prefix or a PAX / GNU long name applied. */
  name: string;
  /** Bytes of data that follow (0 for directories and links). */
  size: number;
  type: Exclude<TarEntryType, 'pax' | 'pax-global' | 'gnu-longname' | 'gnu-longlink'>;
}

/** Receives one entry's data: `write` gets views into the input chunk (copy to keep them), then `end` once. */
export interface TarEntrySink {
  write(chunk: Uint8Array): void;
  end(): void;
}

/** Called at each entry header; return a sink to receive its data, or nothing to skip it. */
export type TarEntryHandler = (entry: TarEntry) => TarEntrySink | undefined | void;

/** Largest metadata header (PAX / GNU long name) we buffer. */
const MAX_META = 1 << 20;

type State = 'header' | 'data' | 'meta' | 'padding' | 'done';

/** Push-based tar parser: `push` byte chunks (split anywhere), then `end`; throws ImportError on bad or truncated input. */
export class TarReader {
  private state: State = 'header';
  private readonly block = new Uint8Array(BLOCK);
  private blockFill = 0;
  private offset = 0;
  private remaining = 0;
  private padding = 0;
  private zeroBlocks = 0;
  private entries = 0;
  private failed = false;
  private entry: TarEntry | null = null;
  private lastName = '';
  private sink: TarEntrySink | undefined;
  private meta: { header: TarHeader; at: number; bytes: Uint8Array; fill: number } | null = null;
  private pendingName: string | undefined;
  private pendingSize: number | undefined;

  constructor(private readonly onEntry: TarEntryHandler) {}

  /** True once the end-of-archive marker (two zero blocks) has been read; later bytes are ignored. */
  get finished(): boolean {
    return this.state === 'done';
  }

  /** Feed the next bytes of the archive. */
  push(chunk: Uint8Array): void {
    if (this.failed) throw new Error('TarReader: push after an error');
    try {
      this.consume(chunk);
    } catch (e) {
      this.failed = true;
      throw e;
    }
  }

  /** Signal the end of input; throws ImportError('tar-truncated' | 'empty-file') if the archive is incomplete. */
  end(): void {
    if (this.failed) throw new Error('TarReader: end after an error');
    if (this.state === 'done') return;
    if (this.state === 'header' && this.blockFill === 0 && this.zeroBlocks > 0) return; // a lone zero block is tolerated
    if (this.offset === 0) throw new ImportError('empty-file', 'The archive is empty: it contains no files.');
    let where: string;
    if (this.state === 'data' && this.entry) {
      const got = this.entry.size - this.remaining;
      where = `inside "${this.entry.name}" (${formatCount(got)} of ${formatCount(this.entry.size)} bytes present)`;
    } else if (this.state === 'header' && this.blockFill === 0) {
      where = `after ${this.entries} entries, without its end-of-archive marker`;
    } else {
      const part = this.state === 'header' ? 'an entry header' : this.state === 'padding' ? `the padding after "${this.lastName}"` : 'a metadata header';
      where = `at byte ${formatCount(this.offset)}, inside ${part}`;
    }
    throw new ImportError('tar-truncated', `The tar archive is cut off ${where}: the file is incomplete (was the download interrupted?).`);
  }

  private consume(chunk: Uint8Array): void {
    let pos = 0;
    while (pos < chunk.length) {
      const available = chunk.length - pos;
      if (this.state === 'done') {
        this.offset += available;
        return;
      }
      if (this.state === 'header') {
        const n = Math.min(BLOCK - this.blockFill, available);
        this.block.set(chunk.subarray(pos, pos + n), this.blockFill);
        this.blockFill += n;
        this.offset += n;
        pos += n;
        if (this.blockFill === BLOCK) {
          this.blockFill = 0;
          this.onHeader();
        }
      } else if (this.state === 'padding') {
        const n = Math.min(this.padding, available);
        this.padding -= n;
        this.offset += n;
        pos += n;
        if (this.padding === 0) this.state = 'header';
      } else {
        const n = Math.min(this.remaining, available);
        const part = chunk.subarray(pos, pos + n);
        if (this.state === 'data') this.sink?.write(part);
        else if (this.meta) {
          this.meta.bytes.set(part, this.meta.fill);
          this.meta.fill += n;
        }
        this.remaining -= n;
        this.offset += n;
        pos += n;
        if (this.remaining === 0) this.endBody();
      }
    }
  }

  private onHeader(): void {
    const at = this.offset - BLOCK;
    if (isZeroBlock(this.block)) {
      if (++this.zeroBlocks === 2) this.state = 'done';
      return;
    }
    this.zeroBlocks = 0;
    const header = parseHeader(this.block, at);
    if (header.type === 'pax' || header.type === 'pax-global' || header.type === 'gnu-longname' || header.type === 'gnu-longlink') {
      if (header.size > MAX_META) {
        throw new ImportError('tar-bad-header', `The tar metadata header at byte ${at} claims ${formatCount(header.size)} bytes: the archive is damaged.`);
      }
      this.meta = { header, at, bytes: new Uint8Array(header.size), fill: 0 };
      this.beginBody('meta', header.size);
      return;
    }
    const hasData = header.type === 'file' || header.type === 'other';
    const size = hasData ? (this.pendingSize ?? header.size) : 0;
    this.entry = { name: this.pendingName ?? header.name, size, type: header.type };
    this.lastName = this.entry.name;
    this.pendingName = this.pendingSize = undefined;
    this.entries++;
    this.sink = this.onEntry(this.entry) ?? undefined;
    this.beginBody('data', size);
  }

  private beginBody(state: 'data' | 'meta', size: number): void {
    this.state = state;
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (size === 0) this.endBody();
  }

  private endBody(): void {
    if (this.state === 'data') {
      this.sink?.end();
      this.sink = undefined;
      this.entry = null;
    } else if (this.meta) {
      this.applyMeta(this.meta.header, this.meta.bytes, this.meta.at);
      this.meta = null;
    }
    this.state = this.padding > 0 ? 'padding' : 'header';
  }

  /** PAX 'x' and GNU 'L' rename the next entry (PAX may also resize it); 'g' and 'K' are skipped. */
  private applyMeta(header: TarHeader, bytes: Uint8Array, at: number): void {
    if (header.type === 'gnu-longname') {
      this.pendingName = readString(bytes, 0, bytes.length);
    } else if (header.type === 'pax') {
      const records = parsePaxRecords(bytes, at);
      const path = records.get('path');
      if (path !== undefined) this.pendingName = path;
      const size = records.get('size');
      if (size !== undefined) {
        if (!/^\d+$/.test(size) || !Number.isSafeInteger(Number(size))) {
          throw new ImportError('tar-bad-header', `The PAX header at byte ${at} has an unreadable size "${size}": the archive is damaged.`);
        }
        this.pendingSize = Number(size);
      }
    }
  }
}
