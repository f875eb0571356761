/**
 * The result pictures and tables of the README (issue #13 item 8), from the raw JSON lines in results/:
 *   node scripts/run-node.mjs scripts/node/plots.ts
 * - results/seg-variants.jsonl (segCompare.ts upscales=…) → results/seg-variants.svg + .md: students' validation
 *   mIoU per upscaling variant (mean ± sd over seeds, each seed a dot), with params.
 * - results/seg-compare.jsonl (the first comparison) → results/seg-compare.svg: mIoU by chain × upscaling × size.
 * - results/seg-compare-realistic.jsonl (the second: realistic scenes, the re-shipped teacher and tutor, ≥ 1,000-step
 *   students) → results/seg-compare-realistic.svg + .md: mIoU by chain × upscaling (mean ± sd, seeds as dots) and the
 *   claims' differences paired per seed (variant − bilinear; direct − none; tutor − direct).
 * - results/prune-pareto-*.jsonl (pruneCompare.ts) → results/prune-pareto-*.svg + .md: accuracy-vs-channel-sparsity
 *   fronts per method (seed means with ± sd bars, single seeds faint), and the sparsity each front reaches at matched
 *   accuracies (dense − 1, − 2 and − 5 points), interpolated on the fronts (src/science/pareto.ts).
 * - results/detect-compare.jsonl (detectCompare.ts) → results/detect-compare.svg + .md: AP per encoder (mean ± sd over
 *   seeds, each seed a dot), params, MACs, and each encoder's AP minus the transformer's, paired per seed (issue #12 item 9).
 * Files that are absent are skipped with a line saying so.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { barPlot, meanSd, scatterPlot, type ScatterSeries } from '../../src/science/svgPlot';
import { matchedSparsity, sweepPoints, type SweepRun } from '../../src/science/pareto';

type Row = Record<string, unknown>;
const read = (file: string): Row[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Row);
const pct = (v: number) => `${(v * 100).toFixed(1)}`;
const pctAxis = (v: number) => `${Math.round(v * 100)} %`;
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563', '#ca8a04'];

const UPSCALE_NAMES: Record<string, string> = {
  bilinear: 'bilinear',
  'ps-agg': '(a) PS in ×2 aggregations',
  'ps-head': '(b) sub-pixel ×8',
  'ps-both': '(c) both',
  'ps-head4': 'sub-pixel ×4 + bilinear ×2',
  pixelshuffle: 'v1 (BN+ReLU on logits)',
};

function segVariants(): void {
  const file = 'results/seg-variants.jsonl';
  if (!existsSync(file)) return console.log(`${file}: absent, skipped`);
  const rows = read(file).filter((r) => r.role === 'student');
  const upscales = Object.keys(UPSCALE_NAMES).filter((u) => rows.some((r) => r.upscale === u));
  const groups = [...new Set(rows.map((r) => `${String(r.size)}|${String(r.chain)}`))].map((g) => {
    const [size, chain] = g.split('|') as [string, string];
    return {
      label: `${size} size, chain ${chain}`,
      bars: upscales.map((u, i) => ({
        name: UPSCALE_NAMES[u]!,
        color: COLORS[i % COLORS.length]!,
        values: rows.filter((r) => r.size === size && r.chain === chain && r.upscale === u).map((r) => r.mIoU as number),
      })),
    };
  });
  const steps = [...new Set(rows.map((r) => r.steps))].join(', ');
  const seeds = [...new Set(rows.map((r) => r.seed))].sort().join(', ');
  writeFileSync(
    'results/seg-variants.svg',
    barPlot({
      title: 'Student validation mIoU by upscaling variant (mean ± sd over seeds; dots = seeds)',
      yLabel: 'validation mIoU',
      groups,
      yFormat: pctAxis,
      y: [Math.min(...rows.map((r) => r.mIoU as number)) - 0.05, Math.max(...rows.map((r) => r.mIoU as number)) + 0.02],
      note: `street scenes, ${steps} steps, batch 8, lr 0.05 poly, OHEM 0.7, aux 0.2, seeds ${seeds}; wasm in Node, 2-core VM`,
    }),
  );
  const bilinear = (size: unknown, chain: unknown, seed: unknown) =>
    rows.find((r) => r.size === size && r.chain === chain && r.seed === seed && r.upscale === 'bilinear');
  const out = [
    '| size | chain | upscaling | params | Δ params | mIoU % (mean ± sd) | − bilinear, paired (pp) | n | min / run |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const g of [...new Set(rows.map((r) => `${String(r.size)}|${String(r.chain)}`))]) {
    const [size, chain] = g.split('|');
    for (const u of upscales) {
      const rs = rows.filter((r) => r.size === size && r.chain === chain && r.upscale === u);
      if (!rs.length) continue;
      const m = meanSd(rs.map((r) => r.mIoU as number));
      const bi = bilinear(size, chain, rs[0]!.seed);
      const diffs = rs.flatMap((r) => {
        const b = bilinear(size, chain, r.seed);
        return b && u !== 'bilinear' ? [(r.mIoU as number) - (b.mIoU as number)] : [];
      });
      const d = diffs.length ? meanSd(diffs) : null;
      const params = rs[0]!.params as number;
      const dp = bi ? params - (bi.params as number) : null;
      out.push(
        `| ${size} | ${chain} | ${UPSCALE_NAMES[u]} | ${params.toLocaleString('en-US')} | ${dp === null ? '—' : `${dp >= 0 ? '+' : ''}${dp.toLocaleString('en-US')} (${((dp / (bi!.params as number)) * 100).toFixed(2)} %)`} | ${pct(m.mean)} ± ${pct(m.sd)} | ${d ? `${(d.mean * 100).toFixed(1)} ± ${(d.sd * 100).toFixed(1)}` : '—'} | ${rs.length} | ${(meanSd(rs.map((r) => r.seconds as number)).mean / 60).toFixed(1)} |`,
      );
    }
  }
  writeFileSync('results/seg-variants.md', `${out.join('\n')}\n`);
  console.log(out.join('\n'));
}

function segCompare(): void {
  const file = 'results/seg-compare.jsonl';
  if (!existsSync(file)) return console.log(`${file}: absent, skipped`);
  const rows = read(file).filter((r) => r.role === 'student');
  const chains = ['none', 'teacher-student', 'teacher-tutor-student'];
  const groups = ['low', 'high'].flatMap((size) =>
    chains.map((chain) => ({
      label: `${size}: ${chain === 'none' ? 'none' : chain === 'teacher-student' ? 'T→S' : 'T→tutor→S'}`,
      bars: ['bilinear', 'pixelshuffle'].map((u, i) => ({
        name: UPSCALE_NAMES[u]!,
        color: COLORS[i]!,
        values: rows.filter((r) => r.size === size && r.chain === chain && r.upscale === u).map((r) => r.mIoU as number),
      })),
    })),
  );
  writeFileSync(
    'results/seg-compare.svg',
    barPlot({
      title: 'First comparison: student mIoU by chain × upscaling (v1 module), low and high size',
      yLabel: 'validation mIoU',
      groups,
      width: 900,
      yFormat: pctAxis,
      y: [0.4, 0.62],
      note: '300 steps, batch 8, earlier OHEM rule; low: 3 seeds, high: 1 seed; wasm in Node, 2-core VM',
    }),
  );
  console.log('results/seg-compare.svg written');
}

/** The front a sweep line belongs to: method, prox and threshold mode (RGSM), and its strength. */
function sweepRun(r: Row, accuracyKey: string): SweepRun | null {
  const method = String(r.method);
  const acc = (r[accuracyKey] ?? r.accuracyU) as number | undefined;
  if (typeof acc !== 'number' || typeof r.channelSparsity !== 'number') return null;
  const name =
    method === 'rgsm'
      ? `RGSM ${String(r.prox ?? 'hard')}${r.thresholds === 'per-layer' ? ', per-layer thresholds (ours)' : ''}`
      : method === 'gl-prox'
        ? 'group Lasso, proximal'
        : method === 'gl-penalty'
          ? 'group Lasso, penalty'
          : 'none';
  const strength = method === 'rgsm' ? (r.lambda1 as number) : method === 'none' ? 0 : (r.lambdaGL as number);
  return { method: name, strength, seed: r.seed as number, accuracy: acc, sparsity: r.channelSparsity };
}

