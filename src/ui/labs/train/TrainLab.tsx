import type { HyperparamChange } from '../../../protocol';
import { HyperparameterChanges } from '../../components/HyperparameterChanges';
import { RunControls } from '../../components/RunControls';
import { formatPercent } from '../../format';
import { useLabRun } from '../../runStatus';
import { useThrottledValue } from '../../useThrottledValue';
import { TrainCharts } from './TrainCharts';
import { TrainConfigForm } from './TrainConfigForm';

const CHART_REFRESH_MS = 250;
const NO_CHANGES: readonly HyperparamChange[] = [];

/** The first lab: train a classifier on built-in data and watch loss and accuracy live. */
export function TrainLab() {
  const run = useLabRun('train');
  const lastTest = run?.series['test.acc']?.values.at(-1);
  const markers = run?.hpChanges ?? NO_CHANGES;
  // Charts are the costly part of a render: redraw them at most 4 times a second.
  const series = useThrottledValue(run?.series, CHART_REFRESH_MS);

  return (
    <div className="lab">
      <aside className="panel">
        <h2>Settings</h2>
        <TrainConfigForm />
      </aside>
      <section className="main">
        <RunControls lab="train" prefix="run">
          {lastTest !== undefined && (
            <span className="readout">
              test accuracy <b data-testid="run.testAcc">{formatPercent(lastTest)}</b>
            </span>
          )}
        </RunControls>
        <TrainCharts series={series} markers={markers} />
        <HyperparameterChanges changes={markers} testId="run.hpChanges" empty="None yet. Move the learning rate while a run is going." />
      </section>
    </div>
  );
}
