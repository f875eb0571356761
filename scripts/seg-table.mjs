#!/usr/bin/env node
// Turn results/seg-compare.jsonl (scripts/node/segCompare.ts) into the README's markdown table:
// students' validation mIoU per input size, upscaling and distillation chain, mean ± sd over seeds (n runs).
import { readFileSync, writeFileSync } from 'node:fs';

const rows = readFileSync('results/seg-compare.jsonl', 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const pct = (v) => (v * 100).toFixed(1);
const stats = (xs) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : NaN;
  return { m, sd, n: xs.length };
};
const CHAINS = [
  ['none', 'none'],
  ['teacher-student', 'teacher → student'],
  ['teacher-tutor-student', 'teacher → tutor → student'],
];
const out = ['| size | chain | bilinear mIoU % | PixelShuffle mIoU % | PixelShuffle − bilinear (pp) | seeds |', '|---|---|---|---|---|---|'];
for (const size of ['low', 'high']) {
  for (const [chain, label] of CHAINS) {
    const of = (up) => rows.filter((r) => r.role === 'student' && r.size === size && r.chain === chain && r.upscale === up);
    const b = of('bilinear');
    const p = of('pixelshuffle');
    if (!b.length && !p.length) continue;
    const cell = (rs) => {
      if (!rs.length) return '—';
      const s = stats(rs.map((r) => r.mIoU));
      return s.n > 1 ? `${pct(s.m)} ± ${pct(s.sd)} (n=${s.n})` : `${pct(s.m)} (n=1)`;
    };
    const seeds = [...new Set([...b, ...p].map((r) => r.seed))].sort().join(', ');
    const diffs = b.flatMap((rb) => p.filter((rp) => rp.seed === rb.seed).map((rp) => rp.mIoU - rb.mIoU));
    const d = diffs.length ? stats(diffs) : null;
    out.push(
      `| ${size} | ${label} | ${cell(b)} | ${cell(p)} | ${d ? (d.n > 1 ? `${(d.m * 100).toFixed(1)} ± ${(d.sd * 100).toFixed(1)} (n=${d.n})` : `${(d.m * 100).toFixed(1)} (n=1)`) : '—'} | ${seeds} |`,
    );
  }
}
const teachers = rows.filter((r) => r.role !== 'student').map((r) => `${r.role} at ${r.size}: ${pct(r.mIoU)} % (${r.steps} steps, ${Math.round(r.seconds)} s)`);
const text = `${out.join('\n')}\n\n${teachers.length ? `Trained here first: ${teachers.join('; ')}.\n` : ''}`;
writeFileSync('results/seg-compare.md', text);
console.log(text);
