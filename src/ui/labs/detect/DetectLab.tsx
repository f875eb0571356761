import { Readout, formatMsReadout } from '../../components/Readout';
import { selectHpChanges, selectLast, useWorkbench, type WorkbenchState } from '../../../store';
import { DETECT_INPUT } from '../../../protocol/labs/detect';
import { HyperparameterChanges } from '../../components/HyperparameterChanges';
import { RunControls } from '../../components/RunControls';
import { formatHp, formatPercent } from '../../format';
import { useLabConfig } from '../../runStatus';
import { useLiveValue } from '../../useLiveValue';
import { DetectCharts } from './DetectCharts';
import { DetectConfigForm } from './DetectConfigForm';
import { DetectCostPanel } from './DetectCostPanel';
import { DetectPreviewView } from './DetectPreviewView';
import { DetectRunsTable } from './DetectRunsTable';
import { DetectViewer } from './viewer/DetectViewer';
import './detect.css';

const REFRESH_MS = 250;
const selectMarkers = selectHpChanges('detect');
const selectPreview = (s: WorkbenchState) => s.runs.detect?.extras.detectPreview;

/** The latest AP, recall, loss, step time and tensor count (their own subscriptions: an engine event re-renders these, not the lab). */
function DetectReadouts() {
  const ap50 = useWorkbench(selectLast('detect', 'test.ap50'));
  const ap = useWorkbench(selectLast('detect', 'test.ap'));
  const recall = useWorkbench(selectLast('detect', 'test.recall20'));
  const ms = useWorkbench(selectLast('detect', 'step.ms'));
  const loss = useWorkbench(selectLast('detect', 'train.loss'));
  const tensors = useWorkbench(selectLast('detect', 'memory.tensors'));
  return (
    <div className="readouts" aria-live="polite">
      <Readout label="validation AP@0.5" value={ap50} format={formatPercent} testId="detect.ap" />
      <Readout label="AP@[.5:.95]" value={ap} format={formatPercent} testId="detect.apAll" />
      <Readout label="recall@20" value={recall} format={formatPercent} testId="detect.recall" optional />
      <Readout label="loss" value={loss} format={formatHp} testId="detect.lossValue" optional />
      <Readout label="step" value={ms} format={formatMsReadout} optional />
      <Readout
        label="live tensors"
        value={tensors}
        format={String}
        testId="detect.tensors"
        title="Tensors alive in the engine after the step: a steady count means no leak"
        optional
      />
    </div>
  );
}

/** The preview of the latest evaluation, read 4 times a second. */
function LivePreview({ threshold }: { threshold: number }) {
  const preview = useLiveValue(selectPreview, REFRESH_MS);
  return <DetectPreviewView preview={preview} threshold={threshold} />;
}

/** The Detect lab: train a compact DETR person detector, compare encoders by AP and cost, find people in photos. */
export function DetectLab() {
  const config = useLabConfig('detect');
  const markers = useWorkbench(selectMarkers);
  const runLayers = useWorkbench((s) => s.runs.detect?.config.decoderLayers);
  return (
    <div className="lab detect-lab">
      <aside className="panel">
        <h2>Detect settings</h2>
        <p className="muted">
          A compact DETR for people on {DETECT_INPUT.width}×{DETECT_INPUT.height} images (width × height): MobileNetV3-Small backbone, the encoder under test, a
          small decoder with learned queries, Hungarian matching.
        </p>
        <DetectConfigForm />
      </aside>
      <section className="main">
        <RunControls lab="detect" prefix="detect" paramsTitle="Trainable params of the detector being trained" />
        <DetectReadouts />
        <DetectCharts markers={markers} layers={runLayers ?? config.decoderLayers} />
        <LivePreview threshold={config.scoreThreshold} />
        <HyperparameterChanges changes={markers} testId="detect.hpChanges" />
        <DetectCostPanel />
        <DetectViewer defaultThreshold={config.scoreThreshold} />
        <DetectRunsTable />
      </section>
    </div>
  );
}
