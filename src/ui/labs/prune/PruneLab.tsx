import { Readout } from '../../components/Readout';
import { selectHpChanges, selectLast, useWorkbench, type WorkbenchState } from '../../../store';
import { HyperparameterChanges } from '../../components/HyperparameterChanges';
import { RunControls } from '../../components/RunControls';
import { formatHp, formatPercent } from '../../format';
import { useLabConfig } from '../../runStatus';
import { useLiveValue } from '../../useLiveValue';
import { CompactPanel } from './CompactPanel';
import { LayerSparsityBars } from './LayerSparsityBars';
import { LoadModelPanel } from './LoadModelPanel';
import { NormHistogram } from './NormHistogram';
import { PruneCharts } from './PruneCharts';
import { PruneConfigForm } from './PruneConfigForm';
import { RunsPanel } from './RunsPanel';
import { SparsityHeatmap } from './SparsityHeatmap';
import './prune.css';

const REFRESH_MS = 250;
const selectMarkers = selectHpChanges('prune');
const selectLayers = (s: WorkbenchState) => s.runs.prune?.extras.layers?.latest ?? null;
const selectHistory = (s: WorkbenchState) => s.runs.prune?.extras.layers?.history ?? null;

/** The latest sparsity and accuracy readouts (their own subscriptions: an engine event re-renders these, not the lab). */
function PruneReadouts({ rgsm }: { rgsm: boolean }) {
  const accU = useWorkbench(selectLast('prune', 'test.acc'));
  const accURecal = useWorkbench(selectLast('prune', 'test.accURecal'));
  const accW = useWorkbench(selectLast('prune', 'test.accW'));
  const total = useWorkbench(selectLast('prune', 'sparsity.channel'));
  const weight = useWorkbench(selectLast('prune', 'sparsity.weight'));
  const lr = useWorkbench(selectLast('prune', 'train.lr'));
  return (
    <div className="readouts" aria-live="polite">
      <Readout label={`channel sparsity${rgsm ? ' (u)' : ''}`} value={total} format={formatPercent} testId="prune.sparsity.total" />
      <Readout label="weight sparsity" value={weight} format={formatPercent} testId="prune.sparsity.weight" />
      <Readout label={`test accuracy${rgsm ? ' on u' : ''}`} value={accU} format={formatPercent} testId="prune.accuracy.u" />
      {rgsm && (
        <Readout
          label="on u, BN recalibrated"
          value={accURecal}
          format={formatPercent}
          testId="prune.accuracy.uRecal"
          title="u with BN running statistics re-estimated for u's weights: the delivered model"
          optional
        />
      )}
      {rgsm && <Readout label="on w" value={accW} format={formatPercent} testId="prune.accuracy.w" />}
      <Readout label="lr now" value={lr} format={formatHp} optional />
    </div>
  );
}

/** Each per-layer view reads the store on its own (4 times a second), so each redraw is a task of its own. */
function LiveLayerBars() {
  return <LayerSparsityBars report={useLiveValue(selectLayers, REFRESH_MS)} />;
}
function LiveHistogram({ rgsm }: { rgsm: boolean }) {
  return <NormHistogram report={useLiveValue(selectLayers, REFRESH_MS)} showHardThreshold={rgsm} />;
}
function LiveHeatmap({ totalSteps }: { totalSteps: number }) {
  return <SparsityHeatmap history={useLiveValue(selectHistory, REFRESH_MS)} totalSteps={totalSteps} />;
}

/** The Prune lab: RGSM vs group Lasso with live sparsity views, compaction, and the table of all runs. */
export function PruneLab() {
  const config = useLabConfig('prune');
  const attachToRun = useWorkbench((s) => s.attachToRun);
  const markers = useWorkbench(selectMarkers);
  const runMethod = useWorkbench((s) => s.runs.prune?.config.method);
  const runSteps = useWorkbench((s) => s.runs.prune?.config.steps);
  const rgsm = (runMethod ?? config.method) === 'rgsm';

  return (
    <div className="lab">
      <aside className="panel">
        <h2>Prune settings</h2>
        <PruneConfigForm />
      </aside>
      <section className="main">
        <RunControls lab="prune" prefix="run" />
        <PruneReadouts rgsm={rgsm} />
        <PruneCharts markers={markers} rgsm={rgsm} />
        <div className="prune-views">
          <LiveLayerBars />
          <LiveHistogram rgsm={rgsm} />
        </div>
        <LiveHeatmap totalSteps={runSteps ?? config.steps} />
        <HyperparameterChanges changes={markers} testId="run.hpChanges" />
        <CompactPanel onCompacted={(r) => void attachToRun('prune', r.runId, 'compaction', r)} />
        <LoadModelPanel />
        <RunsPanel />
      </section>
    </div>
  );
}
