/**
 * Pins the classic street style bit for bit: shipped model weights and README numbers were measured on these scenes, so a
 * change to the realistic style (or any shared helper) must never move a classic byte. The hashes were computed from the
 * code before the realistic style existed.
 */
import { describe, expect, it } from 'vitest';
import { renderDetectScene } from './detectScenes';
import { renderStreetScene, STREET_SIZES } from './streets';

/** FNV-1a (32 bit) over bytes, continuing from h. */
function fnv(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

function classicHash(size: 'low' | 'high', seed: number, split: 0 | 1, indices: number[]): string {
  const { height, width } = STREET_SIZES[size];
  let h = 0x811c9dc5;
  for (const i of indices) {
    const image = new Uint8Array(height * width * 3);
    const label = new Uint8Array(height * width);
    const inst = new Uint16Array(height * width);
    const boxes = renderStreetScene(seed, split, i, height, width, image, 0, label, 0, inst);
    h = fnv(image, h);
    h = fnv(label, h);
    h = fnv(new Uint8Array(inst.buffer), h);
    h = fnv(new TextEncoder().encode(JSON.stringify(boxes)), h);
  }
  return h.toString(16).padStart(8, '0');
}

function detectHash(seed: number, split: 0 | 1, indices: number[]): string {
  let h = 0x811c9dc5;
  for (const i of indices) {
    const image = new Uint8Array(128 * 256 * 3);
    const label = new Uint8Array(128 * 256);
    const boxes = renderDetectScene(seed, split, i, image, 0, { label });
    h = fnv(image, h);
    h = fnv(label, h);
    h = fnv(new TextEncoder().encode(JSON.stringify(boxes)), h);
  }
  return h.toString(16).padStart(8, '0');
}

const PINS = {
  low: '383e7bb5',
  high: '16fab880',
  lowTest: '60824385',
  detect: 'a576b9ad',
};

describe('classic street style is pinned', () => {
  it('hashes', () => {
    const got = {
      low: classicHash('low', 1, 0, [0, 1, 2, 3, 4, 5, 17, 99]),
      high: classicHash('high', 7, 0, [0, 3, 11]),
      lowTest: classicHash('low', 42, 1, [0, 5, 250]),
      detect: detectHash(3, 0, [0, 1, 2, 9]),
    };
    console.info(JSON.stringify(got));
    expect(got).toEqual(PINS);
  });
});
