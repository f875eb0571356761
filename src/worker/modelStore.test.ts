import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ModelMeta } from '../protocol/models';
import { ModelLibrary } from './modelLibrary';
import { ModelStore, UPGRADE_BLOCKED, manifestBytes } from './modelStore';

/** A valid ModelInfo without id, date and size. */
const meta = (over: Partial<ModelMeta> = {}): ModelMeta => ({
  lab: 'train',
  family: 'vgg16',
  name: 'vgg16 · Shapes',
  params: 1234,
  macs: 56789,
  metric: { name: 'test accuracy', value: 0.5 },
  dataset: 'shapes',
  datasetName: 'Shapes & textures (built-in)',
  classNames: ['a', 'b'],
  inputSize: { height: 32, width: 32 },
  normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
  provenance: { runId: 'r1', steps: 6, seed: 1 },
  ...over,
});

/** A JSON with a weights manifest of 2×3 + 4 floats (40 bytes), and matching weights. */
const files = (weightBytes = 40) => ({
  json: JSON.stringify({
    format: 'prune-distill-workbench',
    weightsManifest: [
      {
        paths: ['weights.bin'],
        weights: [
          { name: 'a', shape: [2, 3], dtype: 'float32' },
          { name: 'b', shape: [4], dtype: 'float32' },
        ],
      },
    ],
  }),
  weights: Float32Array.from({ length: weightBytes / 4 }, (_, i) => i).buffer,
});

let n = 0;
const opened: ModelStore[] = [];
async function fresh(): Promise<{ store: ModelStore; name: string }> {
  const name = `models-test-${n++}`;
  const store = await ModelStore.open(name);
  opened.push(store);
  return { store, name };
}
afterEach(() => {
  vi.restoreAllMocks();
  for (const s of opened.splice(0)) s.close();
});

