#!/usr/bin/env node
// Turn results/affinity-compare.jsonl (scripts/node/affinityCompare.ts) into the README's markdown table:
// student test accuracy per setting, mean ± sd over seeds (n runs), with the step time.
import { readFileSync } from 'node:fs';

const rows = readFileSync('results/affinity-compare.jsonl', 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
const stats = (xs) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : NaN;
  return { m, sd, n: xs.length };
};
const fmt = (s, scale, digits) => `${(s.m * scale).toFixed(digits)}${Number.isNaN(s.sd) ? '' : ` ± ${(s.sd * scale).toFixed(digits)}`}`;
const SETTINGS = [
  ['ce', 'CE only'],
  ['kd', 'CE + KD'],
  ['fa', 'CE + KD + FA'],
  ['ffa', 'CE + KD + FFA (k 15)'],
  ['lf-fa', 'KD + FA (label-free)'],
  ['lf-ffa', 'KD + FFA (label-free)'],
];
const out = ['| setting | test accuracy % | ms / step | runs (seeds) |', '|---|---|---|---|'];
for (const [key, label] of SETTINGS) {
  const rs = rows.filter((r) => r.setting === key);
  if (!rs.length) continue;
  out.push(
    `| ${label} | ${fmt(stats(rs.map((r) => r.testAccuracy)), 100, 1)} | ${fmt(stats(rs.map((r) => r.msPerStep)), 1, 0)} | ${rs.length} (${rs.map((r) => r.seed).join(', ')}) |`,
  );
}
console.log(out.join('\n'));