/** A matched-accuracy sparsity interpolated between front points farther apart than this is marked †. */
const WIDE_GAP = 0.15;

/** Fronts, matched-accuracy rows and the point table of one sweep under one accuracy reading. */
function paretoTables(
  rows: Row[],
  accuracyKey: 'accuracyU' | 'accuracyURecal',
  label: string,
): { lines: string[]; points: ReturnType<typeof sweepPoints>; runs: SweepRun[] } {
  const runs = rows.map((r) => sweepRun(r, accuracyKey)).filter((r): r is SweepRun => r !== null);
  const points = sweepPoints(runs);
  const dense = points.find((p) => p.method === 'none');
  const methods = [...new Set(points.map((p) => p.method))].filter((m) => m !== 'none');
  const lines = [`**${label}**`, ''];
  if (dense) {
    lines.push('| matched accuracy | ' + methods.join(' | ') + ' | RGSM hard ÷ proximal GL |', '|---|' + methods.map(() => '---|').join('') + '---|');
    for (const d of [0.01, 0.02, 0.05]) {
      const res = matchedSparsity(points, dense.accuracy - d, dense);
      const at = (m: string) => res.find((r) => r.method === m)?.matched;
      const cell = (m: string) => {
        const x = at(m);
        if (!x || x.sparsity === null) return 'not reached';
        return `${x.how === 'at-least' ? '≥ ' : ''}${pct(x.sparsity)} %${(x.gap ?? 0) > WIDE_GAP ? ' †' : ''}`;
      };
      const [rg, gl] = [at('RGSM hard'), at('group Lasso, proximal')];
      const ratio = rg?.sparsity != null && gl?.sparsity ? (rg.sparsity / gl.sparsity).toFixed(2) : rg?.sparsity && gl?.sparsity === 0 ? '∞' : '—';
      lines.push(`| ${pct(dense.accuracy - d)} % (dense − ${d * 100}) | ${methods.map(cell).join(' | ')} | ${ratio} |`);
    }
    lines.push(
      '',
      `† interpolated between front points more than ${WIDE_GAP * 100} points of sparsity apart: a straight line across unmeasured ground, not a measurement.`,
      '',
    );
  }
  return { lines, points, runs };
}

