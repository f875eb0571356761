/**
 * The one place that creates the engine Worker. Wraps it with comlink, pipes its events into the
 * store, and restarts it when it dies (uncaught error, GPU device lost), when it stops answering while
 * the UI waits on it (the watchdog, ./watchdog.ts), or when the backend changes. Calls not answered by a
 * worker that is restarted reject with a sentence. It names no lab: runs start through `start(lab, config)`,
 * lab-only calls go through `call`.
 *
 * `?watchdog=<seconds>` in the page's URL shortens the watchdog's limit (tests that close the worker on purpose).
 */
import * as Comlink from 'comlink';
import { EventGate } from './eventGate';
import type { EngineApi, EngineResult, ImportResult, LabCallArgs, LabCallName, LabCallResult } from '../protocol/api';
import type { BackendPreference } from '../protocol/backend';
import type { DatasetSamples, ImportRequest, SplitName } from '../protocol/datasets';
import type { EngineEvent, ErrorCode } from '../protocol/events';
import type { ModelChangeResult, ModelFile, ModelFilesResult, ModelImportResult, ModelInfo, ModelOnnxResult } from '../protocol/models';
import { LAB_NAMES, labSpec, type LabConfig, type LabName, type LiveHyperparams } from '../protocol/labs';
import { useWorkbench, type WorkbenchState } from '../store';
import { describeWorkerError, expectationOf, Watchdog, watchdogTimesFromSearch, type Silence, type WatchedWork } from './watchdog';

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
  /** The model library (newest first); a `models` event keeps the store's list current after each change. */
  listModels(): Promise<ModelInfo[]>;
  renameModel(id: string, name: string): Promise<ModelChangeResult>;
  deleteModel(id: string): Promise<ModelChangeResult>;
  /** A kept model's `<name>.json` and `<name>.bin` for download. */
  modelFiles(id: string): Promise<ModelFilesResult>;
  /** A kept model as one `<name>.onnx` file. */
  exportModelOnnx(id: string): Promise<ModelOnnxResult>;
  /** Check and keep a model's .json + .bin; their buffers move to the worker (unusable here after). */
  importModel(files: ModelFile[]): Promise<ModelImportResult>;
  /** Terminate the worker and start a fresh one on the given backend preference (after a failure, say why). */
  restart(preference: BackendPreference, failure?: { code: ErrorCode; reason: string }): Promise<void>;
  /** When the store hears of the engine's events (EventGate); the watchdog and the device-loss check never wait. */
  setEventGate(gate: ((apply: () => void) => void) | null): void;
}

