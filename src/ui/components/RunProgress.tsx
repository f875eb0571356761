import type { RunState } from '../../store';
import { formatDuration } from '../format';
import { ProgressBar } from './ProgressBar';

/** Progress bar with step counter, epoch, throughput and ETA of the current run. */
export function RunProgress({ run, plannedSteps }: { run: RunState | null; plannedSteps: number }) {
  const p = run?.progress;
  const total = p?.totalSteps ?? run?.config.steps ?? plannedSteps;
  const step = p?.step ?? 0;
  const training = p && (p.phase === 'training' || p.phase === 'evaluating');
  const fraction = training || !p ? (total ? step / total : 0) : (p.phaseFraction ?? 0);
  let caption = 'idle';
  if (p) {
    const eta = p.etaSeconds === null ? 'ETA estimating…' : `ETA ${formatDuration(p.etaSeconds)}`;
    caption =
      p.phase === 'training' || p.phase === 'evaluating'
        ? `${p.phase === 'evaluating' ? `evaluating ${Math.round((p.phaseFraction ?? 0) * 100)}% · ` : ''}epoch ${p.epoch.toFixed(2)} · ${p.imagesPerSecond.toFixed(1)} img/s · ${run?.status === 'running' ? eta : run?.status}`
        : `${p.phase}${p.phaseFraction !== undefined ? ` ${Math.round(p.phaseFraction * 100)}%` : ''}…`;
  }
  return (
    <div className="progress">
      <ProgressBar
        fraction={fraction}
        label="Run progress"
        testId="run.progress"
        statusTestId="run.eta"
        caption={
          <span data-testid="run.step">
            step {step} / {total}
          </span>
        }
        status={caption}
      />
    </div>
  );
}
