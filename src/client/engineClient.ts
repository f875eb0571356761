/**
 * The one place that creates the engine Worker. Wraps it with comlink, pipes its events into the
 * store, and restarts it when it dies (uncaught error, GPU device lost) or when the backend changes.
 * It names no lab: runs start through `start(lab, config)`, lab-only calls go through `call`.
 */
import * as Comlink from 'comlink';
import type { EngineApi, EngineResult, ImportResult, LabCallArgs, LabCallName, LabCallResult } from '../protocol/api';
import type { BackendPreference } from '../protocol/backend';
import type { DatasetSamples, ImportRequest, SplitName } from '../protocol/datasets';
import type { EngineEvent, ErrorCode } from '../protocol/events';
import type { LabConfig, LabName, LiveHyperparams } from '../protocol/labs';
import { useWorkbench } from '../store';

export interface EngineClient {
  /** Start a run of `lab` (its id is made here) and follow it in the store. */
  start<L extends LabName>(lab: L, config: LabConfig<L>): Promise<EngineResult>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
  setHyperparams(lab: LabName, partial: Partial<LiveHyperparams>): Promise<EngineResult>;
  /** A lab-only call; `transfer` lists buffers of the arguments to move to the worker (they are unusable here after). */
  call<L extends LabName, M extends LabCallName<L>>(lab: L, method: M, args: LabCallArgs<L, M>, transfer?: Transferable[]): Promise<LabCallResult<L, M>>;
  /** Import files as a dataset; progress and the outcome land in the store. */
  importDataset(request: ImportRequest, label: string): Promise<ImportResult>;
  cancelImport(): Promise<void>;
  deleteDataset(id: string): Promise<EngineResult>;
  datasetSamples(id: string, split: SplitName, perClass: number): Promise<DatasetSamples>;
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
      store.getState().abortRuns({ code: failure.code, message });
      store.getState().addNotice('warning', message);
    } else {
      store.getState().abortRuns({ code: 'internal', message: 'The run was stopped because the backend changed.' });
    }
    await boot(preference);
  }

  const ready = async (): Promise<Comlink.Remote<EngineApi>> => {
    if (!api) throw new Error('The engine is not running.');
    return api;
  };

  void boot(store.getState().backendPreference);

  return {
    async start(lab, config) {
      const id = `${lab}-${Date.now().toString(36)}`;
      store.getState().beginRun(lab, id, config);
      const result = await (await ready()).start(lab, config, id);
      if (!result.ok) store.getState().abortRun(lab, result.error);
      return result;
    },
    pause: async () => (await ready()).pause(),
    resume: async () => (await ready()).resume(),
    stop: async () => (await ready()).stop(),
    setHyperparams: async (lab, partial) => (await ready()).setHyperparams(lab, partial),
    async call(lab, method, args, transfer) {
      // comlink's Remote type loses the call's generic signature; the EngineApi declares it.
      const remote = (await ready()) as unknown as Pick<EngineApi, 'call'>;
      return remote.call(lab, method, transfer && transfer.length > 0 ? Comlink.transfer(args, transfer) : args);
    },
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
    restart,
  };
}
