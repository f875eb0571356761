/** The EngineApi implementation behind the comlink seam (comlink only marks transfers, so it is tested in Node). */
import * as Comlink from 'comlink';
import { initBackend, onDeviceLost, WASM_PATHS } from '../engine';
import type { EngineApi, EngineResult, EventSink, LabCallArgs, LabCallName, LabCallResult, RunSnapshot } from '../protocol/api';
import type { BackendInfo, BackendPreference } from '../protocol/backend';
import type { DatasetSamples, ImportRequest, SplitName } from '../protocol/datasets';
import type { ModelFile } from '../protocol/models';
import { isLabName, labSpec, LAB_NAMES, type LabConfig, type LabName, type LiveHyperparams } from '../protocol/labs';
import { DatasetService } from './datasetService';
import { describeError, EngineFault } from './errors';
import { EventQueue, Heartbeat } from './eventQueue';
import { ImageDataCache } from './imageData';
import { createWorkerLabs, type WorkerLabOptions } from './labs';
import { ModelLibrary, type ModelLibraryOptions } from './modelLibrary';
import { RunController } from './runController';
import { fetchShipped } from './shippedFiles';
import { ShippedModels } from './shippedModels';

export interface EngineServices {
  datasets?: DatasetService;
  labs?: WorkerLabOptions;
  /** How the model library opens its store (tests give a named fake-indexeddb database; null: no store). */
  models?: Pick<ModelLibraryOptions, 'open' | 'log' | 'shipped'>;
}

