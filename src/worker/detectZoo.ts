/**
 * The Detect lab's viewer zoo in the worker: one detector per slot (the transformer-encoder pane and the convolutional-encoder
 * pane). Starts with the shipped detectors (public/models/detect/`transformer.*` and `conv.*`, made by `npm run pretrain:detect`
 * with serializeDetector); the Detect lab decides what fills a slot later (a run scoring at least the held AP@0.5, the user's
 * pick from the model library).
 *
 * A detector's provenance (its JSON's `provenance`, written by the pretrain script and by the lab's runs) is read by these keys,
 * each optional: `dataset` (the dataset id), `datasetName`, `steps`, `seed`, `ap50` and `ap` (validation AP@0.5 and AP@[.5:.95],
 * 0–1), `scoreThreshold` and `f1` (the validation score threshold with the best F1 at IoU 0.5, and that F1) and `origin` (a run id;
 * 'shipped' for the shipped files).
 */
import { detectCost, disposeParams, loadDetector, type DetectArchitecture, type DetectModel } from '../engine';
import {
  DETECT_INPUT,
  DETECT_SLOTS,
  detectDatasetDisplayName,
  detectSlotOf,
  type DetectArchitectureSummary,
  type DetectSlot,
  type DetectZooEntry,
  type DetectZooInfo,
} from '../protocol/labs/detect';
import { fetchShipped, type ShippedReader } from './shippedFiles';

/** A built detector's architecture as the form states one (protocol DetectArchitectureSummary). */
export function summaryOfArchitecture(a: DetectArchitecture): DetectArchitectureSummary {
  return {
    encoder: a.encoder.kind,
    width: a.widthMultiplier,
    d: a.d,
    encoderLayers: a.encoder.layers,
    encoderHeads: a.encoder.heads,
    encoderFfn: a.encoder.ffn,
    decoderLayers: a.decoder.layers,
    heads: a.decoder.heads,
    ffn: a.decoder.ffn,
    queries: a.decoder.queries,
  };
}

/** What the zoo knows of a held detector besides its architecture. */
export interface DetectProvenance {
  dataset: string;
  datasetName: string;
  steps: number;
  seed: number;
  ap50: number | null;
  ap: number | null;
  /** The validation score threshold with the best F1 at IoU 0.5, and that F1; null when unknown. */
  scoreThreshold: number | null;
  f1: number | null;
  origin: string;
}

export interface HeldDetector {
  model: DetectModel;
  provenance: DetectProvenance;
  /** The model library's id (null: the shipped one, or a run's detector not kept yet). */
  modelId: string | null;
}

/** The provenance keys of a detector's JSON, read leniently (missing or mistyped keys take neutral values). */
export function detectProvenanceOf(p: Record<string, unknown>, origin: string): DetectProvenance {
  const str = (k: string, d: string) => (typeof p[k] === 'string' ? (p[k] as string) : d);
  const num = (k: string) => (typeof p[k] === 'number' && Number.isFinite(p[k]) ? (p[k] as number) : null);
  const dataset = str('dataset', '');
  return {
    dataset,
    datasetName: str('datasetName', detectDatasetDisplayName(dataset) || 'unknown dataset'),
    steps: num('steps') ?? 0,
    seed: num('seed') ?? 0,
    ap50: num('ap50'),
    ap: num('ap'),
    scoreThreshold: num('scoreThreshold'),
    f1: num('f1'),
    origin: str('origin', origin),
  };
}

/** Why a detector cannot stand in a slot (a sentence fragment after its name), or null. */
export function detectSlotProblem(model: DetectModel, slot: DetectSlot): string | null {
  const a = model.architecture;
  const own = detectSlotOf(a.encoder.kind);
  if (own !== slot) return own ? `has a ${a.encoder.kind} encoder, which belongs in the ${own} pane` : 'has no encoder, so it belongs in no viewer pane';
  if (a.inputHeight !== DETECT_INPUT.height || a.inputWidth !== DETECT_INPUT.width)
    return `takes ${a.inputHeight}×${a.inputWidth} images, not the viewer's ${DETECT_INPUT.height}×${DETECT_INPUT.width}`;
  return null;
}

const SHIPPED_MISSING = 'No shipped detectors were found (run `npm run pretrain:detect`); train them in the lab.';

export class DetectZoo {
  private readonly held = new Map<DetectSlot, HeldDetector>();
  private shipped: Promise<void> | null = null;
  private shippedError: string | null = null;
  private loading = false;
  private readonly shippedSlots = new Set<DetectSlot>();
  /** The latest sentence about a finished run the zoo did not take (DetectZooInfo.notice). */
  notice: string | null = null;

  constructor(private readonly read: ShippedReader = fetchShipped('detect')) {}

