/**
 * The Affinity lab's comparison (TECHNIQUES.md §3's claim: FA and FFA both improve accuracy, by close
 * amounts, FFA at much lower cost): students distilled from a teacher file with CE only, CE+KD,
 * CE+KD+FA, CE+KD+FFA(k) and the label-free pair KD+FA / KD+FFA (CE_w = 0), over seeds. Each finished
 * run is appended as a JSON line to `out`. Usage:
 *   node scripts/run-node.mjs scripts/node/affinityCompare.ts teacher=public/models/affinity/teacher.json seeds=1,2,3 steps=300 out=results/affinity-compare.jsonl [only=ce,kd,fa,ffa,lf-fa,lf-ffa]
 */
import { appendFile } from 'node:fs/promises';
import os from 'node:os';
import { initBackend } from '../../src/engine';
import { runAffinity } from './affinity';

const SETTINGS: Record<string, string[]> = {
  ce: ['kdWeight=0', 'faWeight=0', 'ceWeight=1', 'lossType=none'],
  kd: ['kdWeight=1', 'faWeight=0', 'ceWeight=0.3', 'lossType=none'],
  fa: ['kdWeight=1', 'faWeight=0.1', 'ceWeight=0.3', 'lossType=fa'],
  ffa: ['kdWeight=1', 'faWeight=0.1', 'ceWeight=0.3', 'lossType=ffa'],
  'lf-fa': ['kdWeight=1', 'faWeight=0.1', 'ceWeight=0', 'lossType=fa'],
  'lf-ffa': ['kdWeight=1', 'faWeight=0.1', 'ceWeight=0', 'lossType=ffa'],
};

export async function main(args: string[]): Promise<void> {
  const kv = new Map(args.map((a) => a.split('=') as [string, string]));
  const teacher = kv.get('teacher') ?? 'public/models/affinity/teacher.json';
  const seeds = (kv.get('seeds') ?? '1,2,3').split(',').map(Number);
  const steps = kv.get('steps') ?? '300';
  const out = kv.get('out') ?? 'results/affinity-compare.jsonl';
  const only = (kv.get('only') ?? Object.keys(SETTINGS).join(',')).split(',');
  const passthrough = args.filter((a) => !['teacher', 'seeds', 'steps', 'out', 'only'].includes(a.split('=')[0]!));
  const info = await initBackend('wasm');
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${info.name}`;
  for (const seed of seeds) {
    for (const name of only) {
      const setting = SETTINGS[name];
      if (!setting) throw new Error(`unknown setting ${name}; known: ${Object.keys(SETTINGS).join(', ')}`);
      const runArgs = ['role=student', `teacher=${teacher}`, `steps=${steps}`, `seed=${seed}`, 'evalEvery=100', 'logEvery=100', ...setting, ...passthrough];
      console.log(`== ${name} seed ${seed}`);
      const r = await runAffinity(runArgs, (line) => console.log(`  ${line}`));
      const line = { setting: name, args: runArgs, machine, ...r };
      await appendFile(out, `${JSON.stringify(line)}\n`);
      console.log(`RESULT ${JSON.stringify(line)}`);
    }
  }
}
