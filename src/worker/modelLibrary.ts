/**
 * The worker's model library (issue #14): keeps every model a finished run hands over (serialised, then stored in
 * 'pdw-models'), and answers the EngineApi's model calls: list, rename, delete, the files for download, ONNX export and
 * import. Calls never throw: a refusal is an Outcome with one sentence; a failed save never fails the run (it is logged
 * and reported through `onFailure`). After every change the new list goes to `onList`.
 */
import { exportOnnx } from '../engine';
import type { EngineError } from '../protocol/errors';
import type { ModelChangeResult, ModelFile, ModelFilesResult, ModelImportResult, ModelInfo, ModelMeta, ModelOnnxResult } from '../protocol/models';
import { describeError, EngineFault } from './errors';
import { importArchitectureProblem, importFileSizeProblem, importOnnxSizeProblem, loadStored, storedFromOnnx, type ModelToKeep } from './modelFormats';
import { isShippedId, type ShippedModels } from './shippedModels';
import { ModelStore, UPGRADE_BLOCKED, manifestBytes, type ModelStoreHooks } from './modelStore';

export interface ModelLibraryOptions {
  /**
   * Open the store with the library's upgrade hooks (default: IndexedDB 'pdw-models'; no store where IndexedDB does not
   * exist, e.g. Node without fake-indexeddb).
   */
  open?: ((hooks: ModelStoreHooks) => Promise<ModelStore>) | null;
  /** The list after every change. */
  onList(list: ModelInfo[]): void;
  /** A model that could not be kept (the run itself went fine). */
  onFailure(error: EngineError): void;
  log?: (message: string) => void;
  /** The models the workbench ships, listed after the kept ones once `loadShipped` has read them (null: none). */
  shipped?: ShippedModels | null;
}

/** Longest model name. */
export const MAX_MODEL_NAME = 120;

const refused = (err: unknown) => ({ ok: false as const, error: describeError(err) });
/** A file name from a model name: letters, digits, dots, dashes and underscores. */
const fileBase = (name: string) => name.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'model';
const exactBuffer = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

export class ModelLibrary {
  private storeP: Promise<ModelStore> | null = null;
  private readonly open: ((hooks: ModelStoreHooks) => Promise<ModelStore>) | null;
  private pending = new Set<Promise<unknown>>();
  private readonly log: (message: string) => void;

  constructor(private readonly opts: ModelLibraryOptions) {
    this.open = opts.open === undefined ? (typeof indexedDB === 'undefined' ? null : (hooks) => ModelStore.open('pdw-models', hooks)) : opts.open;
    this.log = opts.log ?? ((m) => console.warn(m));
  }

  /** The hooks every opening gets: a held-back upgrade is a notice; a connection closed for another tab's upgrade is reopened on next use. */
  private readonly hooks: ModelStoreHooks = {
    onBlocked: () => {
      this.log(`Model library: ${UPGRADE_BLOCKED}`);
      this.opts.onFailure({ code: 'storage-failed', message: UPGRADE_BLOCKED });
    },
    onClosedForUpgrade: () => {
      this.storeP = null;
      this.log('Model library: closed the connection so that another tab can upgrade the database.');
    },
  };

  private store(): Promise<ModelStore> {
    if (!this.open) return Promise.reject(new EngineFault('storage-failed', "This browser's storage (IndexedDB) is not available, so models cannot be kept."));
    this.storeP ??= this.open(this.hooks).catch((err: unknown) => {
      this.storeP = null;
      throw new EngineFault(
        'storage-failed',
        `This browser's storage (IndexedDB) is not available (${err instanceof Error ? err.message : String(err)}), so models cannot be kept.`,
      );
    });
    return this.storeP;
  }

  /** Resolves once every save in flight has ended (a new run or a lab call waits for it before it may dispose a model being read). */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * Serialise and store a model a run produced; resolves to its record, or null when it could not be kept (logged and
   * reported through onFailure; never throws). Without a store (no IndexedDB) nothing is kept and nothing is reported.
   */
  keep(m: ModelToKeep): Promise<ModelInfo | null> {
    const job = (async () => {
      let files: { json: string; weights: ArrayBuffer };
      try {
        if (!this.open) return null;
        const { json, weights } = await m.serialize();
        files = { json: JSON.stringify({ ...json, library: m.meta }), weights };
      } catch (err) {
        return this.failed(m.meta, err);
      } finally {
        m.release?.();
      }
      try {
        const info = await (await this.store()).save(m.meta, files);
        await this.pushList();
        return info;
      } catch (err) {
        return this.failed(m.meta, err);
      }
    })();
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
    return job;
  }

