import { Readout } from '../../components/Readout';
import type { SegEvalReport } from '../../../protocol/labs/segment';
import { selectHpChanges, selectLast, useWorkbench, type WorkbenchState } from '../../../store';
import { HyperparameterChanges } from '../../components/HyperparameterChanges';
import { RunControls } from '../../components/RunControls';
import { formatHp, formatPercent } from '../../format';
import { useLiveValue } from '../../useLiveValue';
import { ClassIoUBars } from './ClassIoUBars';
import { ModelZooTable } from './ModelZooTable';
import { SegCharts } from './SegCharts';
import { SegChain } from './SegChain';
import { SegConfigForm } from './SegConfigForm';
import { SegRunsTable } from './SegRunsTable';
import { SegViewer } from './viewer/SegViewer';
import './segment.css';

const REFRESH_MS = 250;
const NO_EVALS: readonly SegEvalReport[] = [];
const selectMarkers = selectHpChanges('segment');
const selectEvals = (s: WorkbenchState) => s.runs.segment?.extras.segEval ?? NO_EVALS;
const lastEval = (s: WorkbenchState) => s.runs.segment?.extras.segEval?.at(-1);

/** The latest mIoU, pixel accuracy, loss and lr (their own subscriptions: an engine event re-renders these, not the lab). */
function SegReadouts() {
  const miou = useWorkbench((s) => selectLast('segment', 'seg.miou')(s) ?? lastEval(s)?.mIoU);
  const pixelAcc = useWorkbench((s) => selectLast('segment', 'seg.pixelAcc')(s) ?? lastEval(s)?.pixelAccuracy);
  const loss = useWorkbench(selectLast('segment', 'train.loss'));
  const lr = useWorkbench(selectLast('segment', 'train.lr'));
  return (
    <div className="readouts seg-readouts" aria-live="polite">
      <Readout label="validation mIoU" value={miou} format={formatPercent} testId="seg.miou" />
      <Readout label="pixel accuracy" value={pixelAcc} format={formatPercent} testId="seg.pixelAcc" />
      <Readout label="loss" value={loss} format={(v) => v.toFixed(3)} testId="seg.loss" optional />
      <Readout label="lr now" value={lr} format={formatHp} optional />
    </div>
  );
}

/** Per-class IoU of the evaluations, read 4 times a second. */
function LiveClassIoU({ palette }: { palette: Parameters<typeof ClassIoUBars>[0]['palette'] }) {
  const evals = useLiveValue(selectEvals, REFRESH_MS);
  return <ClassIoUBars evals={evals} palette={palette} />;
}

/** The Segment lab: train teacher / tutor / student through a distillation chain, watch mIoU live, compare models and runs. */
export function SegmentLab() {
  const datasetId = useWorkbench((s) => s.runs.segment?.config.dataset ?? s.configs.segment.dataset);
  const palette = useWorkbench(
    (s) => s.datasets.find((d) => d.id === datasetId)?.palette ?? s.labData.segment?.zoo?.entries.find((e) => e.dataset === datasetId)?.palette,
  );
  const markers = useWorkbench(selectMarkers);

  return (
    <div className="lab seg-lab">
      <aside className="panel">
        <h2>Segment settings</h2>
        <SegConfigForm />
      </aside>
      <section className="main">
        <RunControls lab="segment" prefix="seg" paramsTitle="Trainable params of the model being trained (the zoo shows the deployed model)" />
        <SegChain />
        <SegReadouts />
        <SegCharts markers={markers} />
        <LiveClassIoU palette={palette} />
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
