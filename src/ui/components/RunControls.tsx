import { getEngine } from '../../client';
import type { LabName } from '../../protocol';
import { useWorkbench } from '../../store';
import { formatCount } from '../format';

const ACTIVE = ['running', 'paused', 'preparing'];

/** Start / pause / resume / stop of a lab's run, its status and parameter count. Another lab's active run blocks Start. */
export function RunControls({ lab, children }: { lab: LabName; children?: React.ReactNode }) {
  const run = useWorkbench((s) => s.run);
  const config = useWorkbench((s) => s.config);
  const engineReady = useWorkbench((s) => s.engineStatus === 'ready');
  const mine = run?.lab === lab ? run : null;
  const status = mine?.status ?? 'idle';
  const active = ACTIVE.includes(status);
  const segActive = useWorkbench((s) => s.segRun !== null && ACTIVE.includes(s.segRun.status));
  const otherLab = run !== null && run.lab !== lab && ACTIVE.includes(run.status) ? run.lab : segActive ? 'segment' : null;
  const otherActive = otherLab !== null;
  const engine = getEngine();
  return (
    <div className="controls">
      <button type="button" data-testid="run.start" disabled={!engineReady || active || otherActive} onClick={() => void engine.start(config, lab)}>
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
      {otherActive && <span className="muted">A {otherLab} run is going; stop it to start here.</span>}
      {mine?.params != null && (
        <span className="readout">
          params <b data-testid="run.params">{formatCount(mine.params)}</b>
        </span>
      )}
      {children}
    </div>
  );
}
