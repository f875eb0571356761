/** Streaming gzip decompression (fflate's Gunzip) with the checks fflate skips: magic, CRC-32 and length trailer. */
import { Gunzip } from 'fflate';
import { crc32 } from './crc32';
import { ImportError } from './importError';

const MAGIC = [0x1f, 0x8b, 0x08];
/** Smaller input chunks are gathered up to this size first: fflate copies its 32 kB window on every push. */
const MIN_PUSH = 16 * 1024;
/** A gzip member is at least a 10-byte header, an empty deflate block (2 bytes) and an 8-byte trailer. */
const MIN_GZIP = 20;

/** True if `head` starts with the gzip signature 1f 8b and the deflate method byte. */
export function isGzip(head: Uint8Array): boolean {
  return MAGIC.every((b, i) => head[i] === b);
}

/**
 * Push-based gunzip: `push` compressed chunks of any size, decompressed chunks go to `onData` as they are produced
 * (never the whole output at once), `end` verifies the trailer. Throws ImportError ('empty-file' | 'not-gzip' |
 * 'gzip-corrupt' | 'gzip-truncated'); errors thrown by `onData` pass through unchanged.
 */
export class GunzipStream {
  private readonly inflater: Gunzip;
  private readonly head = new Uint8Array(MAGIC.length);
  private readonly tail = new Uint8Array(8);
  private readonly pending = new Uint8Array(MIN_PUSH);
  private pendingFill = 0;
  private inputBytes = 0;
  private crc = 0;
  private outputBytes = 0;
  private failed = false;

  constructor(private readonly onData: (chunk: Uint8Array) => void) {
    this.inflater = new Gunzip((data) => this.emit(data));
    // Multi-member gzip: the checksum restarts with every member; only the last member's trailer is verified.
    this.inflater.onmember = () => {
      this.crc = 0;
      this.outputBytes = 0;
    };
  }

  /** Feed the next compressed bytes. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.guard(() => {
      const before = this.inputBytes;
      this.remember(chunk);
      if (before < MAGIC.length) {
        if (this.inputBytes < MAGIC.length) return; // wait for the whole signature
        if (!isGzip(this.head)) throw notGzip();
        if (before > 0) this.feed(this.head.subarray(0, before));
      }
      this.feed(chunk);
    });
  }

  /** Signal the end of the compressed input and verify it was complete and undamaged. */
  end(): void {
    this.guard(() => {
      if (this.inputBytes === 0) throw new ImportError('empty-file', 'The file is empty (0 bytes).');
      if (this.inputBytes < MAGIC.length || !isGzip(this.head)) throw notGzip();
      this.flush();
      this.inflater.push(new Uint8Array(0), true);
      if (this.inputBytes < MIN_GZIP) throw truncated();
      const view = new DataView(this.tail.buffer);
      const crc = view.getUint32(0, true);
      const size = view.getUint32(4, true);
      if (crc !== this.crc || size !== this.outputBytes % 2 ** 32) {
        throw new ImportError('gzip-corrupt', 'The gzip file is damaged or incomplete (its checksum does not match the content): please download it again.');
      }
    });
  }

  /** Pass `chunk` to fflate, gathering small chunks into one push of at least MIN_PUSH bytes. */
  private feed(chunk: Uint8Array): void {
    if (this.pendingFill === 0 && chunk.length >= MIN_PUSH) return this.inflater.push(chunk, false);
    let pos = 0;
    while (pos < chunk.length) {
      const n = Math.min(MIN_PUSH - this.pendingFill, chunk.length - pos);
      this.pending.set(chunk.subarray(pos, pos + n), this.pendingFill);
      this.pendingFill += n;
      pos += n;
      if (this.pendingFill === MIN_PUSH) this.flush();
    }
  }

  private flush(): void {
    if (this.pendingFill === 0) return;
    const data = this.pending.slice(0, this.pendingFill); // fflate may keep a reference to unconsumed input
    this.pendingFill = 0;
    this.inflater.push(data, false);
  }

  private emit(data: Uint8Array): void {
    if (data.length === 0) return;
    this.crc = crc32(data, this.crc);
    this.outputBytes += data.length;
    this.onData(data);
  }

  /** Keep the first bytes (signature) and the last 8 bytes (trailer) of the input. */
  private remember(chunk: Uint8Array): void {
    for (let i = this.inputBytes; i < MAGIC.length && i - this.inputBytes < chunk.length; i++) {
      this.head[i] = chunk[i - this.inputBytes]!;
    }
    this.inputBytes += chunk.length;
    if (chunk.length >= 8) {
      this.tail.set(chunk.subarray(chunk.length - 8));
    } else {
      this.tail.copyWithin(0, chunk.length);
      this.tail.set(chunk, 8 - chunk.length);
    }
  }

  /** Run `f`; translate fflate's errors into ImportErrors and refuse further use after any failure. */
  private guard(f: () => void): void {
    if (this.failed) throw new Error('GunzipStream: used after an error');
    try {
      f();
    } catch (e) {
      this.failed = true;
      if (e instanceof ImportError || !isFflateError(e)) throw e;
      if (e.message === 'unexpected EOF') throw truncated();
      throw new ImportError('gzip-corrupt', `The gzip data is damaged (${e.message}): please download the file again.`);
    }
  }
}

function isFflateError(e: unknown): e is Error & { code: number } {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'number';
}

function notGzip(): ImportError {
  return new ImportError('not-gzip', 'The file is not gzip-compressed (it does not start with the gzip signature 1f 8b): expected a .tar.gz archive.');
}

function truncated(): ImportError {
  return new ImportError('gzip-truncated', 'The gzip file ends too early: it is incomplete (was the download interrupted?).');
}
