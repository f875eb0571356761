/**
 * The step loop: owns one run at a time (of any lab: it names none), advances it step by step, yields
 * between steps so pause, stop and live hyperparameter changes get through, and reports the session's
 * series, extras, progress, memory and status.
 */
import { memorySnapshot, type Observation, type SeriesValues, type TrainingSession } from '../engine';
import type { RunSnapshot } from '../protocol/api';
import type { EngineError, EngineEvent, MetricBatch, ProgressInfo, RunStatus } from '../protocol/events';
import { labSpec, type LabName, type LiveHyperparams, type LiveKey, type SeriesName } from '../protocol/labs';
import { describeError, EngineFault } from './errors';
import { EtaEstimator } from './eta';
import type { RunPlan } from './labs/types';
import { yieldToEventLoop } from './yieldToEventLoop';

/** Shortest interval between two observations (the charts redraw at most 4 times a second). */
const OBSERVE_EVERY_MS = 250;

/** Metric batches of one step's values. */
function batchesOf(values: SeriesValues, step: number): MetricBatch[] {
  return (Object.entries(values) as [SeriesName, number | undefined][]).flatMap(([series, v]) =>
    v === undefined ? [] : [{ series, steps: [step], values: [v] }],
  );
}

export class RunController {
  private runId: string | null = null;
  private lab: LabName | null = null;
  private statusValue: RunStatus = 'idle';
  private step = 0;
  private totalSteps = 0;
  private session: TrainingSession | null = null;
  private pendingHp: Partial<LiveHyperparams> = {};
  private stopRequested = false;
  private resumeGate: { promise: Promise<void>; open: () => void } | null = null;
  private loopDone: Promise<void> = Promise.resolve();
  private currentDataset: string | null = null;

  constructor(private readonly emit: (e: EngineEvent) => void) {}

  get active(): boolean {
    return this.statusValue === 'preparing' || this.statusValue === 'running' || this.statusValue === 'paused';
  }

  snapshot(): RunSnapshot {
    return {
      runId: this.runId,
      lab: this.lab,
      status: this.statusValue,
      step: this.step,
      totalSteps: this.totalSteps,
      hyperparams: this.session?.hyperparams ?? null,
    };
  }

  /** Stop any run in progress, then start a run of `lab` described by its plan (the loop continues in the background). */
  async start(runId: string, lab: LabName, plan: RunPlan): Promise<void> {
    await this.stop();
    this.runId = runId;
    this.lab = lab;
    this.step = 0;
    this.totalSteps = plan.steps;
    this.currentDataset = plan.dataset;
    this.pendingHp = {};
    this.stopRequested = false;
    this.resumeGate = null;
    this.setStatus('preparing');
    this.loopDone = this.loop(plan, runId);
  }

  /** Whether the run in progress trains on dataset `id`. */
  usesDataset(id: string): boolean {
    return this.active && this.currentDataset === id;
  }

  pause(): void {
    if (this.statusValue !== 'running' && this.statusValue !== 'preparing') return;
    if (!this.resumeGate) {
      let open = () => {};
      const promise = new Promise<void>((r) => (open = r));
      this.resumeGate = { promise, open };
    }
  }

  resume(): void {
    const gate = this.resumeGate;
    this.resumeGate = null;
    gate?.open();
  }

  async stop(): Promise<void> {
    if (!this.active) return;
    this.stopRequested = true;
    this.resume();
    await this.loopDone;
  }

  /**
   * Validate a live change against `lab`'s live keys and queue it; it applies before the next step and is
   * recorded with that step. A change for a lab that is not running is validated and dropped.
   */
  setHyperparams(lab: LabName, partial: unknown): void {
    const parsed = labSpec(lab).liveSchema.safeParse(partial);
    if (!parsed.success) {
      const msg = parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');
      throw new EngineFault('invalid-hyperparams', `Rejected hyperparameter change (${msg}); the run continues unchanged.`);
    }
    if (this.active && this.lab === lab) this.pendingHp = { ...this.pendingHp, ...(parsed.data as Partial<LiveHyperparams>) };
  }

  private setStatus(status: RunStatus, message?: string): void {
    this.statusValue = status;
    if (this.runId) this.emit({ type: 'status', runId: this.runId, status, ...(message ? { message } : {}) });
  }

  private fail(runId: string, error: EngineError): void {
    this.emit({ type: 'error', runId, error });
    this.setStatus('error', error.message);
  }

  private progress(runId: string, p: Omit<ProgressInfo, 'totalSteps' | 'step'>): void {
    this.emit({ type: 'progress', runId, progress: { step: this.step, totalSteps: this.totalSteps, ...p } });
  }

  private async waitIfPaused(): Promise<void> {
    if (!this.resumeGate) return;
    this.setStatus('paused');
    await this.resumeGate.promise;
    if (!this.stopRequested) this.setStatus('running');
  }

