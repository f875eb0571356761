import { describe, expect, it } from 'vitest';
import { importFingerprint, type ImportRequest } from './datasets';

const file = (path: string, bytes: number, lastModified = 1_700_000_000_000) => ({
  path,
  file: new File([new Uint8Array(bytes)], path.split('/').pop()!, { lastModified }),
});
const req = (files: ImportRequest['files'], over: Partial<ImportRequest> = {}): ImportRequest => ({ format: 'cifar', labelMode: 'fine', files, ...over });

describe('importFingerprint', () => {
  it('is the same for the same files chosen in another order, and names the file count', () => {
    const a = importFingerprint(req([file('data_batch_1.bin', 10), file('test_batch.bin', 7)]));
    expect(a).toBe(importFingerprint(req([file('test_batch.bin', 7), file('data_batch_1.bin', 10)])));
    expect(a).toMatch(/^2:[0-9a-f]{8}$/);
  });

  it('changes with a file’s size, modification time or path, and with how the files are read', () => {
    const base = importFingerprint(req([file('cifar-100-binary.tar.gz', 10)]));
    expect(importFingerprint(req([file('cifar-100-binary.tar.gz', 11)]))).not.toBe(base);
    expect(importFingerprint(req([file('cifar-100-binary.tar.gz', 10, 5)]))).not.toBe(base);
    expect(importFingerprint(req([file('other.tar.gz', 10)]))).not.toBe(base);
    expect(importFingerprint(req([file('cifar-100-binary.tar.gz', 10)], { labelMode: 'coarse' }))).not.toBe(base);
    const seg = (segFormat: ImportRequest['segFormat']) => importFingerprint(req([file('s/images/1.png', 3)], { format: 'segmentation', segFormat }));
    expect(seg('auto')).not.toBe(seg('camvid11'));
    // CIFAR-100 fine vs coarse matters; for other formats the label mode is not part of the reading.
    expect(importFingerprint(req([file('s/a/1.png', 3)], { format: 'folder', labelMode: 'coarse' }))).toBe(
      importFingerprint(req([file('s/a/1.png', 3)], { format: 'folder', labelMode: 'fine' })),
    );
  });
});
