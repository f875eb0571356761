import type { HyperparamChange } from '../../../protocol';
import { useWorkbench } from '../../../store';
import { HyperparameterChanges } from '../../components/HyperparameterChanges';
import { RunControls } from '../../components/RunControls';
import { formatHp, formatPercent } from '../../format';
import { useLabConfig, useLabRun } from '../../runStatus';
import { useThrottledValue } from '../../useThrottledValue';
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
const NO_CHANGES: readonly HyperparamChange[] = [];

/** The Prune lab: RGSM vs group Lasso with live sparsity views, compaction, and the table of all runs. */
export function PruneLab() {
  const run = useLabRun('prune');
  const config = useLabConfig('prune');
  const attachToRun = useWorkbench((s) => s.attachToRun);
  const series = useThrottledValue(run?.series, REFRESH_MS);
  const layers = useThrottledValue(run?.extras.layers?.latest ?? null, REFRESH_MS);
  const history = useThrottledValue(run?.extras.layers?.history ?? null, REFRESH_MS);
  const markers = run?.hpChanges ?? NO_CHANGES;
  const method = run?.config.method ?? config.method;
  const rgsm = method === 'rgsm';
  const last = (k: 'test.acc' | 'test.accW' | 'test.accURecal' | 'sparsity.channel' | 'sparsity.weight' | 'train.lr') => run?.series[k]?.values.at(-1);
  const accU = last('test.acc');
  const accURecal = last('test.accURecal');
  const accW = last('test.accW');
  const total = last('sparsity.channel');
  const weight = last('sparsity.weight');
  const lr = last('train.lr');

  return (
    <div className="lab">
      <aside className="panel">
        <h2>Prune settings</h2>
        <PruneConfigForm />
      </aside>
      <section className="main">
        <RunControls lab="prune" prefix="run" />
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
        <PruneCharts series={series} markers={markers} rgsm={rgsm} />
        <div className="prune-views">
          <LayerSparsityBars report={layers} />
          <NormHistogram report={layers} showHardThreshold={rgsm} />
        </div>
        <SparsityHeatmap history={history} totalSteps={run?.config.steps ?? config.steps} />
        <HyperparameterChanges changes={markers} testId="run.hpChanges" />
        <CompactPanel onCompacted={(r) => void attachToRun('prune', r.runId, 'compaction', r)} />
        <LoadModelPanel />
        <RunsPanel />
      </section>
    </div>
  );
}