  private failed(meta: ModelMeta, err: unknown): null {
    const e = describeError(err);
    const error: EngineError =
      e.code === 'storage-failed' ? e : { code: 'storage-failed', message: `The model "${meta.name}" could not be kept in the library (${e.message})` };
    this.log(`Model library: ${error.message}`);
    this.opts.onFailure(error);
    return null;
  }

  private async pushList(): Promise<void> {
    this.opts.onList(await this.read());
  }

  /** Read the shipped models (once a backend is ready: they are rebuilt for their metadata), then push the list with them. */
  async loadShipped(): Promise<void> {
    if (!this.opts.shipped) return;
    try {
      await this.opts.shipped.load();
    } catch (err) {
      this.log(`Model library: the shipped models could not be listed (${describeError(err).message})`);
      return;
    }
    await this.pushList();
  }

  /** A model's record, JSON and weights, kept or shipped; throws a sentence. */
  private async source(id: string): Promise<{ info: ModelInfo; json: Record<string, unknown>; weights: ArrayBuffer }> {
    if (isShippedId(id)) {
      if (!this.opts.shipped) throw new EngineFault('invalid-config', `There is no shipped model ${id}.`);
      return this.opts.shipped.files(id);
    }
    const { info, files, json } = await (await this.store()).files(id);
    return { info, json, weights: files.weights };
  }

  /** A refusal for renaming or deleting a shipped model; null for a kept one. */
  private shippedRefusal(id: string, what: string) {
    if (!isShippedId(id)) return null;
    const name = this.opts.shipped?.list().find((m) => m.id === id)?.name ?? id;
    return refused(new EngineFault('invalid-config', `“${name}” is shipped with the workbench: it cannot be ${what}.`));
  }

  /** Every kept model, newest first (waits for saves in flight; empty without a store). */
  async list(): Promise<ModelInfo[]> {
    await this.settled();
    return this.read();
  }

  /** The stored list as it is now (a save calls it while it is itself in flight). */
  private async read(): Promise<ModelInfo[]> {
    const shipped = this.opts.shipped?.list() ?? [];
    if (!this.open) return shipped;
    try {
      const { models, damaged } = await (await this.store()).listAll();
      if (damaged.length > 0) this.log(`Model library: ${damaged.length} damaged record(s) left out of the list (${damaged.join(', ')}).`);
      return [...models, ...shipped];
    } catch (err) {
      this.log(`Model library: the list could not be read (${describeError(err).message})`);
      return shipped;
    }
  }

  async rename(id: string, name: string): Promise<ModelChangeResult> {
    const clean = typeof name === 'string' ? name.trim() : '';
    if (clean.length === 0 || clean.length > MAX_MODEL_NAME)
      return refused(new EngineFault('invalid-config', `A model name needs 1 to ${MAX_MODEL_NAME} characters (got ${clean.length}).`));
    const shipped = this.shippedRefusal(id, 'renamed');
    if (shipped) return shipped;
    try {
      await (await this.store()).rename(id, clean);
      await this.pushList();
      return { ok: true };
    } catch (err) {
      return refused(err);
    }
  }

  async remove(id: string): Promise<ModelChangeResult> {
    const shipped = this.shippedRefusal(id, 'deleted');
    if (shipped) return shipped;
    try {
      const store = await this.store();
      await store.info(id);
      await store.remove(id);
      await this.pushList();
      return { ok: true };
    } catch (err) {
      return refused(err);
    }
  }

  /** The model's `<name>.json` (its `library` block brought up to date) and `<name>.bin`. */
  async files(id: string): Promise<ModelFilesResult> {
    try {
      const { info, json, weights } = await this.source(id);
      const { id: _id, createdAt: _at, bytes: _bytes, shipped: _shipped, ...meta } = info;
      const text = JSON.stringify({ ...json, library: meta });
      const base = fileBase(info.name);
      return {
        ok: true,
        info,
        files: { json: { name: `${base}.json`, bytes: exactBuffer(new TextEncoder().encode(text)) }, weights: { name: `${base}.bin`, bytes: weights } },
      };
    } catch (err) {
      return refused(err);
    }
  }

