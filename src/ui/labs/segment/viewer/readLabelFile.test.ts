import { describe, expect, it, vi } from 'vitest';
import { encode } from 'fast-png';
import type { SegLabelsRead } from '../../../../protocol';
import { readLabelFile, type LabelReadContext, type ViewerSource } from './fitImage';

const STREETS = ['sky', 'building', 'road', 'sidewalk', 'vegetation', 'car', 'person', 'pole'];
const STREET_PALETTE = [
  [70, 130, 180],
  [70, 70, 70],
  [128, 64, 128],
  [244, 35, 232],
  [107, 142, 35],
  [0, 0, 142],
  [220, 20, 60],
  [153, 153, 153],
];
const legend = { classNames: STREETS, palette: STREET_PALETTE };

const grey = (width: number, height: number, values: number[]) => encode({ width, height, data: Uint8Array.from(values), channels: 1, depth: 8 });
const rgb = (width: number, height: number, colours: number[][]) => encode({ width, height, data: Uint8Array.from(colours.flat()), channels: 3, depth: 8 });
const file = (bytes: Uint8Array, name: string) => new File([bytes as Uint8Array<ArrayBuffer>], name, { type: 'image/png' });
/** An image of width × height (only its size is read). */
const photo = (width: number, height: number, name = 'photo.png') =>
  ({ key: 'upload-0', name, bitmap: { width, height }, labels: null }) as unknown as ViewerSource;

/** A worker answer (its content is the worker's; here only which request was made matters). */
const answer = (): SegLabelsRead => ({
  width: 2,
  height: 1,
  ids: Uint8Array.from([0, 1]),
  format: 'camvid11',
  classNames: ['Sky', 'Building'],
  street: { classNames: STREETS, table: new Uint8Array(256).fill(255), refusal: null },
});

function context(over: Partial<LabelReadContext> = {}) {
  const readInFormat = vi.fn(async (_bytes: Uint8Array, _name: string, _how: unknown) => answer());
  const fetchLegend = vi.fn(async () => legend);
  const ctx: LabelReadContext = { format: 'auto', legend, dataset: null, fetchLegend, readInFormat, ...over };
  return { ctx, readInFormat, fetchLegend };
}

describe('readLabelFile: which reading a label upload gets', () => {
  it('auto: a grey index PNG goes to the worker’s detection (the importer’s), not read as the models’ own ids', async () => {
    const { ctx, readInFormat } = context();
    const labels = await readLabelFile(file(grey(2, 1, [0, 1]), 'a.png'), photo(2, 1), ctx);
    expect(readInFormat).toHaveBeenCalledWith(expect.any(Uint8Array), 'a.png', { format: 'auto' });
    expect(labels.classes).toMatchObject({ format: 'camvid11', how: 'detected', classNames: ['Sky', 'Building'] });
    expect([...labels.ids]).toEqual([0, 1]);
  });

  it('auto: an RGB PNG of legend colours only (black = ignore) is the models’ own, read here', async () => {
    const { ctx, readInFormat } = context();
    const labels = await readLabelFile(
      file(
        rgb(3, 1, [
          [128, 64, 128],
          [0, 0, 0],
          [220, 20, 60],
        ]),
        'own.png',
      ),
      photo(6, 2),
      ctx,
    );
    expect(readInFormat).not.toHaveBeenCalled();
    expect(labels.classes).toEqual({ format: 'own', how: 'own', classNames: STREETS, street: null });
    expect([...labels.ids]).toEqual([2, 255, 6]);
  });

  it('auto: an RGB PNG with a colour outside the legend (CamVid’s Tree) goes to the worker', async () => {
    const { ctx, readInFormat } = context();
    await readLabelFile(
      file(
        rgb(2, 1, [
          [128, 64, 128],
          [128, 128, 0],
        ]),
        'b_L.png',
      ),
      photo(2, 1),
      ctx,
    );
    expect(readInFormat).toHaveBeenCalledWith(expect.any(Uint8Array), 'b_L.png', { format: 'auto' });
  });

  it("auto with an imported class set: the dataset's own format", async () => {
    const { ctx, readInFormat } = context({ dataset: 'ds-camvid' });
    const labels = await readLabelFile(file(grey(2, 1, [0, 1]), 'c.png'), photo(2, 1), ctx);
    expect(readInFormat).toHaveBeenCalledWith(expect.any(Uint8Array), 'c.png', { dataset: 'ds-camvid' });
    expect(labels.classes.how).toBe('dataset');
  });

  it('a chosen format is asked for; "own" reads grey values as the models’ ids here', async () => {
    const chosen = context({ format: 'cityscapes' });
    const labels = await readLabelFile(file(grey(2, 1, [7, 8]), 'd.png'), photo(2, 1), chosen.ctx);
    expect(chosen.readInFormat).toHaveBeenCalledWith(expect.any(Uint8Array), 'd.png', { format: 'cityscapes' });
    expect(labels.classes.how).toBe('chosen');
    const own = context({ format: 'own' });
    const ids = await readLabelFile(file(grey(2, 1, [7, 255]), 'e.png'), photo(2, 1), own.ctx);
    expect(own.readInFormat).not.toHaveBeenCalled();
    expect([...ids.ids]).toEqual([7, 255]);
    expect(ids.classes.format).toBe('own');
    await expect(readLabelFile(file(grey(2, 1, [8, 0]), 'f.png'), photo(2, 1), own.ctx)).rejects.toThrow(
      /^f\.png: value 8 at pixel \(x 0, y 0\) is not a class id/,
    );
  });

  it('accepts a label of the image’s shape scaled; refuses another shape or a non-PNG with one sentence naming the file', async () => {
    const { ctx, readInFormat } = context();
    await expect(readLabelFile(file(grey(2, 1, [0, 1]), 'half.png'), photo(4, 2), ctx)).resolves.toMatchObject({ width: 2, height: 1 });
    readInFormat.mockClear();
    await expect(readLabelFile(file(grey(3, 1, [0, 1, 2]), 'wide.png'), photo(4, 2, 'street.png'), ctx)).rejects.toThrow(
      "wide.png is 3×1 pixels but street.png is 4×2: a label PNG must have its image's size (or its shape, scaled).",
    );
    await expect(readLabelFile(file(new Uint8Array([1, 2, 3]), 'notes.png'), photo(4, 2), ctx)).rejects.toThrow(/^notes\.png could not be read as a PNG/);
    expect(readInFormat).not.toHaveBeenCalled();
  });
});
