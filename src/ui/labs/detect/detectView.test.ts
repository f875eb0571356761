import { PEOPLE_ID, PEOPLE_NAMES, PEOPLE_REALISTIC_ID } from '../../../protocol/labs/detect';
import { describe, expect, it } from 'vitest';
import {
  attentionRgba,
  boxesAbove,
  clipBox,
  formatMs,
  letterboxRect,
  noBoxNote,
  paneThreshold,
  sceneWithLargestPerson,
  weightRange,
  zooKey,
  zooSceneStyles,
} from './detectView';

const q = (query: number, score: number) => ({ query, score, box: { x1: 0, y1: 0, x2: 1, y2: 1 } });

describe('letterboxRect', () => {
  it('fits a tall photo by its height and centres it with grey bars left and right', () => {
    // 300×600 into 256×128: scale 128/600, width 64.
    expect(letterboxRect(300, 600, 256, 128)).toEqual({ x: 96, y: 0, width: 64, height: 128, scale: 128 / 600 });
  });
  it('fits a wide photo by its width, bars above and below', () => {
    expect(letterboxRect(1000, 250, 256, 128)).toEqual({ x: 0, y: 32, width: 256, height: 64, scale: 0.256 });
  });
  it('keeps an image of the frame size as it is, and scales small images up', () => {
    expect(letterboxRect(256, 128, 256, 128)).toEqual({ x: 0, y: 0, width: 256, height: 128, scale: 1 });
    expect(letterboxRect(64, 64, 256, 128)).toEqual({ x: 64, y: 0, width: 128, height: 128, scale: 2 });
  });
  it('refuses an empty image', () => {
    expect(() => letterboxRect(0, 10, 256, 128)).toThrow(/0×10/);
  });
});

describe('paneThreshold', () => {
  it('takes the detector’s suggestion in own mode when it has one, else the slider', () => {
    expect(paneThreshold(0.77, true, 0.5)).toEqual({ value: 0.77, fromModel: true });
    expect(paneThreshold(0.77, false, 0.5)).toEqual({ value: 0.5, fromModel: false });
    expect(paneThreshold(null, true, 0.3)).toEqual({ value: 0.3, fromModel: false });
  });
});

describe('boxesAbove', () => {
  it('keeps the queries at or above the threshold, best first', () => {
    expect(boxesAbove([q(0, 0.2), q(1, 0.9), q(2, 0.5), q(3, 0.49)], 0.5).map((x) => x.query)).toEqual([1, 2]);
    expect(boxesAbove([q(0, 0.2)], 0.5)).toEqual([]);
  });
});

describe('noBoxNote', () => {
  it('names the best score when nothing reaches the threshold, and says nothing when a box is drawn or no query came back', () => {
    expect(noBoxNote([q(0, 0.2), q(1, 0.517), q(2, 0.4)], 0.74, 0)).toBe(
      'No box scores 0.74 or more here; its best query scores 0.52: lower the threshold to see its boxes.',
    );
    expect(noBoxNote([q(0, 0.9)], 0.74, 0)).toBe('Its best boxes (score 0.90 and up) lie outside the image.');
    expect(noBoxNote([q(0, 0.9)], 0.74, 1)).toBeNull();
    expect(noBoxNote([], 0.74, 0)).toBeNull();
  });
});

describe('clipBox', () => {
  it('clips to the frame and drops boxes outside it', () => {
    expect(clipBox({ x1: -5, y1: 10, x2: 300, y2: 20 }, 256, 128)).toEqual({ x1: 0, y1: 10, x2: 256, y2: 20 });
    expect(clipBox({ x1: 260, y1: 10, x2: 300, y2: 20 }, 256, 128)).toBeNull();
  });
});

describe('attentionRgba', () => {
  it('stretches the map over its range: the peak is yellow at 60 % opacity, the minimum transparent', () => {
    const out = attentionRgba([0.1, 0.2, 0.5, 0.2], 2, 2);
    expect([...out.slice(8, 12)]).toEqual([255, 220, 0, 150]);
    expect([...out.slice(4, 8)]).toEqual([255, 55, 0, 38]);
    expect(out[3]).toBe(0);
  });
  it('leaves a flat map transparent', () => {
    const out = attentionRgba([0.25, 0.25, 0.25, 0.25], 2, 2);
    expect([3, 7, 11, 15].map((i) => out[i])).toEqual([0, 0, 0, 0]);
  });
  it('refuses a map of the wrong size', () => {
    expect(() => attentionRgba([1, 2, 3], 2, 2)).toThrow(/2×2/);
  });
});

describe('formatting and keys', () => {
  it('formats times', () => {
    expect(formatMs(12.345)).toBe('12.3 ms');
    expect(formatMs(0.414)).toBe('0.41 ms');
  });
  it('keys the zoo by what its detectors are, not by order', () => {
    const a = { slot: 'transformer', encoder: 'transformer', origin: 'shipped', steps: 10, seed: 1, ap50: 0.5 };
    const b = { slot: 'conv', encoder: 'conv', origin: 'run-1', steps: 4, seed: 2, ap50: null };
    expect(zooKey([a, b])).toBe(zooKey([b, a]));
    expect(zooKey([a, b])).not.toBe(zooKey([a, { ...b, origin: 'run-2' }]));
  });
});

describe('weightRange and sceneWithLargestPerson', () => {
  it('finds the range of the finite weights', () => {
    expect(weightRange([0.2, NaN, 0.1, 0.7])).toEqual([0.1, 0.7]);
    expect(weightRange([])).toEqual([0, 0]);
  });
  it('picks the scene with the tallest person, ignore regions left out', () => {
    const box = (h: number, ignore = false) => ({ x1: 0, y1: 0, x2: 5, y2: h, ignore });
    expect(
      sceneWithLargestPerson([
        { index: 0, truth: [] },
        { index: 1, truth: [box(10), box(40, true)] },
        { index: 2, truth: [box(30)] },
      ]),
    ).toBe(2);
    expect(sceneWithLargestPerson([])).toBeNull();
  });
});

describe('zooSceneStyles', () => {
  it("reads the built-in styles the zoo's detectors were trained on from their datasets' names, once each, in pane order", () => {
    const classic = PEOPLE_NAMES[PEOPLE_ID]!;
    const realistic = PEOPLE_NAMES[PEOPLE_REALISTIC_ID]!;
    expect(zooSceneStyles([{ dataset: realistic }, { dataset: classic }])).toEqual(['realistic', 'classic']);
    expect(zooSceneStyles([{ dataset: classic }, { dataset: classic }])).toEqual(['classic']);
    expect(zooSceneStyles([{ dataset: 'COCO persons' }, { dataset: 'toString' }])).toEqual([]);
    expect(zooSceneStyles([])).toEqual([]);
  });
});
