/**
 * How the model library shows one model: the architecture's display name, its metric, where it came from, and the
 * check of the files chosen for an import. Pure functions, so the table stays a layout and these are unit-tested.
 */
import type { ModelInfo } from '../../../protocol/models';
import { formatPercent } from '../../format';

const FAMILY_LABEL: Record<string, string> = {
  vgg16: 'VGG-16',
  resnet18: 'ResNet-18',
  'seg-teacher': 'Seg teacher (HRNet-like)',
  'seg-tutor': 'Seg tutor',
  'seg-student': 'Seg student (FasterSeg-like)',
  'affinity-teacher': 'Affinity teacher',
  'affinity-student': 'Affinity student',
};

/** "VGG-16 compact", "Seg student (FasterSeg-like) · pixelshuffle": the family's display name and what sets this net apart. */
export function architectureLabel(m: Pick<ModelInfo, 'family' | 'provenance'>): string {
  const base = FAMILY_LABEL[m.family] ?? m.family;
  const p = m.provenance;
  const upsampling = p.slot?.startsWith('student-') ? p.slot.slice('student-'.length) : '';
  return [base, p.compact ? 'compact' : '', upsampling ? `· ${upsampling}` : ''].filter((s) => s !== '').join(' ');
}

/** The metric as the table shows it: "62.5%" (or "—" when never measured), and what it is ("test accuracy", "mIoU"). */
export function metricText(m: Pick<ModelInfo, 'metric'>): { value: string; name: string } {
  const v = m.metric.value;
  return { value: v === null || !Number.isFinite(v) ? '—' : formatPercent(v), name: m.metric.name };
}

/** One sentence on where a model came from: the file it was imported from, or the run (steps, seed, method, chain). */
export function provenanceText(m: Pick<ModelInfo, 'provenance'>): string {
  const p = m.provenance;
  const parts = [
    p.importedFrom ? `Imported from ${p.importedFrom}` : p.runId ? `From run ${p.runId}` : 'From an unnamed run',
    p.steps !== null ? `${p.steps} steps` : '',
    p.seed !== null ? `seed ${p.seed}` : '',
    p.method ? `method ${p.method}` : '',
    p.chain ? `chain ${p.chain}` : '',
    p.role ? `the ${p.role}` : '',
  ].filter((s) => s !== '');
  return `${parts.join(', ')}.`;
}

/** Why the files chosen for an import cannot be a model (a sentence), or null: a model is its .json and its .bin, chosen together. */
export function importFilesProblem(names: readonly string[]): string | null {
  const json = names.filter((n) => /\.json$/i.test(n)).length;
  const bin = names.filter((n) => /\.bin$/i.test(n)).length;
  if (names.length === 2 && json === 1 && bin === 1) return null;
  const chosen = names.length === 0 ? 'no file' : names.join(', ');
  return `Choose a model's two files together, its .json and its .bin (you chose ${chosen}).`;
}
