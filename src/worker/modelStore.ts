/**
 * Kept models in IndexedDB (database 'pdw-models', through `idb`): per model one ModelInfo record and its files (the
 * workbench JSON as text, the float32 weights as one buffer). Both are written in one transaction, the files first and
 * the record last, and the transaction is aborted on any failure, so a failed save lists nothing half-written and
 * changes nothing already stored. Version 2 adds 'zooChoice': which model the Segment lab's zoo holds per input size and
 * slot (a library model's id, or null for the shipped one), so the zoo's choice survives a reload.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { modelInfoSchema, type ModelInfo, type ModelMeta } from '../protocol/models';
import { EngineFault } from './errors';

/** A model's stored files. */
export interface StoredFiles {
  /** The model's JSON (architecture, weights manifest, `library` block), as text. */
  json: string;
  /** Little-endian float32 weights in manifest order. */
  weights: ArrayBuffer;
}

interface Schema extends DBSchema {
  models: { key: string; value: ModelInfo };
  files: { key: string; value: StoredFiles };
  zooChoice: { key: string; value: ZooChoice };
}

/** The Segment zoo's choice for one input size and slot: a library model's id, or null for the shipped weights. */
export interface ZooChoice {
  size: string;
  slot: string;
  modelId: string | null;
}

let lastCreatedAt = 0;
/** Milliseconds since the epoch, strictly increasing: two saves in the same millisecond still list in save order. */
function nextCreatedAt(): number {
  lastCreatedAt = Math.max(Date.now(), lastCreatedAt + 1);
  return lastCreatedAt;
}

const newId = () => `m-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`;

/** Bytes the weights manifest of a workbench model JSON describes (classifier `weightsManifest` groups, or a Segment / Affinity `weights` list); null if it has none. */
export function manifestBytes(json: unknown): number | null {
  if (typeof json !== 'object' || json === null) return null;
  const o = json as { weightsManifest?: unknown; weights?: unknown };
  const groups = Array.isArray(o.weightsManifest) ? o.weightsManifest.map((g) => (g as { weights?: unknown }).weights) : [o.weights];
  let bytes = 0;
  for (const specs of groups) {
    if (!Array.isArray(specs) || specs.length === 0) return null;
    for (const s of specs) {
      const shape = (s as { shape?: unknown }).shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) return null;
      bytes += 4 * (shape as number[]).reduce((a, b) => a * b, 1);
    }
  }
  return bytes;
}

const utf8Bytes = (text: string) => new TextEncoder().encode(text).byteLength;

/** The database's version: 2 added 'zooChoice'. */
export const MODEL_DB_VERSION = 2;

/** The sentence the user gets while another tab's open connection holds an upgrade back. */
export const UPGRADE_BLOCKED =
  'The model library is being upgraded, and another workbench tab still has the old one open: close other workbench tabs to finish upgrading the model library.';

export interface ModelStoreHooks {
  /** Another tab holds the database at an older version open, so this upgrade waits (it goes on once that tab closes it). */
  onBlocked?(): void;
  /** This connection was closed so that another tab could upgrade the database (the next use reopens it). */
  onClosedForUpgrade?(): void;
}

export class ModelStore {
  private closedFlag = false;
  private constructor(private readonly db: IDBPDatabase<Schema>) {}

  /**
   * Open (or create) the database. An upgrade that another tab's old connection holds back calls `onBlocked` (the
   * upgrade goes on once that tab closes it); when another tab wants to upgrade, this connection closes itself so that
   * it is not the one holding the upgrade back (`closed` is then true and the owner opens a new one).
   */
  static async open(name = 'pdw-models', hooks: ModelStoreHooks = {}): Promise<ModelStore> {
    let store: ModelStore | null = null;
    const db = await openDB<Schema>(name, MODEL_DB_VERSION, {
      upgrade(d, oldVersion) {
        if (oldVersion < 1) {
          d.createObjectStore('models', { keyPath: 'id' });
          d.createObjectStore('files');
        }
        if (oldVersion < 2) d.createObjectStore('zooChoice');
      },
      blocked() {
        hooks.onBlocked?.();
      },
      blocking() {
        if (store) store.closedFlag = true;
        db.close();
        hooks.onClosedForUpgrade?.();
      },
      terminated() {
        if (store) store.closedFlag = true;
      },
    });
    store = new ModelStore(db);
    return store;
  }

  /** Whether this connection was closed (for another tab's upgrade, or by `close()`): open a new one to go on. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Every stored model, newest first; records that fail the schema (damaged) are left out and named in `damaged`. */
  async listAll(): Promise<{ models: ModelInfo[]; damaged: string[] }> {
    const all = await this.db.getAll('models');
    const models: ModelInfo[] = [];
    const damaged: string[] = [];
    for (const r of all) {
      if (modelInfoSchema.safeParse(r).success) models.push(r);
      else damaged.push(String((r as { id?: unknown }).id));
    }
    return { models: models.sort((a, b) => b.createdAt - a.createdAt), damaged };
  }

  /** Every intact stored model, newest first. */
  async list(): Promise<ModelInfo[]> {
    return (await this.listAll()).models;
  }

