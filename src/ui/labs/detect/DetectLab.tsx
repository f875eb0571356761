import type { HyperparamChange } from '../../../protocol';
import { DETECT_INPUT } from '../../../protocol/labs/detect';
import { HyperparameterChanges } from '../../components/HyperparameterChanges';
import { RunControls } from '../../components/RunControls';
import { formatHp, formatPercent } from '../../format';
import { useLabConfig, useLabRun } from '../../runStatus';
import { useThrottledValue } from '../../useThrottledValue';
import { DetectCharts } from './DetectCharts';
import { DetectConfigForm } from './DetectConfigForm';
import { DetectCostPanel } from './DetectCostPanel';
import { DetectPreviewView } from './DetectPreviewView';
import { DetectRunsTable } from './DetectRunsTable';
import { DetectViewer } from './viewer/DetectViewer';
import './detect.css';

const REFRESH_MS = 250;
const NO_CHANGES: readonly HyperparamChange[] = [];

/** The Detect lab: train a compact DETR person detector, compare encoders by AP and cost, find people in photos. */
export function DetectLab() {
  const run = useLabRun('detect');
  const config = useLabConfig('detect');
  const series = useThrottledValue(run?.series, REFRESH_MS);
  const preview = useThrottledValue(run?.extras.detectPreview, REFRESH_MS);
  const markers = run?.hpChanges ?? NO_CHANGES;
  const last = (k: 'test.ap50' | 'test.ap' | 'test.recall20' | 'step.ms' | 'train.loss' | 'memory.tensors') => run?.series[k]?.values.at(-1);
  const ap50 = last('test.ap50');
  const ap = last('test.ap');
  const recall = last('test.recall20');
  const ms = last('step.ms');
  const loss = last('train.loss');
  const tensors = last('memory.tensors');
  return (
    <div className="lab detect-lab">
      <aside className="panel">
        <h2>Detect settings</h2>
        <p className="muted">
          A compact DETR for people on {DETECT_INPUT.width}×{DETECT_INPUT.height} images: MobileNetV3-Small backbone, the encoder under test, a small decoder
          with learned queries, Hungarian matching.
        </p>
        <DetectConfigForm />
      </aside>
      <section className="main">
        <RunControls lab="detect" prefix="detect" paramsTitle="Trainable params of the detector being trained" />
        <div className="readouts" aria-live="polite">
          <span className="readout">
            validation AP@0.5 <b data-testid="detect.ap">{ap50 === undefined || !Number.isFinite(ap50) ? '—' : formatPercent(ap50)}</b>
          </span>
          <span className="readout">
            AP@[.5:.95] <b data-testid="detect.apAll">{ap === undefined || !Number.isFinite(ap) ? '—' : formatPercent(ap)}</b>
          </span>
          {recall !== undefined && (
            <span className="readout">
              recall@20 <b data-testid="detect.recall">{formatPercent(recall)}</b>
            </span>
          )}
          {loss !== undefined && (
            <span className="readout">
              loss <b data-testid="detect.lossValue">{formatHp(loss)}</b>
            </span>
          )}
          {ms !== undefined && (
            <span className="readout">
              step <b>{ms.toFixed(0)} ms</b>
            </span>
          )}
          {tensors !== undefined && (
            <span className="readout" title="Tensors alive in the engine after the step: a steady count means no leak">
              live tensors <b data-testid="detect.tensors">{tensors}</b>
            </span>
          )}
        </div>
        <DetectCharts series={series} markers={markers} layers={run?.config.decoderLayers ?? config.decoderLayers} />
        <DetectPreviewView preview={preview} threshold={config.scoreThreshold} />
        <HyperparameterChanges changes={markers} testId="detect.hpChanges" />
        <DetectCostPanel />
        <DetectViewer defaultThreshold={config.scoreThreshold} />
        <DetectRunsTable />
      </section>
    </div>
  );
}
