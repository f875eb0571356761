/** Saved classification runs (Train and Prune labs) as short labels for tables, legends and file names. */
import { formatWidth, type PruneMethodName } from '../../../protocol';
import type { RunRecord } from '../../../store';
import { formatHp } from '../../format';

export { downloadText, runToCsv, runToJson } from '../../runFiles';

/** A saved run of a classification lab (the Prune lab's table lists both). */
export type ClassifyRunRecord = RunRecord<'train'> | RunRecord<'prune'>;

export const METHOD_SHORT: Record<PruneMethodName, string> = {
  none: 'dense',
  'gl-penalty': 'GL penalty',
  'gl-prox': 'GL prox',
  rgsm: 'RGSM',
};

/** The sparsity method a run actually used (the Train lab never prunes). */
export function runMethod(r: ClassifyRunRecord): PruneMethodName {
  return r.lab === 'prune' ? r.config.method : 'none';
}

/** The sparsity knobs of the run's method, e.g. "λ1 0.01, λ2 1e-5, β 1" (empty for dense runs). */
export function methodHyperparams(r: ClassifyRunRecord): string {
  if (r.lab !== 'prune') return '';
  const c = r.config;
  switch (c.method) {
    case 'rgsm':
      return `λ1 ${formatHp(c.lambda1)}, λ2 ${formatHp(c.lambda2)}, β ${formatHp(c.beta)}${c.thresholds === 'per-layer' ? ', per-layer thresholds' : ''}`;
    case 'gl-penalty':
    case 'gl-prox':
      return `λ_GL ${formatHp(c.lambdaGL)}`;
    default:
      return '';
  }
}

/** "RGSM vgg16 1/4, λ1 0.01, … (14:02)": tells two runs apart in a legend. */
export function runLabel(r: ClassifyRunRecord): string {
  const hp = methodHyperparams(r);
  const time = new Date(r.startedAt).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return `${METHOD_SHORT[runMethod(r)]} ${r.config.model} ${formatWidth(r.config.width)}${hp ? `, ${hp}` : ''} (${time})`;
}

/** A file name without extension: "prune-rgsm-vgg16-<id>". */
export function runFileBase(r: ClassifyRunRecord): string {
  return `${r.lab}-${runMethod(r)}-${r.config.model}-${r.id}`.replace(/[^A-Za-z0-9._-]+/g, '_');
}
