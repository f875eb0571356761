/**
 * Two small chart kinds written as standalone SVG text for the README's result pictures (issue #13 item 8): a scatter
 * with optional lines and error bars (accuracy-vs-sparsity fronts), and grouped bars with error bars and every seed
 * as a dot (mIoU by chain × upscaling). No DOM and no dependencies: scripts in Node write the files.
 */

export interface PlotPoint {
  x: number;
  y: number;
  /** Half-widths of the error bars (e.g. one standard deviation over seeds). */
  xErr?: number;
  yErr?: number;
}

export interface ScatterSeries {
  name: string;
  color: string;
  points: PlotPoint[];
  /** Join the points in the given order. */
  line?: boolean;
  dashed?: boolean;
  /** Draw the points as small hollow dots (e.g. single seeds behind the means). */
  faint?: boolean;
}

export interface ScatterOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ScatterSeries[];
  width?: number;
  height?: number;
  /** Axis ranges (default: the data's, padded, on nice ticks). */
  x?: [number, number];
  y?: [number, number];
  /** Horizontal reference lines, e.g. the matched accuracy. */
  hLines?: { y: number; label: string }[];
  /** Format of the tick labels (default: up to 3 significant digits). */
  xFormat?: (v: number) => string;
  yFormat?: (v: number) => string;
  /** A line of small print under the plot (settings, seeds, machine). */
  note?: string;
}

/** Ticks at 1, 2 or 5 × 10^k covering [lo, hi] with about `count` intervals; the range is widened to the outer ticks. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) [lo, hi] = [lo - 1, lo + 1];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const first = Math.floor(lo / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v < hi + step - 1e-9 * step; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number) => Number(v.toFixed(2)).toString();
const fmt = (v: number) => Number(v.toPrecision(3)).toString();

interface Frame {
  left: number;
  top: number;
  w: number;
  h: number;
  sx: (v: number) => number;
  sy: (v: number) => number;
}

function axes(f: Frame, xt: number[], yt: number[], xf: (v: number) => string, yf: (v: number) => string, xLabel: string, yLabel: string): string[] {
  const out: string[] = [];
  for (const t of yt) {
    const y = num(f.sy(t));
    out.push(`<line x1="${f.left}" y1="${y}" x2="${f.left + f.w}" y2="${y}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${f.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${esc(yf(t))}</text>`);
  }
  for (const t of xt) {
    const x = num(f.sx(t));
    out.push(`<line x1="${x}" y1="${f.top}" x2="${x}" y2="${f.top + f.h}" stroke="#f3f4f6"/>`);
    out.push(`<text x="${x}" y="${f.top + f.h + 16}" text-anchor="middle">${esc(xf(t))}</text>`);
  }
  out.push(`<rect x="${f.left}" y="${f.top}" width="${f.w}" height="${f.h}" fill="none" stroke="#9ca3af"/>`);
  out.push(`<text x="${f.left + f.w / 2}" y="${f.top + f.h + 36}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${f.top + f.h / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  return out;
}

function svg(width: number, height: number, title: string, body: string[], note?: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" fill="#111827">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    ...body,
    ...(note ? [`<text x="8" y="${height - 8}" font-size="10" fill="#6b7280">${esc(note)}</text>`] : []),
    '</svg>',
    '',
  ].join('\n');
}

function legend(x: number, y: number, items: { name: string; color: string; dashed?: boolean }[]): string[] {
  return items.flatMap((s, i) => {
    const yy = y + i * 16;
    return [
      `<line x1="${x}" y1="${yy}" x2="${x + 18}" y2="${yy}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/>`,
      `<circle cx="${x + 9}" cy="${yy}" r="3" fill="${s.color}"/>`,
      `<text x="${x + 24}" y="${yy}" dominant-baseline="middle">${esc(s.name)}</text>`,
    ];
  });
}

/** A scatter plot (with lines and error bars where asked) as SVG text. */
export function scatterPlot(o: ScatterOptions): string {
  const [width, height] = [o.width ?? 760, o.height ?? 460];
  const pts = o.series.flatMap((s) => s.points);
  const span = (get: (p: PlotPoint) => number, err: (p: PlotPoint) => number): [number, number] =>
    pts.length ? [Math.min(...pts.map((p) => get(p) - err(p))), Math.max(...pts.map((p) => get(p) + err(p)))] : [0, 1];
  const xt = niceTicks(
    ...(o.x ??
      span(
        (p) => p.x,
        (p) => p.xErr ?? 0,
      )),
  );
  const yt = niceTicks(
    ...(o.y ??
      span(
        (p) => p.y,
        (p) => p.yErr ?? 0,
      )),
  );
  const legendW = 190;
  const f: Frame = { left: 64, top: 34, w: width - 64 - legendW - 16, h: height - 34 - 60 - (o.note ? 10 : 0), sx: () => 0, sy: () => 0 };
  const [x0, x1, y0, y1] = [xt[0]!, xt[xt.length - 1]!, yt[0]!, yt[yt.length - 1]!];
  f.sx = (v) => f.left + ((v - x0) / (x1 - x0)) * f.w;
  f.sy = (v) => f.top + f.h - ((v - y0) / (y1 - y0)) * f.h;
  const body = axes(f, xt, yt, o.xFormat ?? fmt, o.yFormat ?? fmt, o.xLabel, o.yLabel);
  (o.hLines ?? []).forEach((h, i) => {
    const y = num(f.sy(h.y));
    body.push(`<line x1="${f.left}" y1="${y}" x2="${f.left + f.w}" y2="${y}" stroke="#6b7280" stroke-dasharray="2 3"/>`);
    // labels alternate right and left so close lines do not print over each other
    const [x, anchor] = i % 2 === 0 ? [f.left + f.w - 4, 'end'] : [f.left + 4, 'start'];
    body.push(`<text x="${x}" y="${num(f.sy(h.y) - 4)}" text-anchor="${anchor}" font-size="10" fill="#6b7280">${esc(h.label)}</text>`);
  });
  for (const s of o.series) {
    const dash = s.dashed ? ' stroke-dasharray="5 4"' : '';
    if (s.line && s.points.length > 1) {
      body.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${s.points.map((p) => `${num(f.sx(p.x))},${num(f.sy(p.y))}`).join(' ')}"/>`,
      );
    }
    for (const p of s.points) {
      const [cx, cy] = [num(f.sx(p.x)), num(f.sy(p.y))];
      if (p.yErr) body.push(`<line x1="${cx}" y1="${num(f.sy(p.y - p.yErr))}" x2="${cx}" y2="${num(f.sy(p.y + p.yErr))}" stroke="${s.color}"/>`);
      if (p.xErr) body.push(`<line x1="${num(f.sx(p.x - p.xErr))}" y1="${cy}" x2="${num(f.sx(p.x + p.xErr))}" y2="${cy}" stroke="${s.color}"/>`);
      body.push(
        s.faint
          ? `<circle cx="${cx}" cy="${cy}" r="2.5" fill="none" stroke="${s.color}" opacity="0.6"/>`
          : `<circle cx="${cx}" cy="${cy}" r="4" fill="${s.color}"/>`,
      );
    }
  }
  body.push(
    ...legend(
      f.left + f.w + 16,
      f.top + 8,
      o.series.filter((s) => !s.faint),
    ),
  );
  return svg(width, height, o.title, body, o.note);
}