export function createEngineClient(): EngineClient {
  const store = useWorkbench;
  let worker: Worker | null = null;
  let api: Comlink.Remote<EngineApi> | null = null;
  let generation = 0;

  const { times, issue } = watchdogTimesFromSearch(typeof location === 'undefined' ? '' : location.search);
  if (issue) store.getState().addNotice('warning', issue);

  /** Calls sent and not answered yet: what each is (for the watchdog), and how to fail it if the worker is replaced. */
  const outstanding = new Map<number, { what: string; slow: boolean; fail: (err: Error) => void }>();
  let nextCall = 1;

  const watchdog = new Watchdog({
    onSilence: (silence) => void restartSilent(silence),
    ping: () => {
      const gen = generation;
      api?.ping().then(
        () => gen === generation && watchdog.alive(),
        () => undefined,
      );
    },
    pingEveryMs: times.pingEveryMs,
  });

  /** What the UI waits on the worker for, from the store and the outstanding calls. */
  const watched = (s: WorkbenchState): WatchedWork => ({
    runs: LAB_NAMES.flatMap((lab) => {
      const run = s.runs[lab];
      if (!run) return [];
      const p = run.progress;
      return [
        { title: labSpec(lab).title, status: run.status, step: p?.step ?? null, totalSteps: p?.totalSteps ?? null, stepsPerSecond: p?.stepsPerSecond ?? 0 },
      ];
    }),
    importLabel: s.importing?.label ?? null,
    calls: [...outstanding.values()].map(({ what, slow }) => ({ what, slow })),
  });
  const rewatch = () => watchdog.expect(expectationOf(watched(store.getState()), times));
  store.subscribe(rewatch);

  /**
   * Send a call to the worker and follow it: an answer is a sign of life; the watchdog expects one meanwhile (`slow`:
   * it may take the grace period, as lab calls do); if the worker is replaced first, the call rejects with a sentence.
   */
  function track<T>(what: string, slow: boolean, send: (remote: Comlink.Remote<EngineApi>) => Promise<T>): Promise<T> {
    if (!api) return Promise.reject(new Error('The engine is not running.'));
    const remote = api;
    const gen = generation;
    const id = nextCall++;
    return new Promise<T>((resolve, reject) => {
      outstanding.set(id, { what, slow, fail: reject });
      rewatch();
      const settle = () => {
        if (!outstanding.delete(id)) return false; // already failed by a restart
        if (gen === generation) watchdog.alive();
        rewatch();
        return true;
      };
      send(remote).then(
        (value) => settle() && resolve(value),
        (err: unknown) => settle() && reject(err instanceof Error ? err : new Error(String(err))),
      );
    });
  }

  /** Fail every outstanding call (their worker is gone) with `sentence`. */
  function failOutstanding(sentence: string): void {
    const calls = [...outstanding.values()];
    outstanding.clear();
    for (const c of calls) c.fail(new Error(sentence));
  }

  /**
   * Follow a call the user waits on (Stop, Cancel): if neither its answer nor any sign of life arrives within
   * `times.answerMs`, the worker is hung: restart it now rather than after the watchdog's full limit.
   */
  async function impatient(request: string, send: (remote: Comlink.Remote<EngineApi>) => Promise<void>): Promise<void> {
    const asked = Date.now();
    const gen = generation;
    let answered = false;
    const timer = setTimeout(() => {
      if (answered || gen !== generation || watchdog.lastAliveAt > asked) return;
      const what = watchdog.current?.what ?? 'work it was doing';
      void restartSilent({ what, silentMs: Date.now() - Math.max(watchdog.lastAliveAt, asked) }, request);
    }, times.answerMs);
    try {
      await track(`${request} request`, false, send);
    } finally {
      answered = true;
      clearTimeout(timer);
    }
  }

  const events = new EventGate<EngineEvent>((batch) => store.getState().applyEvents(batch));

  const onEvents = (gen: number) => (batch: EngineEvent[]) => {
    if (gen !== generation) return; // a late batch from a terminated worker
    watchdog.alive();
    events.deliver(batch);
    if (batch.some((e) => e.type === 'error' && e.error.code === 'device-lost')) {
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
      const what = describeWorkerError(ev);
      const reason = what.startsWith('an uncaught error') ? `of ${what}` : `the engine crashed (${what})`;
      void restart(store.getState().backendPreference, { code: 'internal', reason });
    });
    api = Comlink.wrap<EngineApi>(worker);
    watchdog.reset();
    await api.subscribe(Comlink.proxy(onEvents(gen)));
    try {
      const info = await api.init(preference);
      if (gen !== generation) return;
      watchdog.alive();
      store.getState().setBackend(info);
      store.getState().setEngineStatus('ready');
      void api.listDatasets().then(
        (list) => gen === generation && store.getState().setDatasets(list),
        (err: unknown) => store.getState().addNotice('warning', `Imported datasets could not be listed: ${err instanceof Error ? err.message : String(err)}`),
      );
      void api.listModels().then(
        (list) => gen === generation && store.getState().setModels(list),
        (err: unknown) => store.getState().addNotice('warning', `The model library could not be listed: ${err instanceof Error ? err.message : String(err)}`),
      );
    } catch (err) {
      if (gen !== generation) return;
      store.getState().setEngineStatus('failed');
      store.getState().addNotice('error', err instanceof Error ? err.message : String(err));
    }
  }

  /** Terminate the worker; calls it did not answer fail with `sentence`. */
  function terminate(sentence: string): void {
    events.release(); // what the old worker said before it goes lands first (a held release later finds nothing)
    generation++; // late answers and events of the old worker are ignored from now on
    worker?.terminate();
    worker = null;
    api = null;
    failOutstanding(sentence);
  }

  async function restart(preference: BackendPreference, failure?: { code: ErrorCode; reason: string }): Promise<void> {
    if (failure) {
      const message = `The engine was restarted because ${failure.reason}; the run's history is kept.`;
      terminate(message);
      store.getState().abortRuns({ code: failure.code, message });
      store.getState().addNotice('warning', message);
    } else {
      terminate('The engine was restarted on another backend before it answered.');
      store.getState().abortRuns({ code: 'internal', message: 'The run was stopped because the backend changed.' });
    }
    await boot(preference);
  }

  /**
   * The watchdog fired, or a `request` the user made (Stop, Cancel) got no answer from a silent worker: restart it, keep
   * active runs as interrupted, end a pending import, and say so in words.
   */
  async function restartSilent({ what, silentMs }: Silence, request?: string): Promise<void> {
    const hadRun = LAB_NAMES.some((lab) => {
      const status = store.getState().runs[lab]?.status;
      return status === 'preparing' || status === 'running' || status === 'paused';
    });
    const seconds = Math.max(1, Math.round(silentMs / 1000));
    const stopped = request
      ? `The engine did not answer ${request} for ${seconds} s during ${what} and was restarted`
      : `The engine stopped answering for ${seconds} s during ${what} and was restarted`;
    terminate(`${stopped}; nothing it was doing was kept. Try again.`);
    store.getState().interruptRuns(`${stopped}; the run is kept as interrupted.`);
    if (store.getState().importing)
      store.getState().endImport({ code: 'internal', message: `${stopped}; the import was abandoned and nothing was stored. Try again.` });
    store.getState().addNotice('warning', `${stopped}${hadRun ? '; the run is kept as interrupted' : ''}.`);
    await boot(store.getState().backendPreference);
  }

  void boot(store.getState().backendPreference);

  return {
    setEventGate(gate) {
      events.setGate(gate);
    },
    async start(lab, config) {
      const id = `${lab}-${Date.now().toString(36)}`;
      store.getState().beginRun(lab, id, config);
      let result: EngineResult;
      try {
        result = await track<EngineResult>(`the start of a ${labSpec(lab).title} run`, false, (remote) => remote.start(lab, config, id));
      } catch (err) {
        result = { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } };
      }
      if (!result.ok) store.getState().abortRun(lab, result.error);
      return result;
    },
    pause: () => track('a pause', false, (remote) => remote.pause()),
    resume: () => track('a resume', false, (remote) => remote.resume()),
    stop: () => impatient('Stop', (remote) => remote.stop()),
    setHyperparams: (lab, partial) => track<EngineResult>('a hyperparameter change', false, (remote) => remote.setHyperparams(lab, partial)),
    call(lab, method, args, transfer) {
      // comlink's Remote type loses the call's generic signature; the EngineApi declares it.
      return track(`the ${labSpec(lab).title} lab's ${method} call`, true, (remote) =>
        (remote as unknown as Pick<EngineApi, 'call'>).call(lab, method, transfer && transfer.length > 0 ? Comlink.transfer(args, transfer) : args),
      );
    },
    async importDataset(request, label) {
      store.getState().beginImport(label);
      let result: ImportResult;
      try {
        result = await track<ImportResult>(`the import of ${label}`, false, (remote) => remote.importDataset(request));
      } catch (err) {
        result = { ok: false, error: { code: 'internal', message: `The import failed: ${err instanceof Error ? err.message : String(err)}` } };
      }
      // After a watchdog restart the import was already ended with its own sentence.
      if (store.getState().importing) store.getState().endImport(result.ok ? null : result.error);
      return result;
    },
    cancelImport: () => impatient('Cancel', (remote) => remote.cancelImport()),
    deleteDataset: (id) => track<EngineResult>('deleting a dataset', false, (remote) => remote.deleteDataset(id)),
    datasetSamples: (id, split, perClass) => track('reading dataset samples', true, (remote) => remote.datasetSamples(id, split, perClass)),
    listModels: () => track('listing the model library', true, (remote) => remote.listModels()),
    renameModel: (id, name) => track<ModelChangeResult>('renaming a model', false, (remote) => remote.renameModel(id, name)),
    deleteModel: (id) => track<ModelChangeResult>('deleting a model', false, (remote) => remote.deleteModel(id)),
    modelFiles: (id) => track<ModelFilesResult>('reading a model for download', true, (remote) => remote.modelFiles(id)),
    exportModelOnnx: (id) => track<ModelOnnxResult>('exporting a model to ONNX', true, (remote) => remote.exportModelOnnx(id)),
    importModel: (files) =>
      track<ModelImportResult>('importing a model', true, (remote) =>
        remote.importModel(
          Comlink.transfer(
            files,
            files.map((f) => f.bytes),
          ),
        ),
      ),
    restart,
  };
}