  /** Load the shipped detectors once (later calls wait for the first; a failure is tried again next time). */
  ensureShipped(): Promise<void> {
    this.shipped ??= this.loadShipped();
    return this.shipped;
  }

  private async loadShipped(): Promise<void> {
    this.loading = true;
    try {
      for (const slot of DETECT_SLOTS) {
        const loaded = await this.readShipped(slot);
        if (!loaded) continue;
        this.shippedSlots.add(slot);
        if (this.held.has(slot))
          disposeParams(loaded.model.store); // a run already filled the slot
        else this.held.set(slot, { ...loaded, modelId: null });
      }
      this.shippedError = this.shippedSlots.size === 0 ? SHIPPED_MISSING : null;
    } catch (err) {
      this.shippedError = `The shipped detectors could not be loaded (${err instanceof Error ? err.message : String(err)}); train them in the lab.`;
      this.shipped = null;
    } finally {
      this.loading = false;
    }
  }

  /** The shipped detector of a slot, or null when its files are missing; throws a sentence when it is damaged or does not fit. */
  private async readShipped(slot: DetectSlot): Promise<{ model: DetectModel; provenance: DetectProvenance } | null> {
    const [json, bin] = await Promise.all([this.read(`${slot}.json`), this.read(`${slot}.bin`)]);
    if (!json || !bin) return null;
    const { model, provenance } = loadDetector(JSON.parse(new TextDecoder().decode(json)), bin);
    const problem = detectSlotProblem(model, slot);
    if (problem) {
      disposeParams(model.store);
      throw new Error(`${slot}.json ${problem}`);
    }
    return { model, provenance: { ...detectProvenanceOf(provenance, 'shipped'), origin: 'shipped' } };
  }

  /**
   * The shipped pretrained backbone (`backbone.json/.bin`, a detector file whose `backbone.*` weights were trained on the scenes'
   * class maps), freshly built for one run (the caller disposes it); null when the files are missing.
   */
  async readBackbone(): Promise<DetectModel | null> {
    const [json, bin] = await Promise.all([this.read('backbone.json'), this.read('backbone.bin')]);
    if (!json || !bin) return null;
    return loadDetector(JSON.parse(new TextDecoder().decode(json)), bin).model;
  }

  /** Whether shipped weights exist for a slot (after ensureShipped). */
  hasShipped(slot: DetectSlot): boolean {
    return this.shippedSlots.has(slot);
  }

  /** Put the shipped detector of a slot back (read again); throws a sentence when there is none. */
  async putShipped(slot: DetectSlot): Promise<void> {
    const loaded = await this.readShipped(slot);
    if (!loaded) throw new Error(`There is no shipped ${slot}-encoder detector (run \`npm run pretrain:detect\`).`);
    this.put(slot, loaded.model, loaded.provenance, null);
  }

  get(slot: DetectSlot): HeldDetector | null {
    return this.held.get(slot) ?? null;
  }

  /** Put a detector in its slot, disposing the one it replaces. */
  put(slot: DetectSlot, model: DetectModel, provenance: DetectProvenance, modelId: string | null = null): void {
    const old = this.held.get(slot);
    if (old && old.model !== model) disposeParams(old.model.store);
    this.held.set(slot, { model, provenance, modelId });
  }

  /** Note the library id of a held detector once it was kept (false when the slot holds another one by now). */
  setModelId(slot: DetectSlot, model: DetectModel, modelId: string): boolean {
    const h = this.held.get(slot);
    if (h?.model !== model) return false;
    h.modelId = modelId;
    return true;
  }

  /** Every held detector, in slot order (transformer first). */
  all(): (HeldDetector & { slot: DetectSlot })[] {
    return DETECT_SLOTS.flatMap((slot) => {
      const h = this.held.get(slot);
      return h ? [{ ...h, slot }] : [];
    });
  }

  info(): DetectZooInfo {
    const entries: DetectZooEntry[] = this.all().map(({ slot, model, provenance: p, modelId }) => {
      const a = model.architecture;
      const c = detectCost(model);
      return {
        slot,
        encoder: a.encoder.kind,
        encoderLayers: a.encoder.layers,
        width: a.widthMultiplier,
        d: a.d,
        queries: a.decoder.queries,
        params: c.params,
        macs: c.macs,
        parts: c.parts,
        inputHeight: a.inputHeight,
        inputWidth: a.inputWidth,
        steps: p.steps,
        seed: p.seed,
        ap50: p.ap50,
        ap: p.ap,
        scoreThreshold: p.scoreThreshold,
        f1: p.f1,
        dataset: p.datasetName,
        origin: p.origin,
        modelId,
        architecture: summaryOfArchitecture(a),
      };
    });
    return { entries, shippedError: this.shippedError, loading: this.loading, notice: this.notice };
  }

  dispose(): void {
    for (const h of this.held.values()) disposeParams(h.model.store);
    this.held.clear();
  }
}
