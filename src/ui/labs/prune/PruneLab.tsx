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
      <span className="readout">
        channel sparsity{rgsm ? ' (u)' : ''} <b data-testid="prune.sparsity.total">{total === undefined ? '—' : formatPercent(total)}</b>
      </span>
      <span className="readout">
        weight sparsity <b data-testid="prune.sparsity.weight">{weight === undefined ? '—' : formatPercent(weight)}</b>
      </span>
      <span className="readout">
        test accuracy{rgsm ? ' on u' : ''} <b data-testid="prune.accuracy.u">{accU === undefined ? '—' : formatPercent(accU)}</b>
      </span>
      {rgsm && accURecal !== undefined && (
        <span className="readout" title="u with BN running statistics re-estimated for u's weights: the delivered model">
          on u, BN recalibrated <b data-testid="prune.accuracy.uRecal">{formatPercent(accURecal)}</b>
        </span>
      )}
      {rgsm && (
        <span className="readout">
          on w <b data-testid="prune.accuracy.w">{accW === undefined ? '—' : formatPercent(accW)}</b>
        </span>
      )}
      {lr !== undefined && (
        <span className="readout">
          lr now <b>{formatHp(lr)}</b>
        </span>
      )}
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
