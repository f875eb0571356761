/** Decoding of CIFAR binary records (label byte(s) + planar CHW 3×32×32 pixels) into NHWC uint8, streaming. */
import { ImportError, formatCount } from './importError';
import { CIFAR_SIDE, KIND_NAME, LABEL_BYTES, RECORD_BYTES } from './cifarFormat';
import type { CifarKind, CifarLabelSet } from './cifarFormat';
import type { SplitBuilder } from './splitBuilder';
import type { TarEntrySink } from './tar';

const PLANE = CIFAR_SIDE * CIFAR_SIDE;

/** Copy one 32×32 RGB image from planar CHW (R plane, G plane, B plane, row-major) to interleaved HWC at `dstOffset`. */
export function planarToNhwc(src: Uint8Array, srcOffset: number, dst: Uint8Array, dstOffset: number): void {
  const g = srcOffset + PLANE;
  const b = srcOffset + 2 * PLANE;
  for (let p = 0, o = dstOffset; p < PLANE; p++, o += 3) {
    dst[o] = src[srcOffset + p]!;
    dst[o + 1] = src[g + p]!;
    dst[o + 2] = src[b + p]!;
  }
}

/** Label byte positions within a record and their exclusive upper bounds, per label set. */
const LABELS: Record<CifarKind, { name: string; index: number; limit: number }[]> = {
  cifar10: [{ name: 'label', index: 0, limit: 10 }],
  cifar100: [
    { name: 'coarse label', index: 0, limit: 20 },
    { name: 'fine label', index: 1, limit: 100 },
  ],
};

/**
 * Receives one CIFAR record file in chunks split anywhere (records may straddle chunks) and writes each image as
 * NHWC uint8 straight into `target`, with the label of `labelSet`; validates every label byte.
 */
export class CifarRecordSink implements TarEntrySink {
  private readonly recordBytes: number;
  private readonly carry: Uint8Array;
  private carryFill = 0;
  private records = 0;
  private readonly labelIndex: number;

  constructor(
    private readonly path: string,
    private readonly kind: CifarKind,
    labelSet: CifarLabelSet,
    private readonly target: SplitBuilder,
    private readonly expectedRecords: number,
  ) {
    this.recordBytes = RECORD_BYTES[kind];
    this.carry = new Uint8Array(this.recordBytes);
    this.labelIndex = labelSet === 'fine' ? 1 : 0;
  }

  /** Decode every record completed by `chunk`; keep a partial trailing record for the next chunk. */
  write(chunk: Uint8Array): void {
    const size = this.recordBytes;
    let pos = 0;
    if (this.carryFill > 0) {
      pos = Math.min(size - this.carryFill, chunk.length);
      this.carry.set(chunk.subarray(0, pos), this.carryFill);
      this.carryFill += pos;
      if (this.carryFill < size) return;
      this.decode(this.carry, 0);
      this.carryFill = 0;
    }
    for (; pos + size <= chunk.length; pos += size) this.decode(chunk, pos);
    if (pos < chunk.length) {
      this.carry.set(chunk.subarray(pos));
      this.carryFill = chunk.length - pos;
    }
  }

  /** The file is complete: every announced record must have arrived, whole. */
  end(): void {
    if (this.carryFill > 0 || this.records !== this.expectedRecords) {
      throw new ImportError(
        'record-size',
        `${this.path} ended after ${formatCount(this.records)} of ${formatCount(this.expectedRecords)} ${KIND_NAME[this.kind]} records: the file is incomplete.`,
      );
    }
  }

  private decode(src: Uint8Array, offset: number): void {
    if (this.records === this.expectedRecords) {
      throw new ImportError('record-size', `${this.path} holds more data than its announced size: the archive is damaged.`);
    }
    for (const { name, index, limit } of LABELS[this.kind]) {
      const value = src[offset + index]!;
      if (value >= limit) {
        throw new ImportError(
          'label-range',
          `${this.path}: image ${formatCount(this.records + 1)} has ${name} ${value}, but ${KIND_NAME[this.kind]} ${name}s run from 0 to ${limit - 1}: the file is damaged or not a ${KIND_NAME[this.kind]} file.`,
        );
      }
    }
    planarToNhwc(src, offset + LABEL_BYTES[this.kind], this.target.images, this.target.nextImageOffset);
    this.target.commit(src[offset + this.labelIndex]!);
    this.records++;
  }
}
