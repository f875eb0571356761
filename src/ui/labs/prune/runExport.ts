/** Saved runs as files (JSON, CSV) and as short labels for tables, legends and file names. */
import { formatWidth, type PruneMethodName, type SeriesName } from '../../../protocol';
import type { RunRecord } from '../../../store/runRecord';
import { formatHp } from '../../format';

export const METHOD_SHORT: Record<PruneMethodName, string> = {
  none: 'dense',
  'gl-penalty': 'GL penalty',
  'gl-prox': 'GL prox',
  rgsm: 'RGSM',
};

/** The sparsity method a run actually used (the Train lab never prunes). */
export function runMethod(r: RunRecord): PruneMethodName {
  return r.lab === 'prune' ? r.config.method : 'none';
}

/** The sparsity knobs of the run's method, e.g. "λ1 0.01, λ2 1e-5, β 1" (empty for dense runs). */
export function methodHyperparams(r: RunRecord): string {
  const c = r.config;
  switch (runMethod(r)) {
    case 'rgsm':
      return `λ1 ${formatHp(c.lambda1)}, λ2 ${formatHp(c.lambda2)}, β ${formatHp(c.beta)}`;
    case 'gl-penalty':
    case 'gl-prox':
      return `λ_GL ${formatHp(c.lambdaGL)}`;
    default:
      return '';
  }
}

/** "RGSM vgg16 1/4, λ1 0.01, … (14:02)": tells two runs apart in a legend. */
export function runLabel(r: RunRecord): string {
  const hp = methodHyperparams(r);
  const time = new Date(r.startedAt).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return `${METHOD_SHORT[runMethod(r)]} ${r.config.model} ${formatWidth(r.config.width)}${hp ? `, ${hp}` : ''} (${time})`;
}

/** A file name without extension: "prune-rgsm-vgg16-<id>". */
export function runFileBase(r: RunRecord): string {
  return `${r.lab}-${runMethod(r)}-${r.config.model}-${r.id}`.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** The whole record, pretty-printed. */
export function runToJson(r: RunRecord): string {
  return JSON.stringify(r, null, 2);
}

/**
 * The metric history as CSV: a header `step,<series…>` (series names sorted), then one row per step
 * at which any series has a value, ascending; a series without a value at that step leaves its cell empty.
 */
export function runToCsv(r: RunRecord): string {
  const names = (Object.keys(r.series) as SeriesName[]).filter((n) => (r.series[n]?.steps.length ?? 0) > 0).sort();
  const columns = names.map((n) => {
    const byStep = new Map<number, number>();
    const s = r.series[n]!;
    s.steps.forEach((step, i) => byStep.set(step, s.values[i]!));
    return byStep;
  });
  const steps = [...new Set(columns.flatMap((c) => [...c.keys()]))].sort((a, b) => a - b);
  const lines = [['step', ...names].join(',')];
  for (const step of steps) {
    lines.push([String(step), ...columns.map((c) => (c.has(step) ? String(c.get(step)) : ''))].join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Save text as a file through a temporary download link. */
export function downloadText(filename: string, text: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoke later: some browsers start reading the blob only after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