function prunePareto(): void {
  const files = readdirSync('results').filter((f) => /^prune-pareto-.*\.jsonl$/.test(f));
  if (!files.length) return console.log('results/prune-pareto-*.jsonl: absent, skipped');
  for (const f of files) {
    const rows = read(`results/${f}`);
    const base = f.replace(/\.jsonl$/, '');
    const plain = paretoTables(rows, 'accuracyU', 'RGSM evaluated on u with the BN statistics gathered on w (the lab\'s "test accuracy on u")');
    const recal = paretoTables(rows, 'accuracyURecal', 'RGSM evaluated on u with BN recalibrated on 8 training batches (the delivered model)');
    const { points, runs } = plain;
    const dense = points.find((p) => p.method === 'none');
    const methods = [...new Set(points.map((p) => p.method))].filter((m) => m !== 'none');
    const series: ScatterSeries[] = [];
    methods.forEach((m, i) => {
      const color = COLORS[i % COLORS.length]!;
      const own = points.filter((p) => p.method === m).sort((a, b) => a.sparsity - b.sparsity);
      series.push({ name: m, color, line: true, points: own.map((p) => ({ x: p.sparsity, y: p.accuracy, xErr: p.sparsitySd, yErr: p.accuracySd })) });
      series.push({ name: `${m} seeds`, color, faint: true, points: runs.filter((r) => r.method === m).map((r) => ({ x: r.sparsity, y: r.accuracy })) });
    });
    if (dense) series.push({ name: 'dense (none)', color: '#111827', points: [{ x: 0, y: dense.accuracy, yErr: dense.accuracySd }] });
    const first = rows[0] ?? {};
    const seeds = [...new Set(runs.map((r) => r.seed))].sort().join(', ');
    const minutes = rows.reduce((n, r) => n + ((r.trainSeconds as number) ?? 0), 0) / 60;
    const settings = `${String(first.model)} width ${String(first.width)}, ${String(first.steps)} steps, batch ${String(first.batch)}, lr ${String(first.lr)} ${String(first.schedule)}, ${String(first.trainSize)} / ${String(first.testSize)} images, seeds ${seeds}`;
    writeFileSync(
      `results/${base}.svg`,
      scatterPlot({
        title: `Accuracy vs channel sparsity: ${String(first.model)} (seed means ± sd; faint = single seeds)`,
        xLabel: 'channel sparsity (groups with ‖·‖ < 1e-15)',
        yLabel: "test accuracy (RGSM: on u, w's BN statistics)",
        series,
        xFormat: pctAxis,
        yFormat: pctAxis,
        hLines: dense ? [0.01, 0.02, 0.05].map((d) => ({ y: dense.accuracy - d, label: `dense − ${d * 100} pt` })) : [],
        note: `${settings}; ${rows.length} runs, ${minutes.toFixed(0)} min of training on wasm in Node (2-core VM, 2–3 runs at once)`,
      }),
    );
    const out = [`### ${base}`, '', settings, '', ...plain.lines, ...recal.lines];
    out.push("| method | strength | n | accuracy % (u, w's BN) | accuracy % (u, BN recalibrated) | channel sparsity % |", '|---|---|---|---|---|---|');
    for (const p of points) {
      const q = recal.points.find((x) => x.method === p.method && x.strength === p.strength);
      out.push(
        `| ${p.method} | ${p.strength} | ${p.n} | ${pct(p.accuracy)} ± ${pct(p.accuracySd)} | ${q && p.method.startsWith('RGSM') ? `${pct(q.accuracy)} ± ${pct(q.accuracySd)}` : '—'} | ${pct(p.sparsity)} ± ${pct(p.sparsitySd)} |`,
      );
    }
    writeFileSync(`results/${base}.md`, `${out.join('\n')}\n`);
    console.log(out.join('\n'));
  }
}

