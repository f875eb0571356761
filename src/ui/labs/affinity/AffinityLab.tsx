import type { HyperparamChange } from '../../../protocol';
import { HyperparameterChanges } from '../../components/HyperparameterChanges';
import { RunControls } from '../../components/RunControls';
import { formatPercent } from '../../format';
import { useLabRun } from '../../runStatus';
import { useThrottledValue } from '../../useThrottledValue';
import { AffinityCharts } from './AffinityCharts';
import { AffinityConfigForm } from './AffinityConfigForm';
import { AffinityMapsView } from './AffinityMapsView';
import { AffinityRunsTable } from './AffinityRunsTable';
import { CostPanel } from './CostPanel';
import { EstimatorPanel } from './EstimatorPanel';
import { TeacherPanel } from './TeacherPanel';
import './affinity.css';

const REFRESH_MS = 250;
const NO_CHANGES: readonly HyperparamChange[] = [];

/** The Affinity lab: distil an EfficientNet-like student with FA or FFA, watch the affinity loss and its cost live, look at affinity matrices. */
export function AffinityLab() {
  const run = useLabRun('affinity');
  const series = useThrottledValue(run?.series, REFRESH_MS);
  const maps = useThrottledValue(run?.extras.affinityMaps, REFRESH_MS);
  const markers = run?.hpChanges ?? NO_CHANGES;
  const acc = run?.series['test.acc']?.values.at(-1);
  const teacherAcc = run?.series['teacher.acc']?.values.at(-1);
  const ms = run?.series['step.ms']?.values.at(-1);
  return (
    <div className="lab affinity-lab">
      <aside className="panel">
        <h2>Affinity settings</h2>
        <AffinityConfigForm />
      </aside>
      <section className="main">
        <RunControls lab="affinity" prefix="affinity" />
        <div className="readouts" aria-live="polite">
          <span className="readout">
            test accuracy <b data-testid="affinity.accuracy">{acc === undefined ? '—' : formatPercent(acc)}</b>
          </span>
          {teacherAcc !== undefined && (
            <span className="readout">
              teacher <b>{formatPercent(teacherAcc)}</b>
            </span>
          )}
          {ms !== undefined && (
            <span className="readout">
              step <b>{ms.toFixed(0)} ms</b>
            </span>
          )}
        </div>
        <TeacherPanel />
        <AffinityCharts series={series} markers={markers} />
        <AffinityMapsView maps={maps} testCount={run?.config.testSize ?? 0} />
        <HyperparameterChanges changes={markers} testId="affinity.hpChanges" />
        <EstimatorPanel />
        <CostPanel />
        <AffinityRunsTable />
      </section>
    </div>
  );
}
