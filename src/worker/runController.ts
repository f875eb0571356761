/**
 * The step loop: owns one run at a time, advances it step by step, yields between steps so pause,
 * stop and live hyperparameter changes get through, and reports metrics, progress and status.
 */
import { loadDataset, memorySnapshot, type ImageDataset, type SparsityReport, type TrainingSession } from '../engine';
import type { RunSnapshot } from '../protocol/api';
import { LiveHyperparamsSchema, type LabName, type LiveHyperparams, type TrainConfig } from '../protocol/config';
import type { EngineError, EngineEvent, ProgressInfo, RunStatus } from '../protocol/events';
import { LIVE_KEYS } from '../protocol/params';
import { EtaEstimator } from './eta';
import { yieldToEventLoop } from './yieldToEventLoop';
import { describeError, EngineFault } from './errors';
import { createLabSession } from './sessions';

/** A session that can report its channel sparsity (the Prune lab's). */
interface SparsitySource {
  sparsity(): Promise<SparsityReport>;
}
const hasSparsity = (s: TrainingSession): s is TrainingSession & SparsitySource => typeof (s as Partial<SparsitySource>).sparsity === 'function';

/** What one run needs from its lab: the step budget, how to build its session, and what happens to the session at the end. */
export interface RunPlan {
  steps: number;
  evalEvery: number;
  /** The dataset id the run trains on (a running run's dataset cannot be deleted). */
  dataset: string;
  /** Load the data and build the session; `onDataProgress` gets the data-loading fraction. */
  prepare(onDataProgress: (fraction: number) => void, onBuilding: () => void): Promise<TrainingSession>;
  /** The loop ended with `status`: return true to take over the session (it is not disposed then). */
  finish(session: TrainingSession, status: RunStatus): boolean;
}

/** Shortest interval between two sparsity measurements (the charts redraw at most 4 times a second). */
const SPARSITY_EVERY_MS = 250;

export class RunController {
  private runId: string | null = null;
  private statusValue: RunStatus = 'idle';
  private step = 0;
  private totalSteps = 0;
  private trainer: TrainingSession | null = null;
  private pendingHp: Partial<LiveHyperparams> = {};
  private stopRequested = false;
  private resumeGate: { promise: Promise<void>; open: () => void } | null = null;
  private loopDone: Promise<void> = Promise.resolve();
  private datasetCache: { key: string; data: ImageDataset } | null = null;
  private currentDataset: string | null = null;
  /** The last finished Prune-lab session, kept for compaction and export until the next run starts. */
  private kept: { runId: string; session: TrainingSession; data: ImageDataset; config: TrainConfig } | null = null;

  constructor(
    private readonly emit: (e: EngineEvent) => void,
    private readonly createSession: (config: TrainConfig, data: ImageDataset, lab: LabName) => TrainingSession = (c, d, lab) => createLabSession(lab, c, d),
    private readonly loadData: (config: TrainConfig, onProgress: (fraction: number) => void) => Promise<ImageDataset> = loadDataset,
  ) {}

  get active(): boolean {
    return this.statusValue === 'preparing' || this.statusValue === 'running' || this.statusValue === 'paused';
  }

  snapshot(): RunSnapshot {
    return { runId: this.runId, status: this.statusValue, step: this.step, totalSteps: this.totalSteps, hyperparams: this.trainer?.hyperparams ?? null };
  }

  /** Stop any run in progress, then start this classification (Train/Prune) run (the loop continues in the background). */
  async start(config: TrainConfig, runId: string, lab: LabName = 'train'): Promise<void> {
    let loaded: ImageDataset | null = null;
    await this.startPlan(runId, {
      steps: config.steps,
      evalEvery: config.evalEvery,
      dataset: config.dataset,
      prepare: async (onData, onBuilding) => {
        loaded = await this.getDataset(config, onData);
        onBuilding();
        await yieldToEventLoop();
        return this.createSession(config, loaded, lab);
      },
      finish: (session, status) => {
        if (lab !== 'prune' || status === 'error' || !loaded) return false;
        this.kept = { runId, session, data: loaded, config };
        return true;
      },
    });
  }

  /** Stop any run in progress, then start a run described by a plan (any lab). */
  async startPlan(runId: string, plan: RunPlan): Promise<void> {
    await this.stop();
    this.releaseKept();
    this.runId = runId;
    this.step = 0;
    this.totalSteps = plan.steps;
    this.currentDataset = plan.dataset;
    this.pendingHp = {};
    this.stopRequested = false;
    this.resumeGate = null;
    this.setStatus('preparing');
    this.loopDone = this.loop(plan, runId);
  }

