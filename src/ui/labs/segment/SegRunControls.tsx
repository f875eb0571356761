import { useState } from 'react';
import { getEngine } from '../../../client';
import { SegConfigSchema } from '../../../protocol/segment';
import { useWorkbench } from '../../../store';
import { RunProgress } from '../../components/RunProgress';
import { formatCount } from '../../format';
import { isActive } from './segStatus';

/** Why Start is off (null when it is on). */
function blocker(engineReady: boolean, segActive: boolean, otherLab: string | null): string | null {
  if (!engineReady) return 'The engine is starting…';
  if (segActive) return null;
  if (otherLab) return `A ${otherLab} run is going: stop it on the ${otherLab[0]!.toUpperCase()}${otherLab.slice(1)} tab to start here.`;
  return null;
}

/** Start / pause / resume / stop of the segmentation run, its status and parameter count. */
export function SegRunControls() {
  const run = useWorkbench((s) => s.segRun);
  const config = useWorkbench((s) => s.segConfig);
  const engineReady = useWorkbench((s) => s.engineStatus === 'ready');
  const otherLab = useWorkbench((s) => (s.run && isActive(s.run.status) ? s.run.lab : null));
  const [invalid, setInvalid] = useState<string | null>(null);
  const status = run?.status ?? 'idle';
  const active = isActive(status);
  const why = blocker(engineReady, active, otherLab);
  const engine = getEngine();

  const start = () => {
    const parsed = SegConfigSchema.safeParse(config);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      setInvalid(`Setting ${issue?.path.join('.') || 'config'}: ${issue?.message ?? 'invalid'}.`);
      return;
    }
    setInvalid(null);
    void engine.startSegment(parsed.data);
  };

  return (
    <>
      <div className="controls">
        <button type="button" className="primary" data-testid="seg.start" disabled={why !== null || active} onClick={start}>
          Start
        </button>
        <button type="button" data-testid="seg.pause" disabled={status !== 'running' && status !== 'preparing'} onClick={() => void engine.pause()}>
          Pause
        </button>
        <button type="button" data-testid="seg.resume" disabled={status !== 'paused'} onClick={() => void engine.resume()}>
          Resume
        </button>
        <button type="button" data-testid="seg.stop" disabled={!active} onClick={() => void engine.stop()}>
          Stop
        </button>
        <span className={`status status-${status}`} data-testid="seg.status">
          {status}
        </span>
        {why && (
          <span className="muted" data-testid="seg.startBlocked">
            {why}
          </span>
        )}
        {run?.params != null && (
          <span className="readout">
            <span title="Trainable params of the model being trained (the zoo shows the deployed model)">params</span>{' '}
            <b data-testid="seg.params">{formatCount(run.params)}</b>
          </span>
        )}
      </div>
      {invalid && (
        <p className="notice notice-error" role="alert" data-testid="seg.invalid">
          {invalid}
        </p>
      )}
      <RunProgress run={run} plannedSteps={config.steps} label="Segmentation run progress" />
      {run?.error && (
        <p className="notice notice-error" role="alert" data-testid="seg.error">
          {run.error.message}
        </p>
      )}
    </>
  );
}