  /** The record of a stored model; a fault with a sentence if it is missing or damaged. */
  async info(id: string): Promise<ModelInfo> {
    const r = await this.db.get('models', id);
    if (!r) throw new EngineFault('invalid-config', `The model ${id} is not stored in this browser (it was deleted); refresh the list.`);
    if (!modelInfoSchema.safeParse(r).success)
      throw new EngineFault('storage-failed', `The stored record of model ${id} is damaged; delete the model and train or import it again.`);
    return r;
  }

  /** Store a model's files and its record (files first, record last, one transaction): the new record. */
  async save(meta: ModelMeta, files: StoredFiles): Promise<ModelInfo> {
    const info: ModelInfo = { ...meta, id: newId(), createdAt: nextCreatedAt(), bytes: utf8Bytes(files.json) + files.weights.byteLength };
    const tx = this.db.transaction(['files', 'models'], 'readwrite');
    const done = tx.done;
    try {
      await tx.objectStore('files').put(files, info.id);
      await tx.objectStore('models').put(info);
      await done;
      return info;
    } catch (err) {
      try {
        tx.abort();
      } catch {
        // already aborted by the failed request
      }
      await done.catch(() => undefined);
      throw storageError(err, `the model "${info.name}" (${formatBytes(info.bytes)}) could not be kept`);
    }
  }

  /** Give a model a new name: its updated record. */
  async rename(id: string, name: string): Promise<ModelInfo> {
    const info = await this.info(id);
    const next = { ...info, name };
    try {
      await this.db.put('models', next);
    } catch (err) {
      throw storageError(err, `the model could not be renamed`);
    }
    return next;
  }

  /** Delete a model's record and files (one transaction). */
  async remove(id: string): Promise<void> {
    const tx = this.db.transaction(['files', 'models'], 'readwrite');
    await Promise.all([tx.objectStore('models').delete(id), tx.objectStore('files').delete(id), tx.done]);
  }

  /** A model's record and files, checked: a missing or damaged record, JSON or weights file is refused with a sentence. */
  async files(id: string): Promise<{ info: ModelInfo; files: StoredFiles; json: Record<string, unknown> }> {
    const info = await this.info(id);
    const files = await this.db.get('files', id);
    const damaged = (what: string, detail = '') =>
      new EngineFault('storage-failed', `The ${what} stored for "${info.name}" ${detail}damaged; delete the model and train or import it again.`);
    if (!files || typeof files.json !== 'string' || !(files.weights instanceof ArrayBuffer)) throw damaged('files', 'are missing or ');
    let json: unknown;
    try {
      json = JSON.parse(files.json);
    } catch {
      throw damaged('JSON', 'is ');
    }
    const expected = manifestBytes(json);
    if (expected === null) throw damaged('JSON', 'is ');
    if (expected !== files.weights.byteLength) throw damaged('weights', `are ${files.weights.byteLength} bytes instead of ${expected}: `);
    return { info, files, json: json as Record<string, unknown> };
  }

  /** Every recorded Segment zoo choice. */
  async zooChoices(): Promise<ZooChoice[]> {
    return this.db.getAll('zooChoice');
  }

  /** Record which model the Segment zoo holds at a size and slot (null: the shipped one). */
  async setZooChoice(size: string, slot: string, modelId: string | null): Promise<void> {
    try {
      await this.db.put('zooChoice', { size, slot, modelId }, `${size}:${slot}`);
    } catch (err) {
      throw storageError(err, `the zoo's choice for the ${slot} at the ${size} size could not be remembered`);
    }
  }

  /** Forget every Segment zoo choice (the zoo holds the shipped models again). */
  async clearZooChoices(): Promise<void> {
    await this.db.clear('zooChoice');
  }

  /** Close the database connection. */
  close(): void {
    this.closedFlag = true;
    this.db.close();
  }
}

/**
 * A model store opened on first use and shared by later calls; a failed open is tried again next time, and so is a
 * connection closed for another tab's upgrade.
 */
export function lazyStore(open: () => Promise<ModelStore>): () => Promise<ModelStore> {
  let storeP: Promise<ModelStore> | null = null;
  return async () => {
    if (storeP && (await storeP.catch(() => null))?.closed) storeP = null;
    storeP ??= open().catch((err: unknown) => {
      storeP = null;
      throw err;
    });
    return storeP;
  };
}

/** "1.2 MB" / "34 kB" / "512 bytes". */
export function formatBytes(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} kB`;
  return `${n} bytes`;
}

/** A storage failure as one sentence: quota first, since that is the usual one. */
function storageError(err: unknown, what: string): EngineFault {
  const name = (err as { name?: string } | null)?.name;
  const message = err instanceof Error ? err.message : String(err);
  if (name === 'QuotaExceededError' || /quota/i.test(message))
    return new EngineFault('storage-failed', `Browser storage is full: ${what}; delete models or datasets to make room; nothing stored was changed.`);
  return new EngineFault('storage-failed', `The model store failed (${message}): ${what}; nothing stored was changed.`);
}
