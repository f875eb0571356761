import { selectHpChanges, selectLast, useWorkbench } from '../../../store';
import { HyperparameterChanges } from '../../components/HyperparameterChanges';
import { RunControls } from '../../components/RunControls';
import { formatPercent } from '../../format';
import { TrainCharts } from './TrainCharts';
import { TrainConfigForm } from './TrainConfigForm';

const selectMarkers = selectHpChanges('train');
const selectTestAcc = selectLast('train', 'test.acc');

/** The latest test accuracy (its own subscription: an engine event re-renders this, not the lab). */
function TestAccuracy() {
  const lastTest = useWorkbench(selectTestAcc);
  if (lastTest === undefined) return null;
  return (
    <span className="readout">
      test accuracy <b data-testid="run.testAcc">{formatPercent(lastTest)}</b>
    </span>
  );
}

/** The first lab: train a classifier on built-in data and watch loss and accuracy live. */
export function TrainLab() {
  const markers = useWorkbench(selectMarkers);
  return (
    <div className="lab">
      <aside className="panel">
        <h2>Settings</h2>
        <TrainConfigForm />
      </aside>
      <section className="main">
        <RunControls lab="train" prefix="run">
          <TestAccuracy />
        </RunControls>
        <TrainCharts markers={markers} />
        <HyperparameterChanges changes={markers} testId="run.hpChanges" empty="None yet. Move the learning rate while a run is going." />
      </section>
    </div>
  );
}
