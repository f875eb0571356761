/**
 * The worker's datasets: the built-in ones plus those in IndexedDB. Runs imports one at a time (with
 * progress, ETA and cancel) and loads a run's dataset by id: classification sets for the Train and Prune
 * labs (`load`), segmentation sets for the Segment lab (`loadSeg`), imported person-detection sets for the Detect lab
 * (`loadDetection`).
 */
import {
  IMPORT_ERROR_CODES,
  SHAPE_CLASS_NAMES,
  generateShapesDataset,
  loadDataset,
  type DetectDataset,
  type ImageDataset,
  type SegDataset,
  STREET_CLASSES,
  STREET_PALETTE,
  STREET_SIZES,
  generateStreetDataset,
  type StreetSize,
  type StreetStyle,
} from '../engine';
import type { TrainConfig } from '../protocol/labs/train';
import {
  BUILTIN_DATASET_ID,
  STREETS_DATASET_ID,
  STREET_DATASET_NAMES,
  STREETS_REAL_DATASET_ID,
  type DatasetInfo,
  type DatasetSamples,
  type ImportProgressInfo,
  type ImportRequest,
} from '../protocol/datasets';
import type { EngineError } from '../protocol/events';
import { pickSamples, pickSegSamples } from './datasetSamples';
import { DatasetStore, wrongTaskFault } from './datasetStore';
import { EngineFault, describeError } from './errors';
import { runDetectImport } from './detectImporter';
import { describeSource, runImport } from './importer';
import { decodeSegImage, runSegImport, type SegImageDecoder } from './segImporter';
import { resizeSegDataset } from './segResize';

/** Share of the progress bar for reading/decoding; the rest is saving. */
const READ_SHARE = 0.85;

export type ImportOutcome = { ok: true; dataset: DatasetInfo } | { ok: false; error: EngineError };

/** How many images, and which seed for the generated street scenes, a segmentation run wants. */
export interface SegLoadOptions {
  /** Seed of the built-in street scenes (imported sets are fixed). */
  seed: number;
  /** Built-in street scenes: images per split (imported sets use all their images). */
  trainSize: number;
  testSize: number;
  onProgress?: (fraction: number) => void;
}

export class DatasetService {
  private storeP: Promise<DatasetStore> | null = null;
  private importing: AbortController | null = null;

  constructor(
    private readonly onProgress: (p: ImportProgressInfo) => void,
    private readonly openStore: () => Promise<DatasetStore> = () => DatasetStore.open(),
    private readonly decodeImage: SegImageDecoder = decodeSegImage,
  ) {}

  private store(): Promise<DatasetStore> {
    this.storeP ??= this.openStore().catch((err: unknown) => {
      this.storeP = null;
      throw new EngineFault(
        'storage-failed',
        `This browser's storage (IndexedDB) is not available (${err instanceof Error ? err.message : String(err)}), so datasets cannot be kept.`,
      );
    });
    return this.storeP;
  }

  /** The built-in classification dataset's entry (its size follows the run settings). */
  static builtin(): DatasetInfo {
    return {
      id: BUILTIN_DATASET_ID,
      name: 'Shapes & textures (built-in)',
      kind: 'builtin',
      classNames: [...SHAPE_CLASS_NAMES],
      trainCount: 0,
      testCount: 0,
      height: 32,
      width: 32,
      bytes: 0,
      source: 'generated',
      createdAt: 0,
    };
  }

  /** The built-in street-scene segmentation dataset's entry (8 classes, 128×256; its counts follow the run settings). */
  static streets(): DatasetInfo {
    return {
      id: STREETS_DATASET_ID,
      name: STREET_DATASET_NAMES[STREETS_DATASET_ID]!,
      kind: 'builtin',
      task: 'segment',
      classNames: [...STREET_CLASSES],
      palette: STREET_PALETTE.map(([r, g, b]): [number, number, number] => [r, g, b]),
      trainCount: 0,
      testCount: 0,
      ...STREET_SIZES.high,
      bytes: 0,
      source: 'generated',
      createdAt: 0,
    };
  }

  /** The built-in realistic street scenes' entry (issue #15; same classes and size as the classic ones). */
  static streetsReal(): DatasetInfo {
    return { ...DatasetService.streets(), id: STREETS_REAL_DATASET_ID, name: STREET_DATASET_NAMES[STREETS_REAL_DATASET_ID]! };
  }

  /** The built-in entry of a street-scene id, or null. */
  private static streetSet(id: string): { info: DatasetInfo; style: StreetStyle } | null {
    if (id === STREETS_DATASET_ID) return { info: DatasetService.streets(), style: 'classic' };
    if (id === STREETS_REAL_DATASET_ID) return { info: DatasetService.streetsReal(), style: 'realistic' };
    return null;
  }

  /** The built-in datasets, then every stored one (oldest first). */
  async list(): Promise<DatasetInfo[]> {
    return [DatasetService.builtin(), DatasetService.streets(), DatasetService.streetsReal(), ...(await (await this.store()).list())];
  }

  /** Delete a stored dataset (the built-in ones cannot be). */
  async remove(id: string): Promise<void> {
    if (id === BUILTIN_DATASET_ID || DatasetService.streetSet(id)) throw new EngineFault('invalid-config', 'The built-in datasets cannot be deleted.');
    await (await this.store()).remove(id);
  }

