import { Readout, formatMsReadout } from '../../components/Readout';
import { selectHpChanges, selectLast, useWorkbench, type WorkbenchState } from '../../../store';
import { HyperparameterChanges } from '../../components/HyperparameterChanges';
import { RunControls } from '../../components/RunControls';
import { formatPercent } from '../../format';
import { useLiveValue } from '../../useLiveValue';
import { AffinityCharts } from './AffinityCharts';
import { AffinityConfigForm } from './AffinityConfigForm';
import { AffinityMapsView } from './AffinityMapsView';
import { AffinityRunsTable } from './AffinityRunsTable';
import { CostPanel } from './CostPanel';
import { EstimatorPanel } from './EstimatorPanel';
import { TeacherPanel } from './TeacherPanel';
import './affinity.css';

const REFRESH_MS = 250;
const selectMarkers = selectHpChanges('affinity');
const selectMaps = (s: WorkbenchState) => s.runs.affinity?.extras.affinityMaps;

/** The latest accuracy and step time (their own subscriptions: an engine event re-renders these, not the lab). */
function AffinityReadouts() {
  const acc = useWorkbench(selectLast('affinity', 'test.acc'));
  const teacherAcc = useWorkbench(selectLast('affinity', 'teacher.acc'));
  const ms = useWorkbench(selectLast('affinity', 'step.ms'));
  return (
    <div className="readouts" aria-live="polite">
      <Readout label="test accuracy" value={acc} format={formatPercent} testId="affinity.accuracy" />
      <Readout label="teacher" value={teacherAcc} format={formatPercent} optional />
      <Readout label="step" value={ms} format={formatMsReadout} optional />
    </div>
  );
}

/** The affinity maps of the latest evaluation, read 4 times a second. */
function LiveMaps() {
  const maps = useLiveValue(selectMaps, REFRESH_MS);
  const testCount = useWorkbench((s) => s.runs.affinity?.config.testSize ?? 0);
  return <AffinityMapsView maps={maps} testCount={testCount} />;
}

/** The Affinity lab: distil an EfficientNet-like student with FA or FFA, watch the affinity loss and its cost live, look at affinity matrices. */
export function AffinityLab() {
  const markers = useWorkbench(selectMarkers);
  return (
    <div className="lab affinity-lab">
      <aside className="panel">
        <h2>Affinity settings</h2>
        <AffinityConfigForm />
      </aside>
      <section className="main">
        <RunControls lab="affinity" prefix="affinity" />
        <AffinityReadouts />
        <TeacherPanel />
        <AffinityCharts markers={markers} />
        <LiveMaps />
        <HyperparameterChanges changes={markers} testId="affinity.hpChanges" />
        <EstimatorPanel />
        <CostPanel />
        <AffinityRunsTable />
      </section>
    </div>
  );
}