/** Mean ± sd of the per-seed differences a − b of `key` (default mIoU) over the seeds both have. */
function pairedDiff(a: Row[], b: Row[], key = 'mIoU'): { mean: number; sd: number; n: number } | null {
  const bySeed = new Map(b.map((r) => [r.seed, r[key] as number]));
  const d = a.filter((r) => bySeed.has(r.seed)).map((r) => (r[key] as number) - bySeed.get(r.seed)!);
  return d.length ? { ...meanSd(d), n: d.length } : null;
}

const ENCODER_NAMES: Record<string, string> = { none: 'none', transformer: 'transformer', conv: 'conv', dwconv: 'dw-conv' };

/** Issue #12 item 9: AP per encoder over seeds, cost per encoder, and each encoder's AP minus the transformer's, paired per seed. */
function detectCompare(): void {
  const file = 'results/detect-compare.jsonl';
  if (!existsSync(file)) return console.log(`${file}: absent, skipped`);
  const rows = read(file);
  const encoders = ['none', 'transformer', 'conv', 'dwconv'].filter((e) => rows.some((r) => r.encoder === e));
  const of = (e: string) => rows.filter((r) => r.encoder === e).sort((a, b) => (a.seed as number) - (b.seed as number));
  const ms = (rs: Row[], key: string) => {
    const v = meanSd(rs.map((r) => r[key] as number));
    return `${pct(v.mean)} ± ${pct(v.sd)}`;
  };
  const seedsOf = (rs: Row[], key: string) => rs.map((r) => pct(r[key] as number)).join(' / ');
  const diff = (e: string, key: string) => {
    const d = e === 'transformer' ? null : pairedDiff(of(e), of('transformer'), key);
    return d ? `${d.mean >= 0 ? '+' : ''}${pct(d.mean)} ± ${pct(d.sd)} (n=${d.n})` : '—';
  };
  const steps = [...new Set(rows.map((r) => r.steps))].join(', ');
  const out = [
    `Detectors on the built-in scenes, ${steps} steps from the shipped backbone, batch 8, seeds ${[...new Set(rows.map((r) => r.seed as number))].sort((a, b) => a - b).join(', ')}; validation on 200 scenes, % (mean ± sd over seeds; per seed in order).`,
    '',
    '| encoder | params | MACs | AP@0.5 | per seed | AP@[.5:.95] | recall@20 | AP@0.5 − transformer, paired (pp) | AP − transformer (pp) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...encoders.map((e) => {
      const rs = of(e);
      const r0 = rs[0]!;
      return `| ${ENCODER_NAMES[e]} | ${(r0.params as number).toLocaleString('en')} | ${((r0.macs as number) / 1e6).toFixed(1)} M | ${ms(rs, 'ap50')} | ${seedsOf(rs, 'ap50')} | ${ms(rs, 'ap')} | ${ms(rs, 'recall20')} | ${diff(e, 'ap50')} | ${diff(e, 'ap')} |`;
    }),
  ];
  writeFileSync('results/detect-compare.md', `${out.join('\n')}\n`);
  console.log(out.join('\n'));
  const ap50 = rows.map((r) => r.ap50 as number);
  writeFileSync(
    'results/detect-compare.svg',
    barPlot({
      title: 'Encoder comparison: person AP on the built-in scenes (mean ± sd, seeds as dots)',
      yLabel: 'validation AP',
      groups: [
        { label: 'AP@0.5', bars: encoders.map((e, i) => ({ name: ENCODER_NAMES[e]!, color: COLORS[i]!, values: of(e).map((r) => r.ap50 as number) })) },
        { label: 'AP@[.5:.95]', bars: encoders.map((e, i) => ({ name: ENCODER_NAMES[e]!, color: COLORS[i]!, values: of(e).map((r) => r.ap as number) })) },
      ],
      width: 760,
      yFormat: pctAxis,
      y: [0, Math.ceil(Math.max(...ap50) * 50) / 50],
      note: `${steps} steps, batch 8, AdamW lr 1e-4 (backbone ×0.1), width 0.5, d 64, L 2; wasm in Node, 2-core VM`,
    }),
  );
  console.log('results/detect-compare.svg written');
}