describe('ModelStore', () => {
  it('saves, lists (newest first), renames, reads back byte for byte and deletes', async () => {
    const { store } = await fresh();
    const a = await store.save(meta({ name: 'first' }), files());
    const b = await store.save(meta({ name: 'second', lab: 'segment', family: 'seg-student', metric: { name: 'mIoU', value: 0.3 } }), files());
    expect(a.id).toMatch(/^m-[a-z0-9-]+$/);
    expect(a.bytes).toBe(new TextEncoder().encode(files().json).byteLength + 40);
    expect((await store.list()).map((m) => m.name)).toEqual(['second', 'first']);

    const renamed = await store.rename(a.id, 'renamed');
    expect(renamed).toEqual({ ...a, name: 'renamed' });
    const read = await store.files(a.id);
    expect(read.info.name).toBe('renamed');
    expect(read.files.json).toBe(files().json);
    expect(new Float32Array(read.files.weights)).toEqual(new Float32Array(files().weights));

    await store.remove(a.id);
    expect((await store.list()).map((m) => m.id)).toEqual([b.id]);
    await expect(store.files(a.id)).rejects.toThrow(/is not stored in this browser/);
  });

  it('counts the bytes a manifest describes in both JSON layouts', () => {
    expect(manifestBytes(JSON.parse(files().json))).toBe(40);
    expect(manifestBytes({ weights: [{ name: 'k', shape: [3, 3, 3, 8] }] })).toBe(4 * 216);
    expect(manifestBytes({ format: 'x' })).toBeNull();
  });

  it('refuses a damaged record or damaged weights with a sentence, and leaves a damaged record out of the list', async () => {
    const { store, name } = await fresh();
    const good = await store.save(meta(), files());
    const short = await store.save(meta({ name: 'short' }), files());
    const raw = await openDB(name);
    // Weights cut short after the save, and a record missing its metric.
    await raw.put('files', { ...files(), weights: new ArrayBuffer(12) }, short.id);
    await raw.put('models', { ...meta(), id: 'm-broken', createdAt: 1, bytes: 10, metric: undefined });
    raw.close();

    await expect(store.files(short.id)).rejects.toThrow(
      'The weights stored for "short" are 12 bytes instead of 40: damaged; delete the model and train or import it again.',
    );
    await expect(store.files('m-broken')).rejects.toThrow('The stored record of model m-broken is damaged; delete the model and train or import it again.');
    const all = await store.listAll();
    expect(all.damaged).toEqual(['m-broken']);
    expect(all.models.map((m) => m.id).sort()).toEqual([good.id, short.id].sort());
    expect((await store.files(good.id)).files.weights.byteLength).toBe(40);
  });

  it('a quota failure stores nothing (no record, no orphan files) and says storage is full', async () => {
    const { store, name } = await fresh();
    const kept = await store.save(meta({ name: 'kept' }), files());
    // The record (written last) hits the quota after the files were put in the same transaction.
    const put = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'models') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    });
    await expect(store.save(meta({ name: 'big one' }), files())).rejects.toThrow(
      /^Browser storage is full: the model "big one" \(\d+ bytes\) could not be kept; delete models or datasets to make room; nothing stored was changed\.$/,
    );
    vi.restoreAllMocks();
    expect((await store.list()).map((m) => m.id)).toEqual([kept.id]);
    const raw = await openDB(name);
    expect(await raw.getAllKeys('files')).toEqual([kept.id]);
    raw.close();
    // The store still works afterwards.
    expect((await store.save(meta({ name: 'after' }), files())).name).toBe('after');
  });

  it('v1 → v2 upgrade held back by another tab: says so, finishes once that tab closes, keeps the v1 models', async () => {
    const name = `models-test-${n++}`;
    // The other tab: the old code's v1 database, with one model, left open and with no versionchange handler.
    const old = await openDB(name, 1, {
      upgrade(d) {
        d.createObjectStore('models', { keyPath: 'id' });
        d.createObjectStore('files');
      },
    });
    const info = { ...meta({ name: 'from v1' }), id: 'm-old', createdAt: 1, bytes: JSON.stringify(files().json).length };
    await old.put('files', files(), 'm-old');
    await old.put('models', { ...info, bytes: new TextEncoder().encode(files().json).byteLength + 40 });

    const blocked = vi.fn();
    const opening = ModelStore.open(name, { onBlocked: blocked });
    await vi.waitFor(() => expect(blocked).toHaveBeenCalledTimes(1));
    old.close(); // the user closed the other tab
    const store = await opening;
    opened.push(store);
    expect((await store.list()).map((m) => m.name)).toEqual(['from v1']);
    expect(await store.zooChoices()).toEqual([]);
  });

  it('a connection closes itself when another tab upgrades; the library says when it is held back and reopens after', async () => {
    const name = `models-test-${n++}`;
    const failures: string[] = [];
    const closedFor = vi.fn();
    const library = new ModelLibrary({
      open: (hooks) => ModelStore.open(name, { ...hooks, onClosedForUpgrade: () => (hooks.onClosedForUpgrade?.(), closedFor()) }),
      onList: () => undefined,
      onFailure: (e) => failures.push(e.message),
      log: () => undefined,
    });
    expect(await library.list()).toEqual([]);
    // Another tab opens a newer version: this tab's connection must not hold it back.
    const newer = await openDB(name, 3);
    expect(closedFor).toHaveBeenCalledTimes(1);
    newer.close();
    expect(failures).toEqual([]);

    // And the other way round: an old connection held open elsewhere holds this tab's opening back, which is a notice.
    const other = `models-test-${n++}`;
    const old = await openDB(other, 1, {
      upgrade(d) {
        d.createObjectStore('models', { keyPath: 'id' });
        d.createObjectStore('files');
      },
    });
    const held = new ModelLibrary({
      open: (hooks) => ModelStore.open(other, hooks),
      onList: () => undefined,
      onFailure: (e) => failures.push(e.message),
      log: () => undefined,
    });
    const listing = held.list();
    await vi.waitFor(() => expect(failures).toEqual([UPGRADE_BLOCKED]));
    expect(UPGRADE_BLOCKED).toMatch(/close other workbench tabs to finish upgrading the model library/);
    old.close();
    expect(await listing).toEqual([]);
  });
});
