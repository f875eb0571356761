/** The typed contract between the UI (through client/) and the worker. */
import type { BackendInfo, BackendPreference } from './backend';
import type { LiveHyperparams } from './config';
import type { EngineError, EngineEvent, RunStatus } from './events';

/** Outcome of a call that can be refused; errors carry a code and a sentence (comlink drops Error fields). */
export type EngineResult = { ok: true } | { ok: false; error: EngineError };

export type EventSink = (events: EngineEvent[]) => void;

export interface RunSnapshot {
  runId: string | null;
  status: RunStatus;
  step: number;
  totalSteps: number;
  hyperparams: LiveHyperparams | null;
}

export interface EngineApi {
  /** Pick (or re-pick) the compute backend; disposes any run in progress. */
  init(preference: BackendPreference): Promise<BackendInfo>;
  /** Register the callback that receives throttled event batches (~10 per second). */
  subscribe(sink: EventSink): void;
  /** Validate the config and start a run (stopping any run in progress); the run continues in the background. */
  start(config: unknown, runId: string): Promise<EngineResult>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Queue a partial change of live hyperparameters; it applies between two steps and arrives back as
   * an `hpChange` event with the step it took effect at. Bad values are refused (invalid-hyperparams).
   */
  setHyperparams(partial: Partial<LiveHyperparams>): Promise<EngineResult>;
  status(): Promise<RunSnapshot>;
}
