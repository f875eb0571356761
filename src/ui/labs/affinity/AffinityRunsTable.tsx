import { formatWidth } from '../../../protocol';
import type { AFFINITY_LAB } from '../../../protocol';
import { lastValue, type RunRecord } from '../../../store';
import { LabRunsSection, startedColumn, statusColumn, type RunColumn } from '../../components/RunsTable';
import { modelLinkColumn } from '../data/RunModelLink';
import { formatCount, formatPercent } from '../../format';

type AffinityRunRecord = RunRecord<(typeof AFFINITY_LAB)['id']>;

const LOSS_SHORT = { none: 'none', fa: 'FA', ffa: 'FFA' } as const;
const pct = (v: number | null) => (v === null ? '—' : formatPercent(v));

/** The median of a series' values (null when empty). */
function median(values: readonly number[] | undefined): number | null {
  if (!values || values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** "FFA₂ k 15" / "FA₁" / "none". */
function lossLabel(r: AffinityRunRecord): string {
  const c = r.config;
  if (c.role === 'teacher') return '— (labels only)';
  if (c.lossType === 'none') return 'none';
  return `${LOSS_SHORT[c.lossType]}${c.order === '1' ? '₁' : '₂'}${c.lossType === 'ffa' ? ` k ${c.k}` : ''}`;
}

const COLUMNS: RunColumn<AffinityRunRecord>[] = [
  { header: 'Model', cell: (r) => `${r.config.role} ${formatWidth(r.config.width)}` },
  { header: 'Dataset', cell: (r) => r.datasetName },
  { header: 'Affinity loss', cell: lossLabel, testId: 'affinity.runs.row.loss' },
  {
    header: 'Weights',
    cell: (r) =>
      r.config.role === 'teacher'
        ? 'CE'
        : `KD ${r.config.kdWeight} (${r.config.kdMode}), FA ${r.config.faWeight}, CE ${r.config.ceWeight}${r.config.ceWeight === 0 ? ' (label-free)' : ''}`,
    className: 'hp',
  },
  { header: 'Steps', cell: (r) => `${r.stepsDone} / ${r.config.steps}`, className: 'num' },
  { header: 'Test acc', cell: (r) => pct(lastValue(r.series['test.acc'])), className: 'num', testId: 'affinity.runs.row.acc' },
  {
    header: 'ms / step',
    cell: (r) => {
      const m = median(r.series['step.ms']?.values);
      return m === null ? '—' : m.toFixed(0);
    },
    className: 'num',
    title: () => 'median step time',
  },
  { header: 'Params', cell: (r) => (r.params === null ? '—' : formatCount(r.params)), className: 'num' },
  startedColumn(),
  modelLinkColumn(),
  statusColumn(),
];

const label = (r: AffinityRunRecord) => `${r.config.role} ${lossLabel(r)}`;

/** Every ended Affinity-lab run with its settings, accuracy, loss type, k and step time. */
export function AffinityRunsTable() {
  return (
    <LabRunsSection
      lab="affinity"
      testId="affinity.runs"
      tableTestId="affinity.runs.table"
      rowTestId="affinity.runs.row"
      columns={COLUMNS}
      label={label}
      empty="No Affinity runs yet. Finished and stopped runs appear here."
    />
  );
}
