/** Collects the files of one CIFAR import (from an archive or a file list) into an ImageDataset, validating as it goes. */
import type { ImageDataset } from '../dataset';
import { ImportError, formatCount } from './importError';
import {
  CIFAR10_TRAIN_BATCHES,
  CIFAR_PIXELS,
  CIFAR_SIDE,
  DEFAULT_CLASSES,
  KIND_NAME,
  RECORD_BYTES,
  baseName,
  identifyCifarFile,
  parseClassNames,
} from './cifarFormat';
import type { CifarKind, CifarLabelSet, CifarSplitName } from './cifarFormat';
import { CifarRecordSink } from './cifarRecords';
import { SplitBuilder } from './splitBuilder';
import type { TarEntrySink } from './tar';

/** What the import read, for messages: "cifar.tar.gz" (an archive) or "The selected files" (a list). */
export interface ImportSource {
  label: string;
  isList: boolean;
}

/** Class-name files are a few kB; anything larger is not one. */
const MAX_NAMES_BYTES = 1 << 16;
/** How many unrecognised file names a "not a CIFAR archive" message lists. */
const LISTED = 5;

/** Receives every file of an import (`beginFile`, then its data through the returned sink) and builds the dataset. */
export class CifarCollector {
  private kind: CifarKind | null = null;
  private kindFile = '';
  private readonly others: string[] = [];
  private otherCount = 0;
  private readonly byName = new Map<string, string>();
  private readonly splits = { train: new SplitBuilder(CIFAR_PIXELS), test: new SplitBuilder(CIFAR_PIXELS) };
  private readonly filesPerSplit = { train: 0, test: 0 };
  private readonly names: Partial<Record<CifarLabelSet, string[]>> = {};

  constructor(private readonly labelMode: 'fine' | 'coarse') {}

  /** Reserve the exact output size when all file sizes are known up front (a list of extracted files). */
  plan(files: readonly { name: string; size: number }[]): void {
    const totals = { train: 0, test: 0 };
    for (const { name, size } of files) {
      const file = identifyCifarFile(name);
      if (file?.role === 'records' && size % RECORD_BYTES[file.kind] === 0) totals[file.split] += size / RECORD_BYTES[file.kind];
    }
    this.splits.train.reserve(totals.train);
    this.splits.test.reserve(totals.test);
  }

  /** A file of `size` bytes starts: returns the sink for its bytes, or undefined if it is not a CIFAR file. */
  beginFile(path: string, size: number): TarEntrySink | undefined {
    const file = identifyCifarFile(path);
    if (!file) {
      if (this.otherCount++ < LISTED) this.others.push(path);
      return undefined;
    }
    this.setKind(file.kind, path);
    const base = baseName(path);
    const earlier = this.byName.get(base);
    if (earlier !== undefined) {
      throw new ImportError('duplicate-file', `${base} appears twice (${earlier} and ${path}): import only one copy.`);
    }
    this.byName.set(base, path);
    if (file.role === 'names') return this.namesSink(path, size, file.labels);
    const recordBytes = RECORD_BYTES[file.kind];
    if (size === 0 || size % recordBytes !== 0) {
      throw new ImportError(
        'record-size',
        `${path} has ${formatCount(size)} bytes, not a multiple of the ${formatCount(recordBytes)}-byte ${KIND_NAME[file.kind]} record: the file is damaged or incomplete.`,
      );
    }
    const records = size / recordBytes;
    const split = this.splits[file.split];
    // CIFAR-10's five training batches are equal in size: reserve room for the ones still to come, once.
    const batchesLeft = file.kind === 'cifar10' && file.split === 'train' ? CIFAR10_TRAIN_BATCHES - this.filesPerSplit.train : 1;
    split.beginSegment(file.order, records, split.count + records * Math.max(1, batchesLeft));
    this.filesPerSplit[file.split]++;
    const labels: CifarLabelSet = file.kind === 'cifar10' ? 'cifar10' : this.labelMode;
    return new CifarRecordSink(path, file.kind, labels, split, records);
  }

  /** The dataset, once every file has ended; throws ImportError if the import is not a complete CIFAR set. */
  finish(source: ImportSource): ImageDataset {
    const kind = this.kind;
    if (!kind) throw this.notCifar(source);
    for (const split of ['train', 'test'] as const) {
      if (this.filesPerSplit[split] === 0) throw missing(kind, split);
    }
    const labels: CifarLabelSet = kind === 'cifar10' ? 'cifar10' : this.labelMode;
    return {
      name: kind === 'cifar10' ? 'CIFAR-10' : `CIFAR-100 (${this.labelMode})`,
      classNames: this.names[labels] ?? DEFAULT_CLASSES[labels],
      height: CIFAR_SIDE,
      width: CIFAR_SIDE,
      channels: 3,
      train: this.splits.train.finish(),
      test: this.splits.test.finish(),
    };
  }

  private setKind(kind: CifarKind, path: string): void {
    if (this.kind === null) {
      this.kind = kind;
      this.kindFile = path;
    } else if (this.kind !== kind) {
      throw new ImportError(
        'mixed-cifar',
        `This import mixes ${KIND_NAME[this.kind]} files (${this.kindFile}) with ${KIND_NAME[kind]} files (${path}): import one dataset at a time.`,
      );
    }
  }

  private namesSink(path: string, size: number, labels: CifarLabelSet): TarEntrySink {
    if (size > MAX_NAMES_BYTES) {
      throw new ImportError('class-names', `${path} is ${formatCount(size)} bytes, far too large for a list of class names: the file is damaged.`);
    }
    const bytes = new Uint8Array(size);
    let fill = 0;
    return {
      write: (chunk) => {
        bytes.set(chunk, fill);
        fill += chunk.length;
      },
      end: () => {
        this.names[labels] = parseClassNames(path, bytes.subarray(0, fill), labels);
      },
    };
  }

  private notCifar({ label, isList }: ImportSource): ImportError {
    if (this.otherCount === 0) {
      return new ImportError('not-cifar', isList ? 'No files were selected, so there is no CIFAR data.' : `${label} contains no files, so no CIFAR data.`);
    }
    const more = this.otherCount > LISTED ? ` and ${formatCount(this.otherCount - LISTED)} more` : '';
    const python = this.others.some((n) => /batches-py|cifar-100-python|data_batch_\d$|\bmeta$/.test(n));
    const hint = python
      ? 'This looks like the Python (pickle) version; download the binary version instead (cifar-10-binary.tar.gz or cifar-100-binary.tar.gz).'
      : 'Expected the binary version: cifar-10-binary.tar.gz or cifar-100-binary.tar.gz, or the .bin files extracted from it.';
    const subject = isList ? `${label} are not CIFAR files` : `${label} is not a CIFAR archive`;
    return new ImportError('not-cifar', `${subject}: found ${this.others.join(', ')}${more}. ${hint}`);
  }
}

function missing(kind: CifarKind, split: CifarSplitName): ImportError {
  const files =
    kind === 'cifar10' ? (split === 'train' ? 'data_batch_1.bin … data_batch_5.bin' : 'test_batch.bin') : split === 'train' ? 'train.bin' : 'test.bin';
  const what = split === 'train' ? 'training data' : 'test data';
  return new ImportError(`missing-${split}`, `The ${KIND_NAME[kind]} import has no ${what} (${files}): add the missing file or use the whole archive.`);
}