function segCompareRealistic(): void {
  const file = 'results/seg-compare-realistic.jsonl';
  if (!existsSync(file)) return console.log(`${file}: absent, skipped`);
  const rows = read(file).filter((r) => r.role === 'student');
  const chains: [string, string][] = [
    ['none', 'none'],
    ['teacher-student', 'teacher → student'],
    ['teacher-tutor-student', 'teacher → tutor → student'],
  ];
  const upscales = [...new Set(rows.map((r) => r.upscale as string))].sort((a, b) => (a === 'bilinear' ? -1 : b === 'bilinear' ? 1 : a.localeCompare(b)));
  const of = (size: string, chain: string, up: string) => rows.filter((r) => r.size === size && r.chain === chain && r.upscale === up);
  const fmt = (v: { mean: number; sd: number; n: number } | null, sign = false) =>
    v ? `${sign && v.mean >= 0 ? '+' : ''}${pct(v.mean)} ± ${pct(v.sd)} (n=${v.n})` : '—';
  const cell = (rs: Row[]) => (rs.length ? fmt({ ...meanSd(rs.map((r) => r.mIoU as number)), n: rs.length }) : '—');
  const steps = [...new Set(rows.map((r) => r.steps))].join(', ');
  const out = [
    `Students on the realistic street scenes, ${steps} steps, batch 8, seeds ${[...new Set(rows.map((r) => r.seed as number))].sort((a, b) => a - b).join(', ')}; validation mIoU %, mean ± sd over seeds.`,
    '',
    `| size | chain | ${upscales.map((u) => UPSCALE_NAMES[u] ?? u).join(' | ')} | ${upscales
      .slice(1)
      .map((u) => `${UPSCALE_NAMES[u] ?? u} − bilinear, paired (pp)`)
      .join(' | ')} |`,
    `|---|---|${upscales.map(() => '---|').join('')}${upscales
      .slice(1)
      .map(() => '---|')
      .join('')}`,
  ];
  const sizes = [...new Set(rows.map((r) => r.size as string))];
  for (const size of sizes)
    for (const [chain, label] of chains) {
      if (!upscales.some((u) => of(size, chain, u).length)) continue;
      out.push(
        `| ${size} | ${label} | ${upscales.map((u) => cell(of(size, chain, u))).join(' | ')} | ${upscales
          .slice(1)
          .map((u) => fmt(pairedDiff(of(size, chain, u), of(size, chain, 'bilinear')), true))
          .join(' | ')} |`,
      );
    }
  out.push('', '| size | upscaling | teacher → student − none (pp) | teacher → tutor → student − teacher → student (pp) |', '|---|---|---|---|');
  for (const size of sizes)
    for (const u of upscales)
      out.push(
        `| ${size} | ${UPSCALE_NAMES[u] ?? u} | ${fmt(pairedDiff(of(size, 'teacher-student', u), of(size, 'none', u)), true)} | ${fmt(
          pairedDiff(of(size, 'teacher-tutor-student', u), of(size, 'teacher-student', u)),
          true,
        )} |`,
      );
  // The sources trained by segCompare itself (the high size's teacher and tutor; the low size uses the shipped ones).
  for (const r of read(file).filter((x) => x.role !== 'student'))
    out.push(
      '',
      `Trained here first: ${String(r.role)} at ${String(r.size)}: ${pct(r.mIoU as number)} % (${String(r.steps)} steps${r.init ? ` from ${String(r.init)}` : ''}, ${Math.round(r.seconds as number)} s).`,
    );
  writeFileSync('results/seg-compare-realistic.md', `${out.join('\n')}\n`);
  console.log(out.join('\n'));
  const groups = sizes.flatMap((size) =>
    chains.map(([chain]) => ({
      label: `${size}: ${chain === 'none' ? 'none' : chain === 'teacher-student' ? 'T→S' : 'T→tutor→S'}`,
      bars: upscales.map((u, i) => ({ name: UPSCALE_NAMES[u] ?? u, color: COLORS[i]!, values: of(size, chain, u).map((r) => r.mIoU as number) })),
    })),
  );
  const all = rows.map((r) => r.mIoU as number);
  writeFileSync(
    'results/seg-compare-realistic.svg',
    barPlot({
      title: 'Student mIoU by chain × upscaling at the low and high size (realistic scenes, teacher ≥ 10 points above)',
      yLabel: 'validation mIoU',
      groups,
      width: 900,
      yFormat: pctAxis,
      y: [Math.floor(Math.min(...all) * 20) / 20, Math.ceil(Math.max(...all) * 20) / 20],
      note: `${steps} steps, batch 8, 1,000 training scenes, median-frequency balancing; wasm in Node, 2-core VM`,
    }),
  );
  console.log('results/seg-compare-realistic.svg written');
}

export function main(): void {
  segVariants();
  segCompare();
  segCompareRealistic();
  prunePareto();
  detectCompare();
}
