/** Pure helpers of the Segment lab's UI: config choices, zoo rows, the PixelShuffle overhead and the run pivot. */
import {
  allowedChains,
  SEG_SIZE_PIXELS,
  SEG_SLOTS,
  UPSCALES,
  SEG_SIZES,
  type SegChain,
  type SegConfig,
  type SegModelName,
  type SegSizeName,
  type SegSlot,
  type SegZooEntry,
  type SegZooInfo,
  type UpscaleName,
} from '../../../protocol/labs/segment';
import type { SegEvalReport } from '../../../protocol/labs/segment';
import type { RunRecord } from '../../../store';

/** A saved Segment-lab run. */
export type SegRunRecord = RunRecord<'segment'>;

/** A saved run's last evaluation (null when it ended before its first). */
export function lastEval(r: SegRunRecord): SegEvalReport | null {
  return r.extras.segEval?.at(-1) ?? null;
}

/** The config change of picking a model: keeps the chain allowed (the nearest allowed one, else 'none'). */
export function modelChange(current: Pick<SegConfig, 'chain'>, model: SegModelName): Pick<SegConfig, 'model' | 'chain'> {
  const allowed = allowedChains(model);
  if (allowed.includes(current.chain)) return { model, chain: current.chain };
  // A tutor cannot learn through itself: teacher → tutor → student becomes teacher → tutor.
  const chain: SegChain = current.chain === 'teacher-tutor-student' && allowed.includes('teacher-student') ? 'teacher-student' : 'none';
  return { model, chain };
}

/** "64×128 px" (height × width). */
export function sizeLabel(size: SegSizeName): string {
  const p = SEG_SIZE_PIXELS[size];
  return `${p.height}×${p.width} px`;
}

export const SLOT_LABELS: Record<SegSlot, string> = {
  teacher: 'teacher (HRNet-like)',
  tutor: 'tutor (student + 1/4 path)',
  'student-bilinear': 'student, bilinear',
  'student-pixelshuffle': 'student, PixelShuffle',
};

/** One row of the zoo table: the slot and its model at the size (null when none is trained). */
export interface ZooRow {
  slot: SegSlot;
  entry: SegZooEntry | null;
}

/** The zoo's models at `size`, one row per slot in SEG_SLOTS order. */
export function zooRows(zoo: SegZooInfo | null, size: SegSizeName): ZooRow[] {
  return SEG_SLOTS.map((slot) => ({ slot, entry: zoo?.entries.find((e) => e.slot === slot && e.size === size) ?? null }));
}

export interface PixelShuffleOverhead {
  /** student-pixelshuffle params − student-bilinear params (deployed models). */
  params: number;
  /** The same as a share of the bilinear student's params. */
  fraction: number;
  /** Params of the PixelShuffle student's upscale modules alone. */
  upscaleParams: number;
  macs: number;
  macsFraction: number;
}

/** What replacing bilinear upscaling by PixelShuffle costs at one size (null unless both students are in the zoo). */
export function pixelShuffleOverhead(rows: readonly ZooRow[]): PixelShuffleOverhead | null {
  const bi = rows.find((r) => r.slot === 'student-bilinear')?.entry;
  const ps = rows.find((r) => r.slot === 'student-pixelshuffle')?.entry;
  if (!bi || !ps) return null;
  const params = ps.params - bi.params;
  const macs = ps.macs - bi.macs;
  return { params, fraction: bi.params ? params / bi.params : 0, upscaleParams: ps.upscaleParams, macs, macsFraction: bi.macs ? macs / bi.macs : 0 };
}

/** One cell of the students' pivot: the mIoUs of the finished runs of one chain × upscale × size. */
export interface PivotCell {
  n: number;
  best: number;
  mean: number;
}
export interface PivotColumn {
  upscale: UpscaleName;
  size: SegSizeName;
}
export interface Pivot {
  columns: PivotColumn[];
  rows: { chain: SegChain; cells: (PivotCell | null)[] }[];
}

/**
 * A run's model as the runs table names it: the teacher with its width (stored runs from before the setting are filled in
 * with 1/4 on load, runHistory's RAN_WITHOUT) and ", refined head" when it had the 1/2 refinement (", refined head +
 * full-res stage" with the full-resolution stage too), the tutor and students
 * by kind (always width 1/2); "on from the zoo's" when the run trained on from the zoo's model (Start from).
 */
