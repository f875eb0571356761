/** The EngineApi implementation behind the comlink seam (comlink only marks transfers, so it is tested in Node). */
import * as Comlink from 'comlink';
import { initBackend, onDeviceLost } from '../engine';
import type { EngineApi, EngineResult, EventSink, RunSnapshot } from '../protocol/api';
import type { BackendInfo, BackendPreference } from '../protocol/backend';
import { LABS, TrainConfigSchema, type LabName, type LiveHyperparams } from '../protocol/config';
import type { DatasetSamples, ImportRequest } from '../protocol/datasets';
import { CompactionService } from './compactionService';
import { DatasetService } from './datasetService';
import { describeError } from './errors';
import { EventQueue } from './eventQueue';
import { RunController } from './runController';
import { SegLab } from './segLab';
import { SegZoo } from './segZoo';
import { SegConfigSchema, type SegPredictRequest } from '../protocol/segment';
import { WASM_PATHS } from '../engine/wasm/wasmAssets';

export function createEngineApi(services: { datasets?: DatasetService; segZoo?: SegZoo } = {}): EngineApi {
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
  const seg = new SegLab(datasets, services.segZoo ?? new SegZoo(), (zoo) => {
    events.push({ type: 'segZoo', zoo });
    events.flush();
  });
  let backend: BackendInfo | null = null;
  /** Resolves once a backend is initialised: model loading must wait for it (the UI may ask for the zoo first). */
  let markReady: () => void = () => {};
  const backendReady = new Promise<void>((resolve) => (markReady = resolve));
  const compaction = new CompactionService();
  /** Run `f`, turning a throw into a refused result with a code and a sentence. */
  const attempt = async <T>(f: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: ReturnType<typeof describeError> }> => {
    try {
      return { ok: true, value: await f() };
    } catch (err) {
      return { ok: false, error: describeError(err) };
    }
  };

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
      markReady();
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
    subscribe(sink: EventSink): void {
      events.setSink(sink);
    },
    async start(config: unknown, runId: string, lab: LabName = 'train'): Promise<EngineResult> {
      if (!(LABS as readonly string[]).includes(lab))
        return refuse(Object.assign(new Error(`Unknown lab "${String(lab)}".`), { code: 'invalid-config' }), runId);
      if (!backend) return refuse(new Error('The engine is not initialised yet; wait for the backend badge.'), runId);
      const parsed = TrainConfigSchema.safeParse(config);
      if (!parsed.success) {
        const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        return refuse(Object.assign(new Error(`Invalid run settings (${msg}).`), { code: 'invalid-config' }), runId);
      }
      compaction.release();
      await runs.start(parsed.data, runId, lab);
      return { ok: true };
    },
    async startSegment(config: unknown, runId: string): Promise<EngineResult> {
      if (!backend) return refuse(new Error('The engine is not initialised yet; wait for the backend badge.'), runId);
      const parsed = SegConfigSchema.safeParse(config);
      if (!parsed.success) {
        const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        return refuse(Object.assign(new Error(`Invalid segmentation run settings (${msg}).`), { code: 'invalid-config' }), runId);
      }
      compaction.release();
      await runs.startPlan(runId, seg.plan(parsed.data, runId));
      return { ok: true };
    },
    async segZoo() {
      await backendReady;
      return seg.zooInfo();
    },
    async segResetZoo() {
      await backendReady;
      if (runs.active)
        return {
          ok: false as const,
          error: { code: 'busy' as const, message: 'A run is going (it may be distilling from the zoo); stop it before resetting the zoo.' },
        };
      const r = await attempt(() => seg.resetZoo());
      return r.ok ? { ok: true as const, zoo: r.value } : r;
    },
    async segPredict(request: SegPredictRequest) {
      await backendReady;
      const r = await attempt(() => seg.predict(request));
      if (!r.ok) return r;
      const buffers = r.value.images.flatMap((im) => im.predictions.map((p) => p.classMap.buffer as ArrayBuffer));
      return { ok: true as const, result: Comlink.transfer(r.value, buffers) };
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
        seg.forgetDataset(id);
        await pushList();
        return { ok: true };
      } catch (err) {
        return refuse(err, null);
      }
    },
    async compact(runId: string) {
      const kept = runs.keptSession(runId);
      if (!kept)
        return {
          ok: false as const,
          error: {
            code: 'invalid-config' as const,
            message: 'That run is not in memory any more (a newer run started, or the page reloaded); train it again to compact it.',
          },
        };
      const r = await attempt(() => compaction.compact(runId, kept.session, kept.data, kept.config, backend?.name ?? 'unknown'));
      return r.ok ? { ok: true as const, report: r.value } : r;
    },
    async exportModel(runId: string) {
      const r = await attempt(() => compaction.exportModel(runId));
      return r.ok ? { ok: true as const, model: Comlink.transfer(r.value, [r.value.weights]) } : r;
    },
    async loadModel(modelJson: string, weights: ArrayBuffer, config: unknown) {
      const parsed = TrainConfigSchema.safeParse(config);
      if (!parsed.success)
        return { ok: false as const, error: { code: 'invalid-config' as const, message: 'The dataset settings to evaluate the model on are invalid.' } };
      const r = await attempt(async () => compaction.load(modelJson, weights, await datasets.load(parsed.data, () => undefined)));
      return r.ok ? { ok: true as const, report: r.value } : r;
    },
    async datasetSamples(id: string, split: 'train' | 'test', perClass: number): Promise<DatasetSamples> {
      return datasets.samples(id, split, Math.max(1, Math.min(10, Math.floor(perClass))));
    },
  };
}
