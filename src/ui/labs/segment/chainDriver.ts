/**
 * "Train the chain": runs the stages (chain.ts) one after another, each as an ordinary Segment run (the runs table,
 * the model library), starting the next when the previous ended 'done' and its model holds its zoo slot. A finished
 * stage's model takes its slot even when the zoo held a better one (the next stage must distil from this chain's model):
 * when the run's own finish did not put it there, the driver picks the kept model into the slot (the zoo's `useInZoo`,
 * remembered across reloads; the replaced model stays in the library and "Restore shipped models" brings the shipped ones
 * back). A stopped stage pauses the chain, a failed one stops it with its error sentence; Resume goes on from the first
 * stage not done. The state is saved after every change (the host's storage), so a reload finds the chain paused.
 * A live setting moved during a stage (a slider: the engine applies it to that stage's run) carries on to the stages
 * after it, so the next stage starts with what the sliders show.
 */
import type { EngineError, HyperparamChange, ProgressInfo, RunStatus } from '../../../protocol/events';
import type { SegConfig, SegSizeName, SegSlot, SegZooInfo } from '../../../protocol/labs/segment';
import {
  chainConfigProblem,
  newChain,
  nextStage,
  parseChain,
  withLiveChanges,
  type ChainPlan,
  type ChainStage,
  type ChainStageId,
  type ChainState,
} from './chain';

/** Stage names in sentences. */
export const STAGE_NAMES: Record<ChainStageId, string> = {
  teacher: 'teacher',
  'teacher-finetune': 'teacher (second phase)',
  tutor: 'tutor',
  'student-bilinear': 'student (bilinear)',
  'student-pixelshuffle': 'student (PixelShuffle)',
};

/** What the driver reads of the live Segment run. */
export interface ChainRun {
  id: string;
  status: RunStatus;
  progress: ProgressInfo | null;
  error: EngineError | null;
  /** The live settings moved during the run (the sliders' markers), oldest first. */
  hpChanges: readonly HyperparamChange[];
}

/** The driver's world: the engine, the store and the storage (the UI gives the real ones, tests fakes). */
export interface ChainHost {
  /** Start a Segment run (an ordinary one) and return its id at once; a start the engine refuses ends that run with 'error'. */
  start(config: SegConfig): string;
  /** Stop the run in progress. */
  stop(): Promise<void>;
  /** The live Segment run (the latest), or null. */
  run(): ChainRun | null;
  /** Whether any lab's run holds the engine. */
  anyActive(): boolean;
  /** Follow changes of the run, the model library and the zoo; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** The zoo as the worker holds it now. */
  zoo(): Promise<SegZooInfo>;
  /** The model library's id of the model a run kept, once it is listed. */
  keptModel(runId: string): string | null;
  /** Put a library model into a zoo slot; null when done, else the sentence why not. */
  useInZoo(size: SegSizeName, slot: SegSlot, modelId: string): Promise<string | null>;
  load(): string | null;
  save(text: string | null): void;
  now(): number;
}

const ACTIVE: readonly RunStatus[] = ['preparing', 'running', 'paused'];

export class ChainDriver {
  private state: ChainState | null;
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribe: () => void;
  /** Stop was asked: the chain pauses when the stage in progress ends (or at once between stages). */
  private stopAsked = false;
  /** A finished stage's model is being put into its slot: store changes meanwhile are not looked at. */
  private claiming = false;
  /** The measured seconds per step of the stage in progress. */
  private liveSecondsPerStep: number | null = null;

  constructor(
    private readonly host: ChainHost,
    /** How long a finished stage's model may take to reach the library before the chain gives up. */
    private readonly keepWaitMs = 60_000,
  ) {
    let s = parseChain(host.load());
    if (s?.status === 'running') {
      // The page that ran it is gone (reloaded or closed): the stage's run ended with it.
      const k = nextStage(s);
      const name = STAGE_NAMES[s.stages[k]!.id];
      s = {
        ...s,
        status: 'paused',
        stages: s.stages.map((st, i) => (i === k && st.status === 'running' ? { ...st, status: 'stopped' } : st)),
        message: `The page was reloaded or closed during the ${name} stage; Resume chain runs it again from its start (finished stages keep their zoo slots).`,
      };
      host.save(JSON.stringify(s));
    }
    this.state = s;
    this.unsubscribe = host.subscribe(() => this.onHost());
  }

  /** The chain now (a new object after every change), or null when there is none. */
  readonly getState = (): ChainState | null => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  dispose(): void {
    this.unsubscribe();
    this.listeners.clear();
  }

  /** Start a new chain from the form's settings and the per-stage plan (a paused or finished one is dropped); null, or why it cannot start. */
  start(form: SegConfig, plan: ChainPlan = {}): string | null {
    if (this.state?.status === 'running') return 'A chain is running: stop it first.';
    const problem = chainConfigProblem(form, plan);
    if (problem) return problem;
    if (this.host.anyActive()) return 'A run holds the engine: stop it before training the chain.';
    this.stopAsked = false;
    this.set(newChain(form, this.host.now(), plan));
    this.startStage(0);
    return null;
  }

  /** Stop the stage in progress (its run ends as stopped) and pause the chain. */
  async stop(): Promise<void> {
    const s = this.state;
    if (s?.status !== 'running') return;
    this.stopAsked = true;
    const stage = s.stages[nextStage(s)];
    const run = this.host.run();
    if (stage && run && run.id === stage.runId && ACTIVE.includes(run.status)) await this.host.stop();
  }