  /** The session of the last finished Prune-lab run (`runId`), if it is still kept. */
  keptSession(runId: string): { session: TrainingSession; data: ImageDataset; config: TrainConfig } | null {
    return this.kept && this.kept.runId === runId && !this.active ? this.kept : null;
  }

  private releaseKept(): void {
    this.kept?.session.dispose();
    this.kept = null;
  }

  /** Whether the run in progress trains on dataset `id`. */
  usesDataset(id: string): boolean {
    return this.active && this.currentDataset === id;
  }

  /** Drop a cached dataset (after it was deleted from storage). */
  forgetDataset(id: string): void {
    if (this.datasetCache?.key === id) this.datasetCache = null;
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

  /** Validate and queue a live change; it applies before the next step and is recorded with that step. */
  setHyperparams(partial: unknown): void {
    const parsed = LiveHyperparamsSchema.safeParse(partial);
    if (!parsed.success) {
      const msg = parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');
      throw new EngineFault('invalid-hyperparams', `Rejected hyperparameter change (${msg}); the run continues unchanged.`);
    }
    if (this.active) this.pendingHp = { ...this.pendingHp, ...parsed.data };
  }

  private setStatus(status: RunStatus, message?: string): void {
    this.statusValue = status;
    if (this.runId) this.emit({ type: 'status', runId: this.runId, status, ...(message ? { message } : {}) });
  }

  private fail(runId: string, error: EngineError): void {
    this.emit({ type: 'error', runId, error });
    this.setStatus('error', error.message);
  }

  private async getDataset(config: TrainConfig, onProgress: (f: number) => void): Promise<ImageDataset> {
    // Imported datasets are fixed; the built-in one depends on seed and sizes.
    const key = config.dataset === 'shapes' ? `shapes:${config.seed}:${config.trainSize}:${config.testSize}` : config.dataset;
    if (this.datasetCache?.key === key) return this.datasetCache.data;
    this.datasetCache = null; // free the old one before loading the next
    const data = await this.loadData(config, onProgress);
    this.datasetCache = { key, data };
    return data;
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

  private applyPendingHyperparams(runId: string, trainer: TrainingSession): void {
    const pending = this.pendingHp;
    this.pendingHp = {};
    const current = trainer.hyperparams;
    for (const key of LIVE_KEYS) {
      const to = pending[key];
      const from = current[key];
      if (to === undefined || from === undefined || to === from) continue; // a key this lab does not use
      this.emit({ type: 'hpChange', runId, change: { step: this.step + 1, key, from, to } });
    }
    trainer.setHyperparams(pending);
  }

  /** Emit the session's per-layer and total sparsity at the current step (Prune lab). */
  private async reportSparsity(runId: string, trainer: TrainingSession & SparsitySource): Promise<void> {
    const r = await trainer.sparsity();
    const report = {
      step: this.step,
      names: r.layers,
      sparsity: r.layerSparsity,
      norms: r.norms,
      groups: r.groups,
      total: r.total,
      weightSparsity: r.weightSparsity,
      zeroThreshold: r.threshold,
      hardThreshold: r.hardThreshold,
      measuredOn: r.measuredOn,
    };
    this.emit({ type: 'layers', runId, report });
    this.emit({
      type: 'metrics',
      runId,
      batches: [
        { series: 'sparsity.channel', steps: [this.step], values: [r.total] },
        { series: 'sparsity.weight', steps: [this.step], values: [r.weightSparsity] },
      ],
    });
  }

  /** Tensor count and memory after the step (a leak shows as a rising tensor count; pruning can grow webgpu's buffer pool). */
  private reportMemory(runId: string): void {
    const m = memorySnapshot();
    const at = [this.step];
    const MB = 2 ** 20;
    this.emit({
      type: 'metrics',
      runId,
      batches: [
        { series: 'memory.tensors', steps: at, values: [m.numTensors] },
        { series: 'memory.mb', steps: at, values: [m.numBytes / MB] },
        ...(m.gpuBytesAllocated !== null ? [{ series: 'memory.gpuAllocatedMb' as const, steps: at, values: [m.gpuBytesAllocated / MB] }] : []),
      ],
    });
  }

  private async loop(plan: RunPlan, runId: string): Promise<void> {
    const config = plan;
    const eta = new EtaEstimator();
    const idle = { epoch: 0, etaSeconds: null, stepsPerSecond: 0, imagesPerSecond: 0 };
    let lastSparsityAt = -Infinity;
    try {
      this.progress(runId, { ...idle, phase: 'loading data', phaseFraction: 0 });
      const trainer = await plan.prepare(
        (f) => this.progress(runId, { ...idle, phase: 'loading data', phaseFraction: f }),
        () => this.progress(runId, { ...idle, phase: 'building model' }),
      );
      this.trainer = trainer;
      if (this.stopRequested) return this.setStatus('stopped');
      this.emit({ type: 'model', runId, params: trainer.numParams, layers: trainer.numLayers });
      await this.waitIfPaused();
      if (this.statusValue === 'preparing') this.setStatus('running');
      const evalsTotal = Math.ceil(config.steps / config.evalEvery);
      while (this.step < config.steps && !this.stopRequested) {
        await this.waitIfPaused();
        if (this.stopRequested) break;
        this.applyPendingHyperparams(runId, trainer);
        const t0 = performance.now();
        const r = await trainer.step();
        const seconds = (performance.now() - t0) / 1000;
        this.step++;
        eta.recordStep(seconds);
        if (!Number.isFinite(r.loss)) {
          return this.fail(runId, {
            code: 'diverged',
            message: `The loss became ${r.loss} at step ${this.step}: training diverged. Lower the learning rate and start again.`,
          });
        }
        this.emit({
          type: 'metrics',
          runId,
          batches: [
            { series: 'train.loss', steps: [this.step], values: [r.loss] },
            { series: 'train.acc', steps: [this.step], values: [r.accuracy] },
            ...(r.lr !== undefined ? [{ series: 'train.lr' as const, steps: [this.step], values: [r.lr] }] : []),
            ...(r.parts
              ? [
                  { series: 'seg.loss.ce' as const, steps: [this.step], values: [r.parts.ce] },
                  { series: 'seg.loss.aux' as const, steps: [this.step], values: [r.parts.aux] },
                  { series: 'seg.loss.kd' as const, steps: [this.step], values: [r.parts.kd] },
                ]
              : []),
          ],
        });
        // Group norms cost a pass over every kernel and a read-back: measure them as often as the UI redraws
        // (every SPARSITY_EVERY_MS), and always at the first, the last and every evaluation step.
        const due =
          this.step === 1 || this.step === config.steps || this.step % config.evalEvery === 0 || performance.now() - lastSparsityAt >= SPARSITY_EVERY_MS;
        if (hasSparsity(trainer) && due) {
          await this.reportSparsity(runId, trainer);
          lastSparsityAt = performance.now();
        }
        this.reportMemory(runId);
        const sps = eta.secondsPerStep ?? seconds;
        const report = (phase: ProgressInfo['phase'], phaseFraction?: number) =>
          this.progress(runId, {
            epoch: trainer.epoch,
            etaSeconds: eta.eta(config.steps - this.step, evalsTotal - Math.floor(this.step / config.evalEvery)),
            stepsPerSecond: 1 / sps,
            imagesPerSecond: r.batchSize / sps,
            phase,
            ...(phaseFraction !== undefined ? { phaseFraction } : {}),
          });
        report('training');
        if (this.step % config.evalEvery === 0 || this.step === config.steps) {
          const e0 = performance.now();
          const ev = await trainer.evaluate((f) => report('evaluating', f));
          eta.recordEval((performance.now() - e0) / 1000);
          this.emit({
            type: 'metrics',
            runId,
            batches: [
              { series: 'test.acc', steps: [this.step], values: [ev.accuracy] },
              { series: 'test.loss', steps: [this.step], values: [ev.loss] },
              ...(ev.accuracyW !== undefined ? [{ series: 'test.accW' as const, steps: [this.step], values: [ev.accuracyW] }] : []),
              ...(ev.seg
                ? [
                    { series: 'seg.miou' as const, steps: [this.step], values: [ev.seg.mIoU] },
                    { series: 'seg.pixelAcc' as const, steps: [this.step], values: [ev.accuracy] },
                  ]
                : []),
            ],
          });
          if (ev.seg) {
            const report = {
              step: this.step,
              mIoU: ev.seg.mIoU,
              pixelAccuracy: ev.accuracy,
              classNames: ev.seg.classNames ?? [],
              perClassIoU: ev.seg.perClassIoU,
            };
            this.emit({ type: 'segEval', runId, report });
          }
          report('training');
        }
        await yieldToEventLoop();
      }
      this.setStatus(this.stopRequested ? 'stopped' : 'done');
    } catch (err) {
      this.fail(runId, describeError(err));
    } finally {
      const session = this.trainer;
      if (session && !plan.finish(session, this.statusValue)) session.dispose();
      this.trainer = null;
      this.resumeGate = null;
    }
  }
}