  /**
   * A sample grid of a split: class by class for classification, the first `perClass` images with label maps for
   * segmentation or with their person boxes for detection.
   */
  async samples(id: string, split: 'train' | 'test', perClass: number): Promise<DatasetSamples> {
    if (id === BUILTIN_DATASET_ID) {
      // The same images a run with seed 1 trains on: they are generated, so draw them afresh.
      const count = perClass * SHAPE_CLASS_NAMES.length * 3;
      const data = await generateShapesDataset({ seed: 1, trainSize: count, testSize: count });
      return pickSamples(DatasetService.builtin(), split, data[split], perClass, 100);
    }
    const street = DatasetService.streetSet(id);
    if (street) {
      const data = await generateStreetDataset({
        seed: 1,
        size: 'high',
        trainSize: split === 'train' ? perClass : 0,
        testSize: split === 'test' ? perClass : 0,
        style: street.style,
      });
      return pickSegSamples(street.info, split, data[split], perClass);
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
      const phase = req.format === 'cifar' ? 'reading' : 'decoding';
      const onRead = (f: number) => report(phase, f * READ_SHARE);
      const onSave = (f: number) => report('saving', READ_SHARE + f * (1 - READ_SHARE));
      if (req.format === 'segmentation') {
        const { data, meta } = await runSegImport(req, label, onRead, abort.signal, this.decodeImage);
        return { ok: true, dataset: await store.saveSeg(data, { ...meta, ...fingerprintOf(req) }, onSave) };
      }
      if (req.format === 'detection') {
        const { data, meta } = await runDetectImport(req, label, onRead, abort.signal, this.decodeImage);
        return { ok: true, dataset: await store.saveDetect(data, { ...meta, ...fingerprintOf(req) }, onSave) };
      }
      const { data, meta } = await runImport(req, onRead, abort.signal);
      return { ok: true, dataset: await store.save(data, { ...meta, ...fingerprintOf(req) }, onSave) };
    } catch (err) {
      return { ok: false, error: importError(err) };
    } finally {
      this.importing = null;
    }
  }

  /** Abort the import in progress (it fails with the importer's 'aborted' code and stores nothing). */
  cancelImport(): void {
    this.importing?.abort();
  }

  /** The classification dataset a run config names: generated (built-in) or read from storage; refuses segmentation sets. */
  async load(config: Pick<TrainConfig, 'dataset' | 'seed' | 'trainSize' | 'testSize'>, onProgress: (fraction: number) => void): Promise<ImageDataset> {
    if (config.dataset === BUILTIN_DATASET_ID) return loadDataset(config, onProgress);
    const street = DatasetService.streetSet(config.dataset);
    if (street) throw wrongTaskFault(street.info, 'classify');
    return (await this.stored(config.dataset)).load(config.dataset, onProgress);
  }

  /**
   * A segmentation dataset at the Segment lab's low (64×128) or high (128×256) size: the built-in street
   * scenes generated from opts, or a stored import resized (images bilinearly, labels by nearest neighbour).
   * Refuses classification datasets (invalid-config) and ids not stored (dataset-missing).
   */
  async loadSeg(id: string, size: StreetSize, opts: SegLoadOptions): Promise<SegDataset> {
    const street = DatasetService.streetSet(id);
    if (street)
      return generateStreetDataset({
        seed: opts.seed,
        size,
        trainSize: opts.trainSize,
        testSize: opts.testSize,
        onProgress: opts.onProgress,
        style: street.style,
      });
    if (id === BUILTIN_DATASET_ID) throw wrongTaskFault(DatasetService.builtin(), 'segment');
    const store = await this.stored(id);
    const resizing = size !== 'high';
    const data = await store.loadSeg(id, (f) => opts.onProgress?.(resizing ? f / 2 : f));
    const { height, width } = STREET_SIZES[size];
    return resizeSegDataset(data, height, width, (f) => opts.onProgress?.(0.5 + f / 2));
  }

  /**
   * An imported person-detection dataset (COCO / Pascal VOC) as stored: images NHWC uint8 RGB at the detection size
   * (128×256), each with its person boxes (normalised cx, cy, w, h; ignore flags). The built-in person scenes are
   * generated by the Detect lab itself, not here. Refuses the other built-in sets and stored sets of another task
   * (invalid-config) and ids not stored (dataset-missing).
   */
  async loadDetection(id: string, onProgress?: (f: number) => void): Promise<DetectDataset> {
    if (id === BUILTIN_DATASET_ID) throw wrongTaskFault(DatasetService.builtin(), 'detect');
    const street = DatasetService.streetSet(id);
    if (street) throw wrongTaskFault(street.info, 'detect');
    return (await this.stored(id)).loadDetection(id, onProgress);
  }

  /** The store, once it is known to hold dataset `id`. */
  private async stored(id: string): Promise<DatasetStore> {
    const store = await this.store();
    if (!(await store.info(id))) {
      throw new EngineFault(
        'dataset-missing',
        `The dataset ${id} is not stored in this browser (deleted, or the link came from another browser): import it or choose another dataset.`,
      );
    }
    return store;
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

/** The request's fingerprint, when the UI sent one, for the stored metadata. */
function fingerprintOf(req: ImportRequest): { fingerprint?: string } {
  return req.fingerprint ? { fingerprint: req.fingerprint } : {};
}
