/**
 * The worker's datasets: the built-in one plus those in IndexedDB. Runs imports one at a time (with
 * progress, ETA and cancel) and loads a run's dataset by id.
 */
import { IMPORT_ERROR_CODES, SHAPE_CLASS_NAMES, generateShapesDataset, loadDataset, type ImageDataset } from '../engine';
import type { TrainConfig } from '../protocol/config';
import { BUILTIN_DATASET_ID, type DatasetInfo, type DatasetSamples, type ImportProgressInfo, type ImportRequest } from '../protocol/datasets';
import type { EngineError } from '../protocol/events';
import { DatasetStore, pickSamples } from './datasetStore';
import { EngineFault, describeError } from './errors';
import { describeSource, runImport } from './importer';

/** Share of the progress bar for reading/decoding; the rest is saving. */
const READ_SHARE = 0.85;

export type ImportOutcome = { ok: true; dataset: DatasetInfo } | { ok: false; error: EngineError };

export class DatasetService {
  private storeP: Promise<DatasetStore> | null = null;
  private importing: AbortController | null = null;

  constructor(
    private readonly onProgress: (p: ImportProgressInfo) => void,
    private readonly openStore: () => Promise<DatasetStore> = () => DatasetStore.open(),
  ) {}

  private store(): Promise<DatasetStore> {
    this.storeP ??= this.openStore().catch((err: unknown) => {
      this.storeP = null;
      throw new EngineFault('storage-failed', `This browser's storage (IndexedDB) is not available (${err instanceof Error ? err.message : String(err)}), so datasets cannot be kept.`);
    });
    return this.storeP;
  }

  /** The built-in dataset's entry (its size follows the run settings). */
  static builtin(): DatasetInfo {
    return {
      id: BUILTIN_DATASET_ID, name: 'Shapes & textures (built-in)', kind: 'builtin', classNames: [...SHAPE_CLASS_NAMES],
      trainCount: 0, testCount: 0, height: 32, width: 32, bytes: 0, source: 'generated', createdAt: 0,
    };
  }

  async list(): Promise<DatasetInfo[]> {
    return [DatasetService.builtin(), ...(await (await this.store()).list())];
  }

  async remove(id: string): Promise<void> {
    if (id === BUILTIN_DATASET_ID) throw new EngineFault('invalid-config', 'The built-in dataset cannot be deleted.');
    await (await this.store()).remove(id);
  }

  async samples(id: string, split: 'train' | 'test', perClass: number): Promise<DatasetSamples> {
    if (id === BUILTIN_DATASET_ID) {
      // The same images a run with seed 1 trains on: they are generated, so draw them afresh.
      const count = perClass * SHAPE_CLASS_NAMES.length * 3;
      const data = await generateShapesDataset({ seed: 1, trainSize: count, testSize: count });
      return pickSamples(DatasetService.builtin(), split, data[split], perClass, 100);
    }
    return (await this.store()).samples(id, split, perClass);
  }

  /** Import, then store; never touches what is already stored unless the save completes. */
  async import(req: ImportRequest): Promise<ImportOutcome> {
    if (this.importing) return { ok: false, error: { code: 'busy', message: 'Another import is running; wait for it or cancel it.' } };
    const abort = new AbortController();
    this.importing = abort;
    const label = describeSource(req);
    const t0 = performance.now();
    const report = (phase: ImportProgressInfo['phase'], fraction: number) => {
      const elapsed = (performance.now() - t0) / 1000;
      const etaSeconds = fraction > 0.03 && fraction < 1 ? (elapsed * (1 - fraction)) / fraction : null;
      this.onProgress({ fraction, phase, label, etaSeconds });
    };
    try {
      report('reading', 0);
      const store = await this.store();
      const phase = req.format === 'folder' ? 'decoding' : 'reading';
      const { data, meta } = await runImport(req, (f) => report(phase, f * READ_SHARE), abort.signal);
      const info = await store.save(data, meta, (f) => report('saving', READ_SHARE + f * (1 - READ_SHARE)));
      return { ok: true, dataset: info };
    } catch (err) {
      return { ok: false, error: importError(err) };
    } finally {
      this.importing = null;
    }
  }

  cancelImport(): void {
    this.importing?.abort();
  }

  /** The dataset a run config names: generated (built-in) or read from storage. */
  async load(config: TrainConfig, onProgress: (fraction: number) => void): Promise<ImageDataset> {
    if (config.dataset === BUILTIN_DATASET_ID) return loadDataset(config, onProgress);
    const store = await this.store();
    if (!(await store.info(config.dataset))) {
      throw new EngineFault('dataset-missing', `The dataset ${config.dataset} is not stored in this browser (deleted, or the link came from another browser): import it or choose another dataset.`);
    }
    return store.load(config.dataset, onProgress);
  }
}

/** An importer failure as a protocol error: import-failed with the importer's code as detail. */
export function importError(err: unknown): EngineError {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (IMPORT_ERROR_CODES as readonly string[]).includes(code)) {
    return { code: 'import-failed', detail: code, message: (err as Error).message };
  }
  return describeError(err);
}
