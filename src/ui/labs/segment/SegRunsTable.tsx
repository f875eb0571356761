import { SEG_CHAIN_LABELS } from '../../../protocol/labs/segment';
import { useWorkbench } from '../../../store';
import { RunsTable, startedColumn, statusColumn, type RunColumn } from '../../components/RunsTable';
import { formatCount, formatPercent } from '../../format';
import { SegRunsPivot } from './SegRunsPivot';
import { lastEval, type SegRunRecord } from './segView';
import { useEffect, useMemo } from 'react';

const pct = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '—' : formatPercent(v));

const COLUMNS: RunColumn<SegRunRecord>[] = [
  { header: 'Model', cell: (r) => r.config.model },
  { header: 'Chain', cell: (r) => SEG_CHAIN_LABELS[r.config.chain] },
  { header: 'Upscale', cell: (r) => (r.config.model === 'teacher' ? '—' : r.config.upscale) },
  { header: 'Size', cell: (r) => r.config.size },
  { header: 'Dataset', cell: (r) => r.datasetName },
  { header: 'Steps', cell: (r) => `${r.stepsDone} / ${r.config.steps}`, className: 'num' },
  { header: 'Seed', cell: (r) => r.config.seed, className: 'num' },
  { header: 'mIoU', cell: (r) => pct(lastEval(r)?.mIoU), className: 'num', testId: 'seg.runs.row.miou' },
  { header: 'Pixel acc', cell: (r) => pct(lastEval(r)?.pixelAccuracy), className: 'num' },
  { header: 'Params', cell: (r) => (r.params === null ? '—' : formatCount(r.params)), className: 'num' },
  startedColumn(),
  statusColumn(),
];

const label = (r: SegRunRecord) => `${r.config.model} ${SEG_CHAIN_LABELS[r.config.chain]} ${r.config.size}`;

/** Every ended segmentation run (the run history), and the students' chain × upscaling × size pivot. */
export function SegRunsTable() {
  const all = useWorkbench((s) => s.savedRuns);
  const runs = useMemo(() => all.filter((r): r is SegRunRecord => r.lab === 'segment'), [all]);
  const loaded = useWorkbench((s) => s.savedRunsLoaded);
  const load = useWorkbench((s) => s.loadSavedRuns);
  const remove = useWorkbench((s) => s.deleteSavedRun);
  useEffect(() => {
    if (!loaded) void load();
  }, [loaded, load]);

  return (
    <section className="runs-panel" aria-labelledby="seg-runs-title" data-testid="seg.runs">
      <h2 id="seg-runs-title">Runs</h2>
      {runs.length === 0 ? (
        <p className="runs-empty" data-testid="seg.runs.empty">
          {loaded ? 'No segmentation runs yet. Finished and stopped runs appear here.' : 'Loading saved runs…'}
        </p>
      ) : (
        <>
          <SegRunsPivot runs={runs} />
          <RunsTable
            runs={runs}
            columns={COLUMNS}
            testId="seg.runs.table"
            rowTestId="seg.runs.row"
            label={label}
            onDelete={(id) => void remove(id)}
            downloads
          />
        </>
      )}
    </section>
  );
}