  /** Go on from the first stage not done; null, or why it cannot. */
  resume(): string | null {
    const s = this.state;
    if (!s || (s.status !== 'paused' && s.status !== 'failed')) return 'There is no paused chain to resume.';
    if (this.host.anyActive()) return 'A run holds the engine: stop it before resuming the chain.';
    this.stopAsked = false;
    const k = nextStage(s);
    if (k < 0) {
      this.update({ status: 'done', message: null });
      return null;
    }
    this.startStage(k);
    return null;
  }

  /** Forget a chain that does not run (its runs and models stay). */
  dismiss(): void {
    if (this.state?.status === 'running') return;
    this.set(null);
  }

  private set(s: ChainState | null): void {
    this.state = s;
    this.host.save(s ? JSON.stringify(s) : null);
    for (const l of this.listeners) l();
  }

  private update(change: Partial<ChainState>): void {
    if (this.state) this.set({ ...this.state, ...change });
  }

  private withStage(k: number, change: Partial<ChainStage>): ChainStage[] {
    return this.state!.stages.map((st, i) => (i === k ? { ...st, ...change } : st));
  }

  private startStage(k: number): void {
    const stage = this.state!.stages[k]!;
    if (this.host.anyActive()) {
      this.update({
        status: 'paused',
        message: `Another run holds the engine, so the ${STAGE_NAMES[stage.id]} stage did not start: Resume chain once it ends.`,
      });
      return;
    }
    this.liveSecondsPerStep = null;
    // Marked before the start: the run's first store change then already belongs to this stage.
    this.update({ status: 'running', message: null, stages: this.withStage(k, { status: 'running', runId: null, secondsPerStep: null }) });
    const runId = this.host.start(stage.config);
    this.update({ stages: this.withStage(k, { runId }) });
    this.onHost();
  }

  /** A store change: follow the live run of the stage in progress, and act when it ends. */
  private onHost(): void {
    const s = this.state;
    if (s?.status !== 'running' || this.claiming) return;
    const k = nextStage(s);
    const stage = s.stages[k];
    if (stage?.status !== 'running' || !stage.runId) return;
    const run = this.host.run();
    if (run?.id !== stage.runId) return;
    const sps = run.progress?.stepsPerSecond ?? 0;
    if (sps > 0 && (run.progress?.step ?? 0) > 0) this.liveSecondsPerStep = 1 / sps;
    const carried = withLiveChanges(s, k, run.hpChanges);
    if (carried) this.update({ stages: carried });
    const name = STAGE_NAMES[stage.id];
    switch (run.status) {
      case 'done':
        void this.finishStage(k, run.id);
        break;
      case 'stopped':
        this.stopAsked = false;
        this.update({
          status: 'paused',
          stages: this.withStage(k, { status: 'stopped' }),
          message: `Stopped during the ${name} stage at step ${run.progress?.step ?? 0} / ${stage.config.steps}; Resume chain runs it again from its start.`,
        });
        break;
      case 'error':
      case 'interrupted':
        this.stopAsked = false;
        this.update({
          status: 'failed',
          stages: this.withStage(k, { status: 'error' }),
          message: `The ${name} stage failed: ${run.error?.message ?? `its run ended as ${run.status}.`}`,
        });
        break;
      default:
    }
  }

  /** The stage's run is done: its model takes its slot, then the next stage starts (or the chain pauses or ends). */
  private async finishStage(k: number, runId: string): Promise<void> {
    this.claiming = true;
    const stage = this.state!.stages[k]!;
    let problem: string | null;
    try {
      problem = await this.claimSlot(stage, runId);
    } catch (err) {
      problem = `The ${STAGE_NAMES[stage.id]}'s model could not take its zoo slot (${err instanceof Error ? err.message : String(err)}).`;
    }
    this.claiming = false;
    if (problem) {
      this.stopAsked = false;
      this.update({ status: 'failed', stages: this.withStage(k, { status: 'error' }), message: problem });
      return;
    }
    this.update({ stages: this.withStage(k, { status: 'done', secondsPerStep: this.liveSecondsPerStep }) });
    const next = nextStage(this.state!);
    if (next < 0) {
      const c = stage.config;
      this.update({ status: 'done', message: `Done: the four models hold their zoo slots at the ${c.size} size.` });
    } else if (this.stopAsked) {
      this.stopAsked = false;
      this.update({
        status: 'paused',
        message: `Stopped after the ${STAGE_NAMES[stage.id]} stage; Resume chain goes on with the ${STAGE_NAMES[this.state!.stages[next]!.id]}.`,
      });
    } else this.startStage(next);
  }

  /** Put a finished stage's model into its slot unless the run's finish already did; null, or the sentence why it could not. */
  private async claimSlot(stage: ChainStage, runId: string): Promise<string | null> {
    const { size } = stage.config;
    const zoo = await this.host.zoo();
    if (zoo.entries.some((e) => e.size === size && e.slot === stage.slot && e.origin === runId)) return null;
    const id = await this.waitKept(runId);
    const name = STAGE_NAMES[stage.id];
    if (!id)
      return `The ${name}'s model (run ${runId}) did not reach the model library within ${Math.round(this.keepWaitMs / 1000)} s, so it could not take its zoo slot and the next stage would distil from another model: check the storage notices, then Resume chain (it trains the ${name} again).`;
    const refused = await this.host.useInZoo(size, stage.slot, id);
    return refused ? `The ${name}'s model could not take its zoo slot: ${refused}` : null;
  }

  private waitKept(runId: string): Promise<string | null> {
    const now = this.host.keptModel(runId);
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => {
      const end = (id: string | null) => {
        clearTimeout(timer);
        unsubscribe();
        resolve(id);
      };
      const timer = setTimeout(() => end(null), this.keepWaitMs);
      const unsubscribe = this.host.subscribe(() => {
        const id = this.host.keptModel(runId);
        if (id) end(id);
      });
    });
  }
}