  /** The model as one `.onnx` file, its normalisation in the metadata. */
  async exportOnnx(id: string): Promise<ModelOnnxResult> {
    try {
      const { info, json, weights } = await this.source(id);
      let loaded;
      try {
        loaded = loadStored(json, weights);
      } catch (err) {
        throw new EngineFault('storage-failed', `The stored model "${info.name}" cannot be rebuilt (${describeError(err).message}); delete it.`);
      }
      try {
        if (loaded.format === 'detection')
          throw new EngineFault(
            'invalid-config',
            `"${info.name}" is a Detect-lab detector, which the workbench does not export to ONNX yet: download its .json and .bin instead.`,
          );
        const bytes = await exportOnnx(loaded.model, info.normalization ? { normalization: info.normalization } : {});
        return { ok: true, info, file: { name: `${fileBase(info.name)}.onnx`, bytes: exactBuffer(bytes) } };
      } finally {
        loaded.dispose();
      }
    } catch (err) {
      return refused(err);
    }
  }

  /**
   * Check a model's .json + weights (the format known, the architecture buildable, every weight present with its shape,
   * the byte count exact) by rebuilding it, and store it; anything else is refused with one sentence naming the file,
   * and nothing stored is touched.
   */
  async import(files: readonly ModelFile[]): Promise<ModelImportResult> {
    const bad = (message: string) => refused(new EngineFault('invalid-config', message));
    if (Array.isArray(files) && files.length === 1 && /\.onnx$/i.test(files[0]!.name)) return this.importOnnx(files[0]!);
    if (!Array.isArray(files) || files.length !== 2) return bad('Choose two files: the model’s .json and its .bin weights, or one .onnx the workbench wrote.');
    const jsonFile = files.find((f) => /\.json$/i.test(f.name));
    const weightsFile = files.find((f) => f !== jsonFile);
    if (!jsonFile || !weightsFile || /\.json$/i.test(weightsFile.name))
      return bad('Choose two files: the model’s .json and its .bin weights (exactly one .json).');
    const tooBig = importFileSizeProblem(
      { name: jsonFile.name, bytes: jsonFile.bytes.byteLength },
      { name: weightsFile.name, bytes: weightsFile.bytes.byteLength },
    );
    if (tooBig) return bad(tooBig);
    let json: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(new TextDecoder().decode(jsonFile.bytes));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      json = parsed as Record<string, unknown>;
    } catch {
      return bad(`${jsonFile.name} is not a JSON object: choose the .json file the workbench wrote.`);
    }
    const expected = manifestBytes(json);
    if (expected !== null && expected !== weightsFile.bytes.byteLength)
      return bad(
        `${weightsFile.name} has ${weightsFile.bytes.byteLength} bytes but ${jsonFile.name} describes ${expected}: it is incomplete or belongs to another model.`,
      );
    const declared = importArchitectureProblem(jsonFile.name, json);
    if (declared) return bad(declared);
    let meta: ModelMeta;
    try {
      const loaded = loadStored(json, weightsFile.bytes);
      meta = loaded.meta;
      loaded.dispose();
    } catch (err) {
      return bad(`${jsonFile.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    meta = { ...meta, provenance: { ...meta.provenance, importedFrom: jsonFile.name } };
    const { library: _old, ...rest } = json;
    try {
      const model = await (await this.store()).save(meta, { json: JSON.stringify({ ...rest, library: meta }), weights: weightsFile.bytes.slice(0) });
      await this.pushList();
      return { ok: true, model };
    } catch (err) {
      return refused(err);
    }
  }

  /**
   * Check an `.onnx` file the workbench wrote (its architecture in the metadata known, every weight present with its
   * shape) by rebuilding it with the engine's `importOnnx`, and store it as a kept model of its lab in the workbench's
   * format (provenance: imported from the file); anything else is refused with one sentence naming the file, and nothing
   * stored is touched.
   */
  private async importOnnx(file: ModelFile): Promise<ModelImportResult> {
    const bad = (message: string) => refused(new EngineFault('invalid-config', message));
    const tooBig = importOnnxSizeProblem({ name: file.name, bytes: file.bytes.byteLength });
    if (tooBig) return bad(tooBig);
    let stored: Awaited<ReturnType<typeof storedFromOnnx>>;
    try {
      stored = await storedFromOnnx(new Uint8Array(file.bytes), file.name);
    } catch (err) {
      return bad(`${file.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      const model = await (await this.store()).save(stored.meta, { json: JSON.stringify({ ...stored.json, library: stored.meta }), weights: stored.weights });
      await this.pushList();
      return { ok: true, model };
    } catch (err) {
      return refused(err);
    }
  }
}