  private applyPendingHyperparams(runId: string, session: TrainingSession): void {
    const pending = this.pendingHp;
    this.pendingHp = {};
    const current = session.hyperparams;
    for (const [key, to] of Object.entries(pending) as [LiveKey, number | undefined][]) {
      const from = current[key];
      if (to === undefined || from === undefined || to === from) continue; // a key this session does not use
      this.emit({ type: 'hpChange', runId, change: { step: this.step + 1, key, from, to } });
    }
    session.setHyperparams(pending);
  }

  /** Emit an observation's series (at the current step) and its extras. */
  private report(runId: string, o: Observation): void {
    const batches = batchesOf(o.values, this.step);
    if (batches.length > 0) this.emit({ type: 'metrics', runId, batches });
    for (const extra of o.extras ?? []) this.emit({ type: 'extra', runId, extra });
  }

  /** Tensor count and memory after the step (a leak shows as a rising tensor count; pruning can grow webgpu's buffer pool). */
  private reportMemory(runId: string): void {
    const m = memorySnapshot();
    const MB = 2 ** 20;
    const values: SeriesValues = { 'memory.tensors': m.numTensors, 'memory.mb': m.numBytes / MB };
    if (m.gpuBytesAllocated !== null) values['memory.gpuAllocatedMb'] = m.gpuBytesAllocated / MB;
    this.emit({ type: 'metrics', runId, batches: batchesOf(values, this.step) });
  }

  private async loop(plan: RunPlan, runId: string): Promise<void> {
    const eta = new EtaEstimator();
    const idle = { epoch: 0, etaSeconds: null, stepsPerSecond: 0, imagesPerSecond: 0 };
    let lastObservedAt = -Infinity;
    try {
      this.progress(runId, { ...idle, phase: 'loading data', phaseFraction: 0 });
      const session = await plan.prepare(
        (f) => this.progress(runId, { ...idle, phase: 'loading data', phaseFraction: f }),
        () => this.progress(runId, { ...idle, phase: 'building model' }),
      );
      this.session = session;
      // Data loading and model building run mostly synchronously: let a stop, a ping or a heartbeat through before the first step.
      await yieldToEventLoop();
      if (this.stopRequested) return this.setStatus('stopped');
      this.emit({ type: 'model', runId, params: session.numParams, layers: session.numLayers });
      await this.waitIfPaused();
      if (this.statusValue === 'preparing') this.setStatus('running');
      const evalsTotal = Math.ceil(plan.steps / plan.evalEvery);
      while (this.step < plan.steps && !this.stopRequested) {
        await this.waitIfPaused();
        if (this.stopRequested) break;
        this.applyPendingHyperparams(runId, session);
        const t0 = performance.now();
        const r = await session.step();
        const seconds = (performance.now() - t0) / 1000;
        this.step++;
        eta.recordStep(seconds);
        if (!Number.isFinite(r.loss)) {
          return this.fail(runId, {
            code: 'diverged',
            message: `The loss became ${r.loss} at step ${this.step}: training diverged. Lower the learning rate and start again.`,
          });
        }
        this.report(runId, { values: r.values });
        const evalStep = this.step % plan.evalEvery === 0 || this.step === plan.steps;
        // Observations (e.g. group norms: a pass over every kernel and a read-back) come as often as the UI
        // redraws, and always at the first, the last and every evaluation step.
        if (session.observe && (this.step === 1 || evalStep || performance.now() - lastObservedAt >= OBSERVE_EVERY_MS)) {
          this.report(runId, await session.observe());
          lastObservedAt = performance.now();
        }
        this.reportMemory(runId);
        const sps = eta.secondsPerStep ?? seconds;
        const progress = (phase: ProgressInfo['phase'], phaseFraction?: number) =>
          this.progress(runId, {
            epoch: session.epoch,
            etaSeconds: eta.eta(plan.steps - this.step, evalsTotal - Math.floor(this.step / plan.evalEvery)),
            stepsPerSecond: 1 / sps,
            imagesPerSecond: r.batchSize / sps,
            phase,
            ...(phaseFraction !== undefined ? { phaseFraction } : {}),
          });
        progress('training');
        if (evalStep) {
          const e0 = performance.now();
          const ev = await session.evaluate((f) => progress('evaluating', f));
          eta.recordEval((performance.now() - e0) / 1000);
          this.report(runId, ev);
          progress('training');
        }
        await yieldToEventLoop();
      }
      this.setStatus(this.stopRequested ? 'stopped' : 'done');
    } catch (err) {
      this.fail(runId, describeError(err));
    } finally {
      const session = this.session;
      if (session && !plan.finish(session, this.statusValue)) session.dispose();
      this.session = null;
      this.resumeGate = null;
    }
  }
}
