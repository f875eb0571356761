import { getEngine } from '../../../client';
import { useWorkbench } from '../../../store';
import { RunProgress } from '../../components/RunProgress';
import type { HyperparamChange } from '../../../protocol';
import { formatCount, formatHp, formatPercent } from '../../format';
import { useThrottledValue } from '../../useThrottledValue';
import { ConfigForm } from './ConfigForm';
import { TrainCharts } from './TrainCharts';

const CHART_REFRESH_MS = 250;
const NO_CHANGES: readonly HyperparamChange[] = [];

/** The first lab: train a classifier on built-in data and watch loss and accuracy live. */
export function TrainLab() {
  const run = useWorkbench((s) => s.run);
  const config = useWorkbench((s) => s.config);
  const engineReady = useWorkbench((s) => s.engineStatus === 'ready');
  const status = run?.status ?? 'idle';
  const active = status === 'running' || status === 'paused' || status === 'preparing';
  const engine = getEngine();
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
        <div className="controls">
          <button type="button" data-testid="run.start" disabled={!engineReady || active} onClick={() => void engine.start(config)}>
            Start
          </button>
          <button type="button" data-testid="run.pause" disabled={status !== 'running' && status !== 'preparing'} onClick={() => void engine.pause()}>
            Pause
          </button>
          <button type="button" data-testid="run.resume" disabled={status !== 'paused'} onClick={() => void engine.resume()}>
            Resume
          </button>
          <button type="button" data-testid="run.stop" disabled={!active} onClick={() => void engine.stop()}>
            Stop
          </button>
          <span className={`status status-${status}`} data-testid="run.status">
            {status}
          </span>
          {run?.params != null && (
            <span className="readout">
              params <b data-testid="run.params">{formatCount(run.params)}</b>
            </span>
          )}
          {lastTest !== undefined && (
            <span className="readout">
              test accuracy <b data-testid="run.testAcc">{formatPercent(lastTest)}</b>
            </span>
          )}
        </div>
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
