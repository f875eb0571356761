/** Reads a .tar.gz (or a plain .tar, as Safari leaves it after auto-unzipping) chunk by chunk into a TarReader. */
import { GunzipStream, isGzip } from './gunzipStream';
import { ImportError } from './importError';
import { TarReader } from './tar';
import type { TarEntryHandler } from './tar';

/** Bytes needed to recognise a plain tar: the ustar magic sits at offset 257. */
const SNIFF = 263;

interface ByteSink {
  push(chunk: Uint8Array): void;
  end(): void;
}

/** Push-based archive reader: entries go to `onEntry`; never holds more than one decompressed chunk at a time. */
export class ArchiveReader {
  private readonly tar: TarReader;
  private sink: ByteSink | null = null;
  private head = new Uint8Array(0);

  /** `label` names the archive in error messages (e.g. "cifar-10-binary.tar.gz"). */
  constructor(
    onEntry: TarEntryHandler,
    private readonly label = 'The file',
  ) {
    this.tar = new TarReader(onEntry);
  }

  /** Feed the next bytes of the (compressed) archive. */
  push(chunk: Uint8Array): void {
    this.named(() => this.pushInner(chunk));
  }

  /** Signal the end of input; throws ImportError if the archive is empty, of an unknown kind, or incomplete. */
  end(): void {
    this.named(() => this.endInner());
  }

  /** Run a step; an ImportError from the gzip or tar layer that does not name the archive gets its name in front. */
  private named(step: () => void): void {
    try {
      step();
    } catch (err) {
      if (err instanceof ImportError && !err.message.startsWith(this.label)) throw new ImportError(err.code, `${this.label}: ${err.message}`);
      throw err;
    }
  }

  private pushInner(chunk: Uint8Array): void {
    if (this.sink) return this.sink.push(chunk);
    const head = new Uint8Array(this.head.length + chunk.length);
    head.set(this.head);
    head.set(chunk, this.head.length);
    this.head = head;
    const decided = (head.length >= 3 && isGzip(head)) || head.length >= SNIFF;
    if (decided) this.choose();
  }

  private endInner(): void {
    if (!this.sink) {
      if (this.head.length === 0) throw new ImportError('empty-file', `${this.label} is empty (0 bytes).`);
      this.choose();
    }
    this.sink?.end();
  }

  /** Pick gzip or plain tar from the buffered first bytes, then replay them into the chosen pipeline. */
  private choose(): void {
    const head = this.head;
    const tar = this.tar;
    if (isGzip(head)) {
      const gunzip = new GunzipStream((data) => tar.push(data));
      this.sink = {
        push: (c) => gunzip.push(c),
        end: () => {
          gunzip.end();
          tar.end();
        },
      };
    } else if (head.length >= SNIFF && String.fromCharCode(...head.subarray(257, 262)) === 'ustar') {
      this.sink = tar;
    } else {
      throw new ImportError(
        'not-gzip',
        `${this.label} is not a .tar.gz archive: it does not start with the gzip signature (1f 8b) and is not a tar file either.`,
      );
    }
    this.head = new Uint8Array(0);
    this.sink.push(head);
  }
}