export interface Bar {
  name: string;
  color: string;
  /** Every seed's value; the bar is their mean, the whisker ± one sample standard deviation. */
  values: number[];
}

export interface BarOptions {
  title: string;
  yLabel: string;
  groups: { label: string; bars: Bar[] }[];
  width?: number;
  height?: number;
  y?: [number, number];
  yFormat?: (v: number) => string;
  note?: string;
}

/** Mean and sample standard deviation (0 for fewer than two values). */
export function meanSd(xs: readonly number[]): { mean: number; sd: number } {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean: m, sd: xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0 };
}

/** Grouped bars (mean ± sd, each seed a dot) as SVG text. */
export function barPlot(o: BarOptions): string {
  const [width, height] = [o.width ?? 760, o.height ?? 420];
  const all = o.groups.flatMap((g) => g.bars.flatMap((b) => [...b.values, meanSd(b.values).mean + meanSd(b.values).sd]));
  const yt = niceTicks(...(o.y ?? [Math.min(0, ...all), Math.max(...all)]));
  const names = [...new Map(o.groups.flatMap((g) => g.bars.map((b) => [b.name, b] as const))).values()];
  const legendW = 200;
  const f: Frame = { left: 64, top: 34, w: width - 64 - legendW - 16, h: height - 34 - 60 - (o.note ? 10 : 0), sx: () => 0, sy: () => 0 };
  const [y0, y1] = [yt[0]!, yt[yt.length - 1]!];
  f.sy = (v) => f.top + f.h - ((v - y0) / (y1 - y0)) * f.h;
  const body = axes(f, [], yt, fmt, o.yFormat ?? fmt, '', o.yLabel);
  const gw = f.w / o.groups.length;
  o.groups.forEach((g, gi) => {
    const bw = (gw * 0.8) / Math.max(1, g.bars.length);
    const gx = f.left + gi * gw + gw * 0.1;
    body.push(`<text x="${num(f.left + (gi + 0.5) * gw)}" y="${f.top + f.h + 16}" text-anchor="middle">${esc(g.label)}</text>`);
    g.bars.forEach((b, bi) => {
      if (b.values.length === 0) return;
      const { mean, sd } = meanSd(b.values);
      const x = gx + bi * bw;
      const cx = num(x + bw / 2);
      body.push(
        `<rect x="${num(x + 1)}" y="${num(f.sy(mean))}" width="${num(bw - 2)}" height="${num(f.sy(y0) - f.sy(mean))}" fill="${b.color}" opacity="0.75"/>`,
      );
      if (sd > 0) {
        body.push(`<line x1="${cx}" y1="${num(f.sy(mean - sd))}" x2="${cx}" y2="${num(f.sy(mean + sd))}" stroke="#111827"/>`);
        for (const v of [mean - sd, mean + sd])
          body.push(`<line x1="${num(x + bw / 2 - 4)}" y1="${num(f.sy(v))}" x2="${num(x + bw / 2 + 4)}" y2="${num(f.sy(v))}" stroke="#111827"/>`);
      }
      for (const v of b.values) body.push(`<circle cx="${cx}" cy="${num(f.sy(v))}" r="2.5" fill="#ffffff" stroke="#111827"/>`);
    });
  });
  body.push(...legend(f.left + f.w + 16, f.top + 8, names));
  return svg(width, height, o.title, body, o.note);
}
