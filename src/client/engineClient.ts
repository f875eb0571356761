/**
 * The one place that creates the engine Worker. Wraps it with comlink, pipes its events into the
 * store, and restarts it when it dies (uncaught error, GPU device lost) or when the backend changes.
 */
import * as Comlink from 'comlink';
import type { EngineApi, EngineResult, ImportResult } from '../protocol/api';
import type { DatasetSamples, ImportRequest } from '../protocol/datasets';
import type { BackendPreference } from '../protocol/backend';
import type { LabName, LiveHyperparams, TrainConfig } from '../protocol/config';
import type { CompactionReport, ExportedModel, LoadedModelReport } from '../protocol/prune';
import type { EngineError, EngineEvent, ErrorCode } from '../protocol/events';
import type { SegConfig, SegPredictRequest, SegPredictResult, SegZooInfo } from '../protocol/segment';
import { useWorkbench } from '../store';

export interface EngineClient {
  start(config: TrainConfig, lab?: LabName): Promise<EngineResult>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  setHyperparams(partial: Partial<LiveHyperparams>): Promise<EngineResult>;
  /** Import files as a dataset; progress and the outcome land in the store. */
  importDataset(request: ImportRequest, label: string): Promise<ImportResult>;
  cancelImport(): Promise<void>;
  deleteDataset(id: string): Promise<EngineResult>;
  datasetSamples(id: string, split: 'train' | 'test', perClass: number): Promise<DatasetSamples>;
  compact(runId: string): Promise<{ ok: true; report: CompactionReport } | { ok: false; error: EngineError }>;
  exportModel(runId: string): Promise<{ ok: true; model: ExportedModel } | { ok: false; error: EngineError }>;
  loadModel(modelJson: string, weights: ArrayBuffer, config: TrainConfig): Promise<{ ok: true; report: LoadedModelReport } | { ok: false; error: EngineError }>;
  /** Segment lab: start a run of the config (its id is made here) and record it in the store. */
  startSegment(config: SegConfig): Promise<EngineResult>;
  /** The worker's model zoo (stored in the store too). */
  segZoo(): Promise<SegZooInfo>;
  /** Reload the shipped demo weights into the zoo (the store gets the new zoo). */
  segResetZoo(): Promise<{ ok: true; zoo: SegZooInfo } | { ok: false; error: EngineError }>;
  segPredict(request: SegPredictRequest): Promise<{ ok: true; result: SegPredictResult } | { ok: false; error: EngineError }>;
  /** Terminate the worker and start a fresh one on the given backend preference (after a failure, say why). */
  restart(preference: BackendPreference, failure?: { code: ErrorCode; reason: string }): Promise<void>;
}

export function createEngineClient(): EngineClient {
  const store = useWorkbench;
  let worker: Worker | null = null;
  let api: Comlink.Remote<EngineApi> | null = null;
  let generation = 0;

  const onEvents = (gen: number) => (events: EngineEvent[]) => {
    if (gen !== generation) return; // a late batch from a terminated worker
    store.getState().applyEvents(events);
    if (events.some((e) => e.type === 'error' && e.error.code === 'device-lost')) {
      void restart(store.getState().backendPreference, { code: 'device-lost', reason: 'the GPU device was lost' });
    }
  };

  async function boot(preference: BackendPreference): Promise<void> {
    const gen = ++generation;
    store.getState().setEngineStatus('starting');
    store.getState().setBackend(null);
    worker = new Worker(new URL('../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' });
    worker.addEventListener('error', (ev) => {
      if (gen !== generation) return;
      ev.preventDefault();
      void restart(store.getState().backendPreference, { code: 'internal', reason: `the engine crashed (${ev.message || 'unknown error'})` });
    });
    api = Comlink.wrap<EngineApi>(worker);
    await api.subscribe(Comlink.proxy(onEvents(gen)));
    try {
      const info = await api.init(preference);
      if (gen !== generation) return;
      store.getState().setBackend(info);
      store.getState().setEngineStatus('ready');
      void api.listDatasets().then(
        (list) => gen === generation && store.getState().setDatasets(list),
        (err: unknown) => store.getState().addNotice('warning', `Imported datasets could not be listed: ${err instanceof Error ? err.message : String(err)}`),
      );
    } catch (err) {
      if (gen !== generation) return;
      store.getState().setEngineStatus('failed');
      store.getState().addNotice('error', err instanceof Error ? err.message : String(err));
    }
  }

  async function restart(preference: BackendPreference, failure?: { code: ErrorCode; reason: string }): Promise<void> {
    worker?.terminate();
    worker = null;
    api = null;
    if (failure) {
      const message = `The engine was restarted because ${failure.reason}; the run's history is kept.`;
      store.getState().abortRun({ code: failure.code, message });
      store.getState().abortSegRun({ code: failure.code, message });
      store.getState().addNotice('warning', message);
    } else {
      store.getState().abortRun({ code: 'internal', message: 'The run was stopped because the backend changed.' });
      store.getState().abortSegRun({ code: 'internal', message: 'The run was stopped because the backend changed.' });
    }
    await boot(preference);
  }

  const ready = async (): Promise<Comlink.Remote<EngineApi>> => {
    if (!api) throw new Error('The engine is not running.');
    return api;
  };

  void boot(store.getState().backendPreference);

  return {
    async start(config, lab = 'train') {
      const id = `run-${Date.now().toString(36)}`;
      store.getState().beginRun(id, config, lab);
      const result = await (await ready()).start(config, id, lab);
      if (!result.ok) store.getState().abortRun(result.error);
      return result;
    },
    pause: async () => (await ready()).pause(),
    resume: async () => (await ready()).resume(),
    stop: async () => (await ready()).stop(),
    setHyperparams: async (partial) => (await ready()).setHyperparams(partial),
    async importDataset(request, label) {
      store.getState().beginImport(label);
      let result: ImportResult;
      try {
        result = await (await ready()).importDataset(request);
      } catch (err) {
        result = { ok: false, error: { code: 'internal', message: `The import failed: ${err instanceof Error ? err.message : String(err)}` } };
      }
      store.getState().endImport(result.ok ? null : result.error);
      return result;
    },
    cancelImport: async () => (await ready()).cancelImport(),
    deleteDataset: async (id) => (await ready()).deleteDataset(id),
    datasetSamples: async (id, split, perClass) => (await ready()).datasetSamples(id, split, perClass),
    compact: async (runId) => (await ready()).compact(runId),
    exportModel: async (runId) => (await ready()).exportModel(runId),
    loadModel: async (json, weights, config) => (await ready()).loadModel(json, Comlink.transfer(weights, [weights]), config),
    async startSegment(config) {
      const id = `seg-${Date.now().toString(36)}`;
      store.getState().beginSegRun(id, config);
      const result = await (await ready()).startSegment(config, id);
      if (!result.ok) store.getState().abortSegRun(result.error);
      return result;
    },
    async segZoo() {
      const zoo = await (await ready()).segZoo();
      store.getState().setSegZoo(zoo);
      return zoo;
    },
    async segResetZoo() {
      const r = await (await ready()).segResetZoo();
      if (r.ok) store.getState().setSegZoo(r.zoo);
      return r;
    },
    async segPredict(request) {
      const transfers = request.images.flatMap((im) => [im.rgb.buffer, ...(im.labels ? [im.labels.buffer] : [])]) as ArrayBuffer[];
      return (await ready()).segPredict(Comlink.transfer(request, transfers));
    },
    restart,
  };
}
