import { useWorkbench } from '../../../store';
import { RunProgress } from '../../components/RunProgress';
import type { HyperparamChange } from '../../../protocol';
import { formatHp, formatPercent } from '../../format';
import { RunControls } from '../../components/RunControls';
import { useThrottledValue } from '../../useThrottledValue';
import { ConfigForm } from './ConfigForm';
import { TrainCharts } from './TrainCharts';

const CHART_REFRESH_MS = 250;
const NO_CHANGES: readonly HyperparamChange[] = [];

/** The first lab: train a classifier on built-in data and watch loss and accuracy live. */
export function TrainLab() {
  const run = useWorkbench((s) => (s.run?.lab === 'train' ? s.run : null));
  const config = useWorkbench((s) => s.config);
  const lastTest = run?.series['test.acc']?.values.at(-1);
  const markers = run?.hpChanges ?? NO_CHANGES;
  // Charts are the costly part of a render: redraw them at most 4 times a second.
  const series = useThrottledValue(run?.series, CHART_REFRESH_MS);

  return (
    <div className="lab">
      <aside className="panel">
        <h2>Settings</h2>
        <ConfigForm />
      </aside>
      <section className="main">
        <RunControls lab="train">
          {lastTest !== undefined && (
            <span className="readout">
              test accuracy <b data-testid="run.testAcc">{formatPercent(lastTest)}</b>
            </span>
          )}
        </RunControls>
        <RunProgress run={run} plannedSteps={config.steps} />
        {run?.error && (
          <p className="notice notice-error" role="alert" data-testid="run.error">
            {run.error.message}
          </p>
        )}
        <TrainCharts series={series} markers={markers} />
        <section className="hp-changes">
          <h3>Hyperparameter changes</h3>
          {markers.length === 0 ? (
            <p className="muted">None yet. Move the learning rate while a run is going.</p>
          ) : (
            <ol data-testid="run.hpChanges">
              {markers.map((m, i) => (
                <li key={i}>
                  step {m.step}: {m.key} {formatHp(m.from)} → {formatHp(m.to)}
                </li>
              ))}
            </ol>
          )}
        </section>
      </section>
    </div>
  );
}
