import type { HyperparamChange, SeriesName } from '../../../protocol';
import type { SegEvalReport } from '../../../protocol/labs/segment';
import { useWorkbench } from '../../../store';
import { HyperparameterChanges } from '../../components/HyperparameterChanges';
import { RunControls } from '../../components/RunControls';
import { formatHp, formatPercent } from '../../format';
import { useLabRun } from '../../runStatus';
import { useThrottledValue } from '../../useThrottledValue';
import { ClassIoUBars } from './ClassIoUBars';
import { ModelZooTable } from './ModelZooTable';
import { SegCharts } from './SegCharts';
import { SegConfigForm } from './SegConfigForm';
import { SegRunsTable } from './SegRunsTable';
import { SegViewer } from './viewer/SegViewer';
import './segment.css';

const REFRESH_MS = 250;
const NO_CHANGES: readonly HyperparamChange[] = [];
const NO_EVALS: readonly SegEvalReport[] = [];

/** The Segment lab: train teacher / tutor / student through a distillation chain, watch mIoU live, compare models and runs. */
export function SegmentLab() {
  const run = useLabRun('segment');
  const datasetId = useWorkbench((s) => s.runs.segment?.config.dataset ?? s.configs.segment.dataset);
  const palette = useWorkbench(
    (s) => s.datasets.find((d) => d.id === datasetId)?.palette ?? s.labData.segment?.zoo?.entries.find((e) => e.dataset === datasetId)?.palette,
  );
  const series = useThrottledValue(run?.series, REFRESH_MS);
  const evals = useThrottledValue(run?.extras.segEval ?? NO_EVALS, REFRESH_MS);
  const markers = run?.hpChanges ?? NO_CHANGES;
  const last = (k: SeriesName) => run?.series[k]?.values.at(-1);
  const miou = last('seg.miou') ?? run?.extras.segEval?.at(-1)?.mIoU;
  const pixelAcc = last('seg.pixelAcc') ?? run?.extras.segEval?.at(-1)?.pixelAccuracy;
  const loss = last('train.loss');
  const lr = last('train.lr');

  return (
    <div className="lab seg-lab">
      <aside className="panel">
        <h2>Segment settings</h2>
        <SegConfigForm />
      </aside>
      <section className="main">
        <RunControls lab="segment" prefix="seg" paramsTitle="Trainable params of the model being trained (the zoo shows the deployed model)" />
        <div className="readouts seg-readouts" aria-live="polite">
          <span className="readout">
            validation mIoU <b data-testid="seg.miou">{miou === undefined ? '—' : formatPercent(miou)}</b>
          </span>
          <span className="readout">
            pixel accuracy <b data-testid="seg.pixelAcc">{pixelAcc === undefined ? '—' : formatPercent(pixelAcc)}</b>
          </span>
          {loss !== undefined && (
            <span className="readout">
              loss <b data-testid="seg.loss">{loss.toFixed(3)}</b>
            </span>
          )}
          {lr !== undefined && (
            <span className="readout">
              lr now <b>{formatHp(lr)}</b>
            </span>
          )}
        </div>
        <SegCharts series={series} markers={markers} />
        <ClassIoUBars evals={evals} palette={palette} />
        <HyperparameterChanges changes={markers} testId="seg.hpChanges" />
        <ModelZooTable />
        <section className="seg-viewer-slot" aria-label="Compare segmentations">
          <SegViewer />
        </section>
        <SegRunsTable />
      </section>
    </div>
  );
}