export function runModelLabel(c: Pick<SegConfig, 'model' | 'teacherWidth'> & Partial<Pick<SegConfig, 'startFrom' | 'teacherHead'>>): string {
  const head = c.teacherHead === 'refined' ? ', refined head' : c.teacherHead === 'full' ? ', refined head + full-res stage' : '';
  const base = c.model === 'teacher' ? `teacher w ${c.teacherWidth}${head}` : c.model;
  return c.startFrom === 'zoo' ? `${base}, on from the zoo's` : base;
}

/** The affinity term of a run's config in a few characters, e.g. `FFA₂ k=15 ×1`, or `—` without one. */
export function affinityLabel(c: Pick<SegConfig, 'affinityLoss' | 'affinityOrder' | 'affinityK' | 'affinityWeight'>): string {
  if (c.affinityLoss === 'none') return '—';
  const order = c.affinityOrder === '1' ? '₁' : '₂';
  return `${c.affinityLoss.toUpperCase()}${order}${c.affinityLoss === 'ffa' ? ` k=${c.affinityK}` : ''} ×${c.affinityWeight}`;
}

/**
 * A run the students' pivot counts: a finished student run on `dataset` with an evaluation, from fresh weights, and
 * without the affinity or Lovász-softmax term (the §2 losses only).
 */
function pivotRun(r: SegRunRecord, dataset: string): boolean {
  const c = r.config;
  return (
    r.status === 'done' &&
    lastEval(r) !== null &&
    c.model === 'student' &&
    c.affinityLoss === 'none' &&
    c.lovaszWeight === 0 &&
    c.startFrom === 'fresh' &&
    c.dataset === dataset
  );
}

/**
 * Students only, finished runs with an evaluation and without the affinity term (the pivot compares upscalings
 * under the §2 losses): rows = chain, columns = size × upscale (bilinear, then every variant with a counted run, in
 * UPSCALES order); cell = best and mean mIoU with n.
 */
export function studentPivot(runs: readonly SegRunRecord[], chains: readonly SegChain[], dataset: string): Pivot {
  const counted = runs.filter((r) => pivotRun(r, dataset));
  const upscales = UPSCALES.filter((u) => u === 'bilinear' || counted.some((r) => r.config.upscale === u));
  const columns = SEG_SIZES.flatMap((size) => upscales.map((upscale) => ({ upscale, size })));
  const rows = chains.map((chain) => ({
    chain,
    cells: columns.map(({ upscale, size }) => {
      const m = counted.filter((r) => r.config.chain === chain && r.config.upscale === upscale && r.config.size === size).map((r) => lastEval(r)!.mIoU);
      if (m.length === 0) return null;
      return { n: m.length, best: Math.max(...m), mean: m.reduce((a, b) => a + b, 0) / m.length };
    }),
  }));
  return { columns, rows };
}

/** The datasets of the finished student runs (the pivot shows one at a time: mIoUs of different class sets never share a cell), newest run's first. */
export function pivotDatasets(runs: readonly SegRunRecord[]): { id: string; name: string }[] {
  const out: { id: string; name: string }[] = [];
  for (const r of [...runs].sort((a, b) => b.startedAt - a.startedAt)) {
    if (r.config.model !== 'student' || r.status !== 'done' || out.some((d) => d.id === r.config.dataset)) continue;
    out.push({ id: r.config.dataset, name: r.datasetName || r.config.dataset });
  }
  return out;
}

/** Column `i` − bilinear at the same size in one pivot row (percentage points as a fraction), by best or mean; null for bilinear itself or a missing cell. */
export function pivotDelta(pivot: Pick<Pivot, 'columns'>, cells: readonly (PivotCell | null)[], i: number, by: 'best' | 'mean'): number | null {
  const col = pivot.columns[i];
  if (!col || col.upscale === 'bilinear') return null;
  const bi = cells[pivot.columns.findIndex((c) => c.size === col.size && c.upscale === 'bilinear')] ?? null;
  const cell = cells[i] ?? null;
  return bi && cell ? cell[by] - bi[by] : null;
}
