import { useState, type ReactNode } from 'react';
import { getEngine } from '../../client';
import { labSpec, type LabName } from '../../protocol';
import { useWorkbench } from '../../store';
import { formatCount } from '../format';
import { isActive, useActiveLab, useLabConfig, useLabRun } from '../runStatus';
import { DivergenceWarning } from './DivergenceWarning';
import { RunProgress } from './RunProgress';

/**
 * Start / pause / resume / stop of a lab's run, its status and parameter count, the progress bar and the
 * run's error. The config is checked against the lab's schema before Start; another lab's active run
 * blocks Start with a sentence; a run in progress whose series say it diverged gets a warning. Test ids:
 * `<prefix>.start`, `.pause`, `.resume`, `.stop`, `.status`, `.params`, `.startBlocked`, `.invalid`, `.error`, `.diverged`.
 */
export function RunControls({ lab, prefix, children, paramsTitle }: { lab: LabName; prefix: string; children?: ReactNode; paramsTitle?: string }) {
  const run = useLabRun(lab);
  const config = useLabConfig(lab);
  const engineReady = useWorkbench((s) => s.engineStatus === 'ready');
  const activeLab = useActiveLab();
  const [invalid, setInvalid] = useState<string | null>(null);
  const status = run?.status ?? 'idle';
  const active = isActive(status);
  const otherLab = activeLab !== null && activeLab !== lab ? labSpec(activeLab).title : null;
  const blocked = !engineReady ? 'The engine is starting…' : otherLab ? `A ${otherLab} run is going: stop it on the ${otherLab} tab to start here.` : null;
  const engine = getEngine();

  const start = () => {
    const parsed = labSpec(lab).schema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      setInvalid(`Setting ${issue?.path.join('.') || 'config'}: ${issue?.message ?? 'invalid'}.`);
      return;
    }
    setInvalid(null);
    void engine.start(lab, config);
  };

  return (
    <>
      <div className="controls">
        <button type="button" className="primary" data-testid={`${prefix}.start`} disabled={blocked !== null || active} onClick={start}>
          Start
        </button>
        <button type="button" data-testid={`${prefix}.pause`} disabled={status !== 'running' && status !== 'preparing'} onClick={() => void engine.pause()}>
          Pause
        </button>
        <button type="button" data-testid={`${prefix}.resume`} disabled={status !== 'paused'} onClick={() => void engine.resume()}>
          Resume
        </button>
        <button type="button" data-testid={`${prefix}.stop`} disabled={!active} onClick={() => void engine.stop()}>
          Stop
        </button>
        <span className={`status status-${status}`} data-testid={`${prefix}.status`}>
          {status}
        </span>
        {blocked && (
          <span className="muted" data-testid={`${prefix}.startBlocked`}>
            {blocked}
          </span>
        )}
        {run?.params != null && (
          <span className="readout">
            <span title={paramsTitle}>params</span> <b data-testid={`${prefix}.params`}>{formatCount(run.params)}</b>
          </span>
        )}
        {children}
      </div>
      {invalid && (
        <p className="notice notice-error" role="alert" data-testid={`${prefix}.invalid`}>
          {invalid}
        </p>
      )}
      <RunProgress run={run} plannedSteps={config.steps} label={`${labSpec(lab).title} run progress`} />
      <DivergenceWarning lab={lab} prefix={prefix} />
      {run?.error && (
        <p className="notice notice-error" role="alert" data-testid={`${prefix}.error`}>
          {run.error.message}
        </p>
      )}
    </>
  );
}
