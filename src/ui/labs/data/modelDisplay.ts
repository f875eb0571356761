/**
 * How the model library shows one model: the architecture's display name, its metric, where it came from, and the
 * check of the files chosen for an import. Pure functions, so the table stays a layout and these are unit-tested.
 */
import { SEG_SIZES, SEG_SIZE_PIXELS, SEG_SLOTS, type SegSizeName, type SegSlot } from '../../../protocol/labs/segment';
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
  'detr-mobilenetv3-small': 'DETR (MobileNetV3-Small)',
};

/**
 * "VGG-16 compact", "Seg student (FasterSeg-like) · pixelshuffle", "DETR (MobileNetV3-Small) · transformer encoder": the
 * family's display name and what sets this net apart.
 */
export function architectureLabel(m: Pick<ModelInfo, 'family' | 'provenance'>): string {
  const base = FAMILY_LABEL[m.family] ?? m.family;
  const p = m.provenance;
  const upsampling = p.slot?.startsWith('student-') ? p.slot.slice('student-'.length) : '';
  const encoder = p.encoder ? (p.encoder === 'none' ? '· no encoder' : `· ${p.encoder} encoder`) : '';
  return [base, p.compact ? 'compact' : '', upsampling ? `· ${upsampling}` : '', encoder].filter((s) => s !== '').join(' ');
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
  if (names.length === 1 && /\.onnx$/i.test(names[0]!)) return null;
  const chosen = names.length === 0 ? 'no file' : names.join(', ');
  return `Choose a model's two files together, its .json and its .bin, or one .onnx file the workbench wrote (you chose ${chosen}).`;
}

/** Where a Segment-lab model goes in the zoo: its input size and slot; null for another lab's model or one that fits no slot. */
export function zooPlacement(m: Pick<ModelInfo, 'lab' | 'inputSize' | 'provenance'>): { size: SegSizeName; slot: SegSlot } | null {
  if (m.lab !== 'segment') return null;
  const size = SEG_SIZES.find((s) => SEG_SIZE_PIXELS[s].height === m.inputSize.height && SEG_SIZE_PIXELS[s].width === m.inputSize.width);
  const slot = SEG_SLOTS.find((s) => s === m.provenance.slot);
  return size && slot ? { size, slot } : null;
}

/**
 * What a library row offers besides download, export and delete: a Segment model goes into its zoo slot ("Use in the
 * zoo") or into the viewer ("Open in viewer"); an Affinity teacher into the Affinity lab's teacher slot ("Use as
 * teacher"); a classifier (Train / Prune) is evaluated in the Prune lab's "Load a model" panel ("Open in Prune").
 */
export function modelActions(m: Pick<ModelInfo, 'lab' | 'family' | 'inputSize' | 'provenance'>): {
  use: 'zoo' | 'teacher' | null;
  view: boolean;
  prune: boolean;
} {
  if (m.lab === 'segment') {
    const fits = zooPlacement(m) !== null;
    return { use: fits ? 'zoo' : null, view: fits, prune: false };
  }
  if (m.lab === 'affinity') return { use: m.family === 'affinity-teacher' ? 'teacher' : null, view: false, prune: false };
  return { use: null, view: false, prune: m.family === 'vgg16' || m.family === 'resnet18' };
}

/** The model a run kept (the newest when it kept two, e.g. a Prune run's compact net after its dense one); null when none is listed. */
export function modelOfRun(models: readonly ModelInfo[], runId: string): ModelInfo | null {
  let best: ModelInfo | null = null;
  for (const m of models) if (m.provenance.runId === runId && !m.shipped && (!best || m.createdAt > best.createdAt)) best = m;
  return best;
}