export function createEngineApi(services: EngineServices = {}): EngineApi {
  const events = new EventQueue(null);
  /** Work in progress outside runs (imports, lab calls, sample reads), in words, one entry per call. */
  const work: string[] = [];
  const busy = (): string | null => {
    const snap = runs.snapshot();
    const run = runs.active && snap.lab ? `the ${labSpec(snap.lab).title} run (${snap.status}, step ${snap.step} of ${snap.totalSteps})` : null;
    const all = run ? [run, ...work] : work;
    return all.length > 0 ? all.join('; ') : null;
  };
  const heartbeat = new Heartbeat(events, busy);
  const datasets =
    services.datasets ??
    new DatasetService((progress) => {
      events.push({ type: 'import', progress });
      heartbeat.touch();
    });
  const runs = new RunController((e) => {
    events.push(e);
    // Ends of runs and errors go out at once so the UI never waits on a throttle for them.
    if (e.type === 'error' || (e.type === 'status' && e.status !== 'running')) events.flush();
    heartbeat.touch();
  });
  /** Run `f` as work the heartbeat names while it lasts. */
  const busyWith = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    work.push(what);
    heartbeat.touch();
    try {
      return await f();
    } finally {
      work.splice(work.indexOf(what), 1);
      heartbeat.touch();
    }
  };
  const pushList = async () => {
    events.push({ type: 'datasets', list: await datasets.list() });
    events.flush();
  };
  // The shipped models are listed where they can be fetched (the worker); tests pass readers or none.
  const shipped =
    services.models?.shipped !== undefined
      ? services.models.shipped
      : typeof location === 'undefined'
        ? null
        : new ShippedModels({ segment: fetchShipped('segment'), affinity: fetchShipped('affinity'), detect: fetchShipped('detect') });
  const models = new ModelLibrary({
    ...services.models,
    shipped,
    onList: (list) => {
      events.push({ type: 'models', list });
      events.flush();
    },
    // A model that could not be kept is a notice (runId null): the run it came from ended fine.
    onFailure: (error) => {
      events.push({ type: 'error', runId: null, error });
      events.flush();
    },
  });
  let backend: BackendInfo | null = null;
  /** Resolves once a backend is initialised: model loading must wait for it (the UI may ask for a lab's models first). */
  let markReady: () => void = () => {};
  const backendReady = new Promise<void>((resolve) => (markReady = resolve));
  const images = new ImageDataCache((config, onProgress) => datasets.load(config, onProgress));
  const labs = createWorkerLabs(
    {
      datasets,
      images,
      push: (push) => {
        events.push({ type: 'push', push });
        events.flush();
      },
      runActive: () => runs.active,
      backendReady: () => backendReady,
      backendName: () => backend?.name ?? 'unknown',
      keep: (model) => models.keep(model),
    },
    services.labs,
  );

  const refuse = (err: unknown, runId: string | null): EngineResult => {
    const error = describeError(err);
    events.push({ type: 'error', runId, error });
    events.flush();
    return { ok: false, error };
  };

  return {
    async init(preference: BackendPreference): Promise<BackendInfo> {
      await runs.stop();
      await models.settled();
      const info = await initBackend(preference, { wasmPaths: WASM_PATHS });
      backend = info;
      markReady();
      void models.loadShipped(); // listed once rebuilt for their metadata (needs the backend)
      onDeviceLost((reason: string) => {
        events.push({
          type: 'error',
          runId: runs.snapshot().runId,
          error: { code: 'device-lost', message: `The GPU device was lost (${reason}). The engine restarts; start the run again.` },
        });
        events.flush();
      });
      events.push({ type: 'backend', info });
      return info;
    },
    async ping() {
      return { at: Date.now(), busy: busy() };
    },
    subscribe(sink: EventSink): void {
      events.setSink(sink);
    },
    async start(lab: LabName, config: unknown, runId: string): Promise<EngineResult> {
      if (!isLabName(lab)) return refuse(new EngineFault('invalid-config', `Unknown lab "${String(lab)}".`), runId);
      if (!backend) return refuse(new Error('The engine is not initialised yet; wait for the backend badge.'), runId);
      const spec = labSpec(lab);
      const parsed = spec.schema.safeParse(config);
      if (!parsed.success) {
        const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        return refuse(new EngineFault('invalid-config', `Invalid ${spec.title} run settings (${msg}).`), runId);
      }
      await runs.stop();
      // A model of the last run may still be being read for the library: releasing it now would dispose it mid-read.
      await models.settled();
      for (const l of LAB_NAMES) labs[l].release?.();
      const plan = (labs[lab].plan as (c: LabConfig<typeof lab>, id: string) => ReturnType<(typeof labs)[typeof lab]['plan']>)(parsed.data, runId);
      await runs.start(runId, lab, plan);
      return { ok: true };
    },
    async pause(): Promise<void> {
      runs.pause();
    },
    async resume(): Promise<void> {
      runs.resume();
    },
    async stop(): Promise<void> {
      await runs.stop();
    },
    async setHyperparams(lab: LabName, partial: Partial<LiveHyperparams>): Promise<EngineResult> {
      try {
        if (!isLabName(lab)) throw new EngineFault('invalid-hyperparams', `Unknown lab "${String(lab)}".`);
        runs.setHyperparams(lab, partial);
        return { ok: true };
      } catch (err) {
        return refuse(err, runs.snapshot().runId);
      }
    },
    async status(): Promise<RunSnapshot> {
      return runs.snapshot();
    },
    async call<L extends LabName, M extends LabCallName<L>>(lab: L, method: M, args: LabCallArgs<L, M>): Promise<LabCallResult<L, M>> {
      const handlers = isLabName(lab) ? (labs[lab].calls as Record<string, ((...a: unknown[]) => Promise<unknown>) | undefined>) : undefined;
      const f = handlers && Object.hasOwn(handlers, method) ? handlers[method] : undefined;
      if (!f) throw new Error(`The ${String(lab)} lab has no call "${String(method)}".`);
      await models.settled(); // a call may dispose a model the library is still reading (e.g. resetting the zoo)
      return (await busyWith(`the ${labSpec(lab).title} lab's ${method} call`, () => f(...(args as unknown[])))) as LabCallResult<L, M>;
    },
    async listDatasets() {
      return datasets.list();
    },
    async importDataset(request: ImportRequest) {
      const result = await busyWith('an import', () => datasets.import(request));
      if (result.ok) await pushList();
      return result;
    },
    async cancelImport(): Promise<void> {
      datasets.cancelImport();
    },
    async deleteDataset(id: string): Promise<EngineResult> {
      if (runs.usesDataset(id)) {
        return refuse(new EngineFault('busy', 'This dataset is in use by the running training; stop the run first.'), null);
      }
      try {
        await datasets.remove(id);
        images.forget(id);
        for (const l of LAB_NAMES) labs[l].forgetDataset?.(id);
        await pushList();
        return { ok: true };
      } catch (err) {
        return refuse(err, null);
      }
    },
    async listModels() {
      return models.list();
    },
    async renameModel(id: string, name: string) {
      return models.rename(id, name);
    },
    async deleteModel(id: string) {
      return models.remove(id);
    },
    async modelFiles(id: string) {
      const r = await busyWith('reading a model for download', () => models.files(id));
      return r.ok ? Comlink.transfer(r, [r.files.json.bytes, r.files.weights.bytes]) : r;
    },
    async exportModelOnnx(id: string) {
      const r = await busyWith('exporting a model to ONNX', () => models.exportOnnx(id));
      return r.ok ? Comlink.transfer(r, [r.file.bytes]) : r;
    },
    async importModel(files: ModelFile[]) {
      return busyWith('importing a model', () => models.import(files));
    },
    async datasetSamples(id: string, split: SplitName, perClass: number): Promise<DatasetSamples> {
      return busyWith('reading dataset samples', () => datasets.samples(id, split, Math.max(1, Math.min(10, Math.floor(perClass)))));
    },
  };
}
