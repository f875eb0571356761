import type { ProgressInfo, RunStatus } from '../../protocol';
import { formatDuration } from '../format';
import { ProgressBar } from './ProgressBar';

/** What the bar needs of any lab's run. */
interface ProgressOf {
  progress: ProgressInfo | null;
  status: RunStatus;
  config: { steps: number };
}

/** Progress bar with step counter, epoch, throughput and ETA of a run (any lab's). */
export function RunProgress({ run, plannedSteps, label = 'Run progress' }: { run: ProgressOf | null; plannedSteps: number; label?: string }) {
  const p = run?.progress;
  const total = p?.totalSteps ?? run?.config.steps ?? plannedSteps;
  const step = p?.step ?? 0;
  const training = p && (p.phase === 'training' || p.phase === 'evaluating');
  const fraction = training || !p ? (total ? step / total : 0) : (p.phaseFraction ?? 0);
  let caption: string = run?.status === 'preparing' ? 'preparing…' : 'idle';
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
        label={label}
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
