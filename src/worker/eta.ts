/** Running estimate of time per step and per evaluation, for progress ETAs. */
export class EtaEstimator {
  private stepSeconds: number | null = null;
  private evalSeconds = 0;
  private timedSteps = 0;

  constructor(private readonly smoothing = 0.1) {}

  /** Record one training step's wall time. The first step (shader compilation, warm-up) is skipped. */
  recordStep(seconds: number): void {
    this.timedSteps++;
    if (this.timedSteps === 1) return;
    this.stepSeconds = this.stepSeconds === null ? seconds : this.stepSeconds + this.smoothing * (seconds - this.stepSeconds);
  }

  recordEval(seconds: number): void {
    this.evalSeconds = this.evalSeconds === 0 ? seconds : this.evalSeconds + 0.3 * (seconds - this.evalSeconds);
  }

  /** Seconds per step, or null before two steps were timed. */
  get secondsPerStep(): number | null {
    return this.stepSeconds;
  }

  /** Seconds left for `steps` more steps and `evals` more evaluations, or null if unknown yet. */
  eta(steps: number, evals: number): number | null {
    if (this.stepSeconds === null) return null;
    return steps * this.stepSeconds + evals * this.evalSeconds;
  }
}
