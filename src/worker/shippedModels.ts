/**
 * The models the workbench ships (public/models/, made by the npm run pretrain:* scripts) as library entries: the
 * Segment zoo's `segment/<size>/*` (per its manifest), the Affinity teacher `affinity/teacher.*` and the Detect zoo's
 * `detect/transformer.*` and `detect/conv.*`. Each is rebuilt
 * once with the engine's loaders for its metadata (params, MACs, classes) and freed; its files are read again on
 * demand (download, ONNX). Ids are `m-shipped-…`; a shipped model is never renamed or deleted.
 */
import { SEG_SIZES } from '../protocol/labs/segment';
import { SHIPPED_MODEL_PREFIX, type ModelInfo } from '../protocol/models';
import { EngineFault } from './errors';
import { loadStored } from './modelFormats';
import { manifestBytes } from './modelStore';
import type { ShippedReader } from './shippedFiles';

/** Where shipped files are read from: `models/segment/…`, `models/affinity/…` and `models/detect/…`. */
export interface ShippedReaders {
  segment: ShippedReader;
  affinity: ShippedReader;
  detect: ShippedReader;
}

/** The Detect zoo's shipped detectors: file base (`<slot>.json` / `.bin`) and library name. */
const SHIPPED_DETECTORS = [
  { slot: 'transformer', name: 'Shipped transformer-encoder detector' },
  { slot: 'conv', name: 'Shipped convolutional-encoder detector' },
] as const;

interface ShippedEntry {
  info: ModelInfo;
  reader: ShippedReader;
  json: string;
  bin: string;
}

const decode = (b: ArrayBuffer) => new TextDecoder().decode(b);

/** Whether an id names a shipped model. */
export const isShippedId = (id: string) => typeof id === 'string' && id.startsWith(SHIPPED_MODEL_PREFIX);

export class ShippedModels {
  private entries: ShippedEntry[] | null = null;

  constructor(private readonly readers: ShippedReaders) {}

  /** The shipped models found (rebuilt once for their metadata; needs a backend); files missing are skipped, a damaged one throws. */
  async load(): Promise<ModelInfo[]> {
    if (this.entries) return this.entries.map((e) => e.info);
    const found: { id: string; reader: ShippedReader; json: string; bin: string; name: string }[] = [];
    for (const size of SEG_SIZES) {
      const manifest = await this.readers.segment(`${size}/manifest.json`);
      if (!manifest) continue;
      const { models } = JSON.parse(decode(manifest)) as { models?: { slot?: unknown; file?: unknown }[] };
      for (const m of models ?? []) {
        if (typeof m.slot !== 'string' || typeof m.file !== 'string' || !m.file.endsWith('.json')) continue;
        found.push({
          id: `${SHIPPED_MODEL_PREFIX}segment-${size}-${m.slot}`,
          reader: this.readers.segment,
          json: m.file,
          bin: m.file.replace(/\.json$/, '.bin'),
          name: `Shipped ${m.slot} (${size} size)`,
        });
      }
    }
    found.push({
      id: `${SHIPPED_MODEL_PREFIX}affinity-teacher`,
      reader: this.readers.affinity,
      json: 'teacher.json',
      bin: 'teacher.bin',
      name: 'Shipped Affinity teacher',
    });
    for (const d of SHIPPED_DETECTORS)
      found.push({ id: `${SHIPPED_MODEL_PREFIX}detect-${d.slot}`, reader: this.readers.detect, json: `${d.slot}.json`, bin: `${d.slot}.bin`, name: d.name });
    const entries: ShippedEntry[] = [];
    for (const f of found) {
      const files = await this.read(f.reader, f.json, f.bin);
      if (!files) continue;
      const loaded = loadStored(files.json, files.weights);
      const { meta } = loaded;
      loaded.dispose();
      const info: ModelInfo = {
        ...meta,
        name: f.name,
        provenance: { ...meta.provenance, runId: null },
        id: f.id,
        createdAt: 0,
        bytes: files.text.length + files.weights.byteLength,
        shipped: true,
      };
      entries.push({ info, reader: f.reader, json: f.json, bin: f.bin });
    }
    this.entries = entries;
    return entries.map((e) => e.info);
  }

  /** The shipped models listed so far (empty until `load` has finished). */
  list(): ModelInfo[] {
    return this.entries?.map((e) => e.info) ?? [];
  }

  /** A shipped model's record, JSON and weights; a sentence when it is not (or no longer) there. */
  async files(id: string): Promise<{ info: ModelInfo; json: Record<string, unknown>; weights: ArrayBuffer }> {
    await this.load();
    const e = this.entries?.find((x) => x.info.id === id);
    if (!e) throw new EngineFault('invalid-config', `There is no shipped model ${id}.`);
    const files = await this.read(e.reader, e.json, e.bin);
    if (!files) throw new EngineFault('storage-failed', `The shipped model "${e.info.name}" could not be read from the server (${e.json}).`);
    return { info: e.info, json: files.json, weights: files.weights };
  }

  private async read(reader: ShippedReader, jsonPath: string, binPath: string) {
    const [json, weights] = await Promise.all([reader(jsonPath), reader(binPath)]);
    if (!json || !weights) return null;
    const text = decode(json);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const expected = manifestBytes(parsed);
    if (expected !== weights.byteLength)
      throw new Error(`${binPath} has ${weights.byteLength} bytes but ${jsonPath} describes ${expected ?? 'no weights'}: run the pretrain script again.`);
    return { json: parsed, weights, text: new TextEncoder().encode(text) };
  }
}
