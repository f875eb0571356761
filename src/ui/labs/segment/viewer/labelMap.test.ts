import { describe, expect, it } from 'vitest';
import { encode } from 'fast-png';
import { centreCrop, decodeLabelPng, LabelError, labelIdsFromPng, nearestResize, unpackSamples } from './labelMap';

const PALETTE = [
  [128, 64, 128],
  [70, 70, 70],
  [0, 0, 142],
];

describe('centreCrop', () => {
  it('keeps an image that already has the 1:2 aspect', () => {
    expect(centreCrop(256, 128)).toEqual({ x: 0, y: 0, width: 256, height: 128 });
  });
  it('crops the sides of a wide image', () => {
    expect(centreCrop(1000, 300)).toEqual({ x: 200, y: 0, width: 600, height: 300 });
  });
  it('crops the top and bottom of a tall or square image', () => {
    expect(centreCrop(400, 400)).toEqual({ x: 0, y: 100, width: 400, height: 200 });
    expect(centreCrop(301, 1000)).toEqual({ x: 0, y: 424, width: 301, height: 151 });
  });
  it('never returns an empty rectangle', () => {
    expect(centreCrop(1, 1)).toEqual({ x: 0, y: 0, width: 1, height: 1 });
  });
});

describe('nearestResize', () => {
  it('picks the pixel under each output pixel centre', () => {
    // 4 × 2 map, downscaled to 2 × 1: centres fall on columns 1 and 3 of row 1.
    const src = [0, 1, 2, 3, 4, 5, 6, 7];
    expect([...nearestResize(src, 4, { x: 0, y: 0, width: 4, height: 2 }, 2, 1)]).toEqual([5, 7]);
  });
  it('upscales by repeating pixels', () => {
    expect([...nearestResize([1, 2], 2, { x: 0, y: 0, width: 2, height: 1 }, 4, 2)]).toEqual([1, 1, 2, 2, 1, 1, 2, 2]);
  });
  it('reads only inside the crop rectangle', () => {
    // 4 × 4 ids = index; the centre 2 × 2 crop, kept at 2 × 2.
    const src = Array.from({ length: 16 }, (_, i) => i);
    expect([...nearestResize(src, 4, { x: 1, y: 1, width: 2, height: 2 }, 2, 2)]).toEqual([5, 6, 9, 10]);
  });
  it('matches an independent computation on a crop of a random map', () => {
    const w = 37,
      h = 23;
    const src = Array.from({ length: w * h }, (_, i) => (i * 7919) % 251);
    const rect = centreCrop(w, h);
    const out = nearestResize(src, w, rect, 8, 4);
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 8; x++) {
        const sx = rect.x + Math.floor(((x + 0.5) / 8) * rect.width);
        const sy = rect.y + Math.floor(((y + 0.5) / 4) * rect.height);
        expect(out[y * 8 + x]).toBe(src[sy * w + sx]);
      }
  });
});

describe('unpackSamples', () => {
  it('unpacks 2-bit rows (each row starts on a byte)', () => {
    // width 3, 2-bit: row bytes 0b00011011 (0,1,2 + pad) and 0b11100100 (3,2,1 + pad).
    const data = new Uint8Array([0b00011011, 0b11100100]);
    expect(Array.from(unpackSamples({ width: 3, height: 2, channels: 1, depth: 2, data }))).toEqual([0, 1, 2, 3, 2, 1]);
  });
});

