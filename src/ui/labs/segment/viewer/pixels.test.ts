import { describe, expect, it } from 'vitest';
import { formatMs, overlayRgba, percentOrDash, rgbaToRgb, rgbToRgba } from './pixels';

describe('rgbaToRgb / rgbToRgba', () => {
  it('drops and restores the alpha channel', () => {
    expect([...rgbaToRgb([1, 2, 3, 4, 5, 6, 7, 8])]).toEqual([1, 2, 3, 5, 6, 7]);
    expect([...rgbToRgba([1, 2, 3, 5, 6, 7])]).toEqual([1, 2, 3, 255, 5, 6, 7, 255]);
  });
});

describe('overlayRgba', () => {
  const rgb = [100, 100, 100, 0, 0, 0, 10, 20, 30];
  const palette = [
    [200, 0, 0],
    [0, 200, 100],
  ];
  it('blends each class colour over the image at the opacity', () => {
    // 0.5: (100+200)/2=150, (100+0)/2=50; pixel 2: (0+0)/2, (0+200)/2, (0+100)/2.
    const out = overlayRgba(rgb, [0, 1, 255], palette, 0.5);
    expect([...out]).toEqual([150, 50, 50, 255, 0, 100, 50, 255, 10, 20, 30, 255]);
  });
  it('shows the image alone at 0 and the colours alone at 1', () => {
    expect([...overlayRgba(rgb, [0, 1, 0], palette, 0)]).toEqual([100, 100, 100, 255, 0, 0, 0, 255, 10, 20, 30, 255]);
    expect([...overlayRgba(rgb, [0, 1, 0], palette, 1)]).toEqual([200, 0, 0, 255, 0, 200, 100, 255, 200, 0, 0, 255]);
  });
  it('leaves ids without a palette colour untouched', () => {
    expect([...overlayRgba([50, 60, 70], [9], palette, 0.7)]).toEqual([50, 60, 70, 255]);
  });
});

describe('formatting', () => {
  it('formats shares and times', () => {
    expect(percentOrDash(0.9134)).toBe('91.3%');
    expect(percentOrDash(null)).toBe('—');
    expect(formatMs(12.345)).toBe('12.3 ms');
    expect(formatMs(0.414)).toBe('0.41 ms');
  });
});
