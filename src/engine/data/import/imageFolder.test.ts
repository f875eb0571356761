import { describe, expect, it } from 'vitest';
import { FolderDatasetBuilder, HOLD_OUT, planImageFolder } from './imageFolder';
import { failure } from './failure.fixture';

function expectImportError(f: () => unknown, code: string, message: RegExp): void {
  const e = failure(f);
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
}

describe('planImageFolder', () => {
  it('uses train/ and test/ folders as the split and class folder names as sorted labels', () => {
    const plan = planImageFolder([
      'pets/train/dog/b.jpg',
      'pets/train/cat/a.png',
      'pets/test/cat/c.PNG',
      'pets/val/dog/d.jpeg',
      'pets/train/dog/a.JPG',
      'pets/readme.txt',
    ]);
    expect(plan.name).toBe('pets');
    expect(plan.classNames).toEqual(['cat', 'dog']);
    expect(plan.counts).toEqual({ train: 3, test: 2 });
    expect(plan.skipped).toEqual(['pets/readme.txt']);
    const byPath = Object.fromEntries(plan.items.map((i) => [i.path, [i.split, i.label, i.slot]]));
    expect(byPath).toEqual({
      'pets/test/cat/c.PNG': ['test', 0, 0],
      'pets/train/cat/a.png': ['train', 0, 0],
      'pets/train/dog/a.JPG': ['train', 1, 1],
      'pets/train/dog/b.jpg': ['train', 1, 2],
      'pets/val/dog/d.jpeg': ['test', 1, 1],
    });
  });

  it('without split folders holds out every fifth image of each class, in path order', () => {
    const paths = [
      'shapes/a/1.png',
      'shapes/a/2.png',
      'shapes/a/3.png',
      'shapes/a/4.png',
      'shapes/a/5.png',
      'shapes/a/6.png',
      'shapes/b/1.png',
      'shapes/b/2.png',
      'shapes/b/3.png',
      'shapes/b/4.png',
      'shapes/b/5.png',
    ];
    const plan = planImageFolder(paths);
    expect(HOLD_OUT).toBe(5);
    expect(plan.items.filter((i) => i.split === 'test').map((i) => i.path)).toEqual(['shapes/a/5.png', 'shapes/b/5.png']);
    expect(plan.counts).toEqual({ train: 9, test: 2 });
  });

  it('refuses folders without images, with one class, a class without training images, or nothing to test on', () => {
    expectImportError(() => planImageFolder(['x/notes.txt', 'x/a/b.gif']), 'no-images', /No PNG or JPEG.*notes\.txt/);
    expectImportError(() => planImageFolder(['x/cat/1.png', 'x/cat/2.png']), 'too-few-classes', /"cat"/);
    expectImportError(() => planImageFolder(['x/train/cat/1.png', 'x/test/cat/2.png', 'x/test/dog/3.png']), 'too-few-classes', /"dog" has no training/);
    expectImportError(() => planImageFolder(['x/cat/1.png', 'x/dog/2.png']), 'missing-test', /too few images/);
  });
});

describe('FolderDatasetBuilder', () => {
  it('drops alpha and writes NHWC pixels into the planned slots', () => {
    const plan = planImageFolder(['p/train/a/1.png', 'p/train/b/2.png', 'p/test/a/3.png']);
    const b = new FolderDatasetBuilder(plan, 2);
    const rgba = (v: number) => Uint8Array.from({ length: 16 }, (_, i) => (i % 4 === 3 ? 255 : v + i));
    for (const [k, item] of plan.items.entries()) b.put(item, rgba(10 * k));
    const d = b.finish();
    expect(d).toMatchObject({ name: 'p', classNames: ['a', 'b'], height: 2, width: 2 });
    expect(Array.from(d.test.images)).toEqual([0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14]); // item 0 = p/test/a/3.png
    expect(Array.from(d.train.labels)).toEqual([0, 1]);
    expect(Array.from(d.train.images.subarray(12, 15))).toEqual([20, 21, 22]);
    expect(() => b.put(plan.items[0]!, new Uint8Array(3))).toThrow(/expected 16/);
  });

  it('refuses to finish before every image was decoded', () => {
    const plan = planImageFolder(['p/train/a/1.png', 'p/train/b/2.png', 'p/test/a/3.png']);
    expect(() => new FolderDatasetBuilder(plan, 2).finish()).toThrow(/0 of 3/);
  });
});
