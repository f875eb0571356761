/** The EngineApi implementation behind the comlink seam (kept free of comlink so it can be tested in Node). */
import { initBackend, onDeviceLost } from '../engine';
import type { EngineApi, EngineResult, EventSink, RunSnapshot } from '../protocol/api';
import type { BackendInfo, BackendPreference } from '../protocol/backend';
import { TrainConfigSchema, type LiveHyperparams } from '../protocol/config';
import type { DatasetSamples, ImportRequest } from '../protocol/datasets';
import { DatasetService } from './datasetService';
import { describeError } from './errors';
import { EventQueue } from './eventQueue';
import { RunController } from './runController';
import { WASM_PATHS } from '../engine/wasm/wasmAssets';

export function createEngineApi(services: { datasets?: DatasetService } = {}): EngineApi {
  const events = new EventQueue(null);
  const datasets = services.datasets ?? new DatasetService((progress) => events.push({ type: 'import', progress }));
  const runs = new RunController(
    (e) => {
      events.push(e);
      // Ends of runs and errors go out at once so the UI never waits on a throttle for them.
      if (e.type === 'error' || (e.type === 'status' && e.status !== 'running')) events.flush();
    },
    undefined,
    (config, onProgress) => datasets.load(config, onProgress),
  );
  const pushList = async () => {
    events.push({ type: 'datasets', list: await datasets.list() });
    events.flush();
  };
  let backend: BackendInfo | null = null;

  const refuse = (err: unknown, runId: string | null): EngineResult => {
    const error = describeError(err);
    events.push({ type: 'error', runId, error });
    events.flush();
    return { ok: false, error };
  };

  return {
    async init(preference: BackendPreference): Promise<BackendInfo> {
      await runs.stop();
      const info = await initBackend(preference, { wasmPaths: WASM_PATHS });
      backend = info;
      onDeviceLost((reason: string) => {
        events.push({ type: 'error', runId: runs.snapshot().runId, error: { code: 'device-lost', message: `The GPU device was lost (${reason}). The engine restarts; start the run again.` } });
        events.flush();
      });
      events.push({ type: 'backend', info });
      return info;
    },
    subscribe(sink: EventSink): void {
      events.setSink(sink);
    },
    async start(config: unknown, runId: string): Promise<EngineResult> {
      if (!backend) return refuse(new Error('The engine is not initialised yet; wait for the backend badge.'), runId);
      const parsed = TrainConfigSchema.safeParse(config);
      if (!parsed.success) {
        const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        return refuse(Object.assign(new Error(`Invalid run settings (${msg}).`), { code: 'invalid-config' }), runId);
      }
      await runs.start(parsed.data, runId);
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
    async setHyperparams(partial: Partial<LiveHyperparams>): Promise<EngineResult> {
      try {
        runs.setHyperparams(partial);
        return { ok: true };
      } catch (err) {
        return refuse(err, runs.snapshot().runId);
      }
    },
    async status(): Promise<RunSnapshot> {
      return runs.snapshot();
    },
    async listDatasets() {
      return datasets.list();
    },
    async importDataset(request: ImportRequest) {
      const result = await datasets.import(request);
      if (result.ok) await pushList();
      return result;
    },
    async cancelImport(): Promise<void> {
      datasets.cancelImport();
    },
    async deleteDataset(id: string): Promise<EngineResult> {
      if (runs.usesDataset(id)) {
        return refuse(Object.assign(new Error('This dataset is in use by the running training; stop the run first.'), { code: 'busy' }), null);
      }
      try {
        await datasets.remove(id);
        runs.forgetDataset(id);
        await pushList();
        return { ok: true };
      } catch (err) {
        return refuse(err, null);
      }
    },
    async datasetSamples(id: string, split: 'train' | 'test', perClass: number): Promise<DatasetSamples> {
      return datasets.samples(id, split, Math.max(1, Math.min(10, Math.floor(perClass))));
    },
  };
}
