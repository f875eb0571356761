import { formatWidth } from '../../../protocol';
import { useWorkbench } from '../../../store';
import { RunsTable, startedColumn, statusColumn, type RunColumn } from '../../components/RunsTable';
import { formatCount, formatHp, formatPercent } from '../../format';
import { modelLinkColumn } from '../data/RunModelLink';
import { METHOD_SHORT, methodHyperparams, runFileBase, runLabel, runMethod, type ClassifyRunRecord } from './runExport';
import { runSummary } from './runSummary';
import { useClassifyRuns } from './useClassifyRuns';
import './runs.css';

const pct = (v: number | null) => (v === null ? '—' : formatPercent(v));
const count = (v: number | null) => (v === null ? '—' : formatCount(v));
/** "1.00 M → 400.00 k" once compacted, else the dense figure. */
const denseToCompact = (dense: number | null, compact: number | null) => (compact === null ? count(dense) : `${count(dense)} → ${formatCount(compact)}`);

function accuracyCell(r: ClassifyRunRecord) {
  const s = runSummary(r);
  const showW = s.testAccuracyW !== null && pct(s.testAccuracyW) !== pct(s.testAccuracy);
  return (
    <>
      <span data-testid="runs.row.acc" title={runMethod(r) === 'rgsm' ? "on u (the sparse weights) with w's BN statistics" : undefined}>
        {pct(s.testAccuracy)}
      </span>
      {s.testAccuracyURecal !== null && (
        <span className="sub" data-testid="runs.row.accURecal" title="on u with BN statistics recalibrated for u (the delivered model)">
          u, BN recal. {pct(s.testAccuracyURecal)}
        </span>
      )}
      {showW && (
        <span className="sub" data-testid="runs.row.accW">
          on w {pct(s.testAccuracyW)}
        </span>
      )}
    </>
  );
}

const COLUMNS: RunColumn<ClassifyRunRecord>[] = [
  startedColumn(),
  { header: 'Lab', cell: (r) => r.lab },
  { header: 'Method', cell: (r) => METHOD_SHORT[runMethod(r)], testId: 'runs.row.method' },
  { header: 'Model', cell: (r) => `${r.config.model} ${formatWidth(r.config.width)}` },
  { header: 'Dataset', cell: (r) => r.datasetName },
  {
    header: 'Hyperparameters',
    cell: (r) => [methodHyperparams(r), `lr ${formatHp(r.config.lr)}`].filter(Boolean).join(', '),
    className: 'hp',
    testId: 'runs.row.hp',
  },
  { header: 'Steps', cell: (r) => r.stepsDone, className: 'num' },
  { header: 'Test acc', cell: accuracyCell, className: 'num' },
  { header: 'Channel sparsity', cell: (r) => pct(runSummary(r).channelSparsity), className: 'num', testId: 'runs.row.channelSparsity' },
  { header: 'Weight sparsity', cell: (r) => pct(runSummary(r).weightSparsity), className: 'num', testId: 'runs.row.weightSparsity' },
  {
    header: 'Params',
    cell: (r) => {
      const s = runSummary(r);
      return denseToCompact(s.params, s.compactParams);
    },
    className: 'num',
    testId: 'runs.row.params',
  },
  {
    header: 'MACs',
    cell: (r) => {
      const s = runSummary(r);
      return denseToCompact(s.denseMacs, s.compactMacs);
    },
    className: 'num',
    testId: 'runs.row.macs',
  },
  modelLinkColumn(),
  statusColumn('runs.row.status'),
];

/** Every saved Train and Prune run with its settings and final figures; pick two to compare, export or delete. */
export function PruneRunsTable() {
  const runs = useClassifyRuns();
  const compareIds = useWorkbench((s) => s.compareIds);
  const toggleCompare = useWorkbench((s) => s.toggleCompare);
  const deleteRun = useWorkbench((s) => s.deleteSavedRun);
  const loaded = useWorkbench((s) => s.savedRunsLoaded);

  if (runs.length === 0) {
    return (
      <p className="runs-empty" data-testid="runs.empty">
        {loaded ? 'No saved runs yet. Finished and stopped runs appear here.' : 'Loading saved runs…'}
      </p>
    );
  }
  return (
    <RunsTable
      runs={runs}
      columns={COLUMNS}
      testId="runs.table"
      rowTestId="runs.row"
      label={runLabel}
      fileBase={runFileBase}
      onDelete={(id) => void deleteRun(id)}
      compare={{ ids: compareIds, toggle: toggleCompare }}
      downloads
    />
  );
}