describe('labelIdsFromPng', () => {
  it('reads grey values as class ids, 255 as ignore', () => {
    const png = { width: 2, height: 2, channels: 1, depth: 8 as const, data: new Uint8Array([0, 1, 2, 255]) };
    expect([...labelIdsFromPng(png, PALETTE)]).toEqual([0, 1, 2, 255]);
  });
  it('refuses a grey value that is no class id, naming it and its position', () => {
    const png = { width: 2, height: 2, channels: 1, depth: 8 as const, data: new Uint8Array([0, 1, 2, 7]) };
    expect(() => labelIdsFromPng(png, PALETTE, 'a.png')).toThrow(/a\.png: value 7 at pixel \(x 1, y 1\) is not a class id \(0–2/);
  });
  it('maps RGB colours through the palette exactly; black is ignore', () => {
    const data = new Uint8Array([128, 64, 128, 0, 0, 142, 0, 0, 0, 70, 70, 70]);
    expect([...labelIdsFromPng({ width: 4, height: 1, channels: 3, depth: 8, data }, PALETTE)]).toEqual([0, 2, 255, 1]);
  });
  it('refuses an unknown colour, naming it and its position', () => {
    const data = new Uint8Array([128, 64, 128, 255, 128, 64, 128, 255, 70, 70, 71, 255, 0, 0, 0, 255]);
    const png = { width: 2, height: 2, channels: 4, depth: 8 as const, data };
    expect(() => labelIdsFromPng(png, PALETTE, 'b.png')).toThrow(LabelError);
    expect(() => labelIdsFromPng(png, PALETTE, 'b.png')).toThrow(/colour #464647 \(rgb 70, 70, 71\) at pixel \(x 0, y 1\)/);
  });
  it('ignores fully transparent RGBA pixels whatever their colour', () => {
    const data = new Uint8Array([1, 2, 3, 0, 70, 70, 70, 255]);
    expect([...labelIdsFromPng({ width: 2, height: 1, channels: 4, depth: 8, data }, PALETTE)]).toEqual([255, 1]);
  });
  it('uses a class colour before the black ignore colour', () => {
    const data = new Uint8Array([0, 0, 0]);
    expect([
      ...labelIdsFromPng({ width: 1, height: 1, channels: 3, depth: 8, data }, [
        [9, 9, 9],
        [0, 0, 0],
      ]),
    ]).toEqual([1]);
  });
  it('accepts any grey value when the classes are not known yet, but no colour PNG', () => {
    const grey = { width: 2, height: 1, channels: 1, depth: 8 as const, data: new Uint8Array([40, 255]) };
    expect([...labelIdsFromPng(grey, null)]).toEqual([40, 255]);
    const rgb = { width: 1, height: 1, channels: 3, depth: 8 as const, data: new Uint8Array([1, 2, 3]) };
    expect(() => labelIdsFromPng(rgb, null, 'c.png')).toThrow(/c\.png is a colour PNG, but the class colours are not known/);
  });
  it('refuses 16-bit PNGs', () => {
    const png = { width: 1, height: 1, channels: 1, depth: 16 as const, data: new Uint16Array([1]) };
    expect(() => labelIdsFromPng(png, PALETTE)).toThrow(/16-bit/);
  });
});

describe('decodeLabelPng', () => {
  it('decodes a grey PNG exactly', () => {
    const bytes = encode({ width: 3, height: 1, channels: 1, depth: 8, data: new Uint8Array([2, 255, 0]) });
    expect(decodeLabelPng(bytes, PALETTE)).toEqual({ width: 3, height: 1, ids: new Uint8Array([2, 255, 0]) });
  });
  it('decodes an indexed PNG by its index values', () => {
    const bytes = encode({
      width: 2,
      height: 1,
      channels: 1,
      depth: 8,
      data: new Uint8Array([1, 2]),
      palette: [
        [9, 9, 9],
        [1, 1, 1],
        [2, 2, 2],
      ],
    });
    expect([...decodeLabelPng(bytes, PALETTE).ids]).toEqual([1, 2]);
  });
  it('decodes an RGB PNG through the palette', () => {
    const bytes = encode({ width: 2, height: 1, channels: 3, depth: 8, data: new Uint8Array([0, 0, 142, 128, 64, 128]) });
    expect([...decodeLabelPng(bytes, PALETTE).ids]).toEqual([2, 0]);
  });
  it('refuses bytes that are not a PNG with a sentence naming the file', () => {
    expect(() => decodeLabelPng(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), PALETTE, 'photo.jpg')).toThrow(/photo\.jpg could not be read as a PNG/);
  });
});
