import { useMemo } from 'react';
import { SEG_CHAIN_LABELS, UPSCALE_SHORT } from '../../../protocol/labs/segment';
import { LabRunsSection, startedColumn, statusColumn, type RunColumn } from '../../components/RunsTable';
import { formatCount, formatPercent } from '../../format';
import { modelLinkColumn } from '../data/RunModelLink';
import { SegRunsPivot } from './SegRunsPivot';
import { chainStageOf } from './chain';
import { affinityLabel, lastEval, runModelLabel, type SegRunRecord } from './segView';
import { useSegChain } from './useSegChain';

const pct = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '—' : formatPercent(v));

const columns = (stageOf: ReadonlyMap<string, string>): RunColumn<SegRunRecord>[] => [
  {
    header: 'Model',
    cell: (r) => {
      const stage = stageOf.get(r.id);
      return stage ? (
        <>
          {runModelLabel(r.config)}{' '}
          <span className="seg-chain-tag" data-testid="seg.runs.row.chainStage">
            {stage}
          </span>
        </>
      ) : (
        runModelLabel(r.config)
      );
    },
  },
  { header: 'Chain', cell: (r) => SEG_CHAIN_LABELS[r.config.chain] },
  { header: 'Upscale', cell: (r) => (r.config.model === 'teacher' ? '—' : (UPSCALE_SHORT[r.config.upscale] ?? r.config.upscale)) },
  { header: 'Affinity', cell: (r) => affinityLabel(r.config) },
  { header: 'Size', cell: (r) => r.config.size },
  { header: 'Dataset', cell: (r) => r.datasetName },
  { header: 'Steps', cell: (r) => `${r.stepsDone} / ${r.config.steps}`, className: 'num' },
  { header: 'Seed', cell: (r) => r.config.seed, className: 'num' },
  { header: 'mIoU', cell: (r) => pct(lastEval(r)?.mIoU), className: 'num', testId: 'seg.runs.row.miou' },
  { header: 'Pixel acc', cell: (r) => pct(lastEval(r)?.pixelAccuracy), className: 'num' },
  { header: 'Params', cell: (r) => (r.params === null ? '—' : formatCount(r.params)), className: 'num' },
  startedColumn(),
  modelLinkColumn(),
  statusColumn(),
];

const label = (r: SegRunRecord) => `${runModelLabel(r.config)} ${SEG_CHAIN_LABELS[r.config.chain]} ${r.config.size}`;

/** Every ended segmentation run (the run history), and the students' chain × upscaling × size pivot. */
export function SegRunsTable() {
  const chain = useSegChain();
  const stageOf = useMemo(() => chainStageOf(chain), [chain]);
  const cols = useMemo(() => columns(stageOf), [stageOf]);
  return (
    <LabRunsSection
      lab="segment"
      testId="seg.runs"
      tableTestId="seg.runs.table"
      rowTestId="seg.runs.row"
      columns={cols}
      label={label}
      empty="No segmentation runs yet. Finished and stopped runs appear here."
      above={(runs) => <SegRunsPivot runs={runs} />}
    />
  );
}
