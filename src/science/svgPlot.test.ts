import { describe, expect, it } from 'vitest';
import { barPlot, meanSd, niceTicks, scatterPlot } from './svgPlot';

describe('SVG plots for the README pictures', () => {
  it('puts ticks at 1, 2, 5 × 10^k covering the range', () => {
    expect(niceTicks(0, 0.37)).toEqual([0, 0.1, 0.2, 0.3, 0.4]);
    // (0.93 − 0.12) / 5 = 0.162 → step 0.2; (57 − 43) / 5 = 2.8 → step 5
    expect(niceTicks(0.12, 0.93)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(43, 57)).toEqual([40, 45, 50, 55, 60]);
    expect(niceTicks(5, 5)).toEqual([4, 4.5, 5, 5.5, 6]);
  });

  it('mean and sample sd by hand', () => {
    expect(meanSd([1, 2, 3, 4])).toEqual({ mean: 2.5, sd: Math.sqrt(5 / 3) });
    expect(meanSd([7])).toEqual({ mean: 7, sd: 0 });
  });

  it('draws one dot per point, a whisker per error bar, the legend and escaped text', () => {
    const s = scatterPlot({
      title: 'acc <vs> sparsity & more',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'a',
          color: '#f00',
          points: [
            { x: 0, y: 1, yErr: 0.1 },
            { x: 1, y: 0.5 },
          ],
          line: true,
        },
        { name: 'seeds', color: '#f00', points: [{ x: 0.5, y: 0.7 }], faint: true },
      ],
      hLines: [{ y: 0.8, label: 'matched' }],
    });
    expect(s.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(s).toContain('acc &lt;vs&gt; sparsity &amp; more');
    expect(s.match(/<circle /g)).toHaveLength(2 + 1 + 1); // 2 points, 1 faint, 1 legend marker (faint series has none)
    expect(s.match(/<polyline /g)).toHaveLength(1);
    expect(s).toContain('matched');
  });

  it('bars: one rect per bar, a dot per seed, whiskers only with two or more seeds', () => {
    const s = barPlot({
      title: 't',
      yLabel: 'mIoU',
      groups: [
        {
          label: 'none',
          bars: [
            { name: 'bilinear', color: '#00f', values: [0.5, 0.52, 0.54] },
            { name: 'ps', color: '#0f0', values: [0.45] },
          ],
        },
        { label: 'tutor', bars: [{ name: 'bilinear', color: '#00f', values: [] }] },
      ],
    });
    expect(s.match(/<rect /g)).toHaveLength(1 + 1 + 2); // background, plot frame, two bars (the empty one skipped)
    expect(s.match(/<circle cx=/g)).toHaveLength(3 + 1 + 2); // seeds + 2 legend markers
    expect(s.match(/<line /g)!.length).toBeGreaterThanOrEqual(3); // one whisker + two caps for the 3-seed bar
  });
});
