/**
 * The Segment lab's model zoo in the worker: one trained model per slot (teacher, tutor, student-bilinear,
 * student-pixelshuffle) and input size. Starts with the shipped demo weights (public/models/segment/,
 * made by `npm run pretrain:segment`); a finished run replaces its slot.
 */
import { disposeParams, loadSegModel, segCost, type SegModel, type SegProvenance } from '../engine';
import { fetchShipped, type ShippedReader } from './shippedFiles';
import { SEG_SIZES, SEG_SLOTS, type SegSizeName, type SegSlot, type SegZooEntry, type SegZooInfo } from '../protocol/labs/segment';

interface Held {
  model: SegModel;
  provenance: SegProvenance;
}

export class SegZoo {
  private readonly held = new Map<string, Held>();
  private shipped: Promise<void> | null = null;
  private shippedError: string | null = null;
  private loading = false;

  constructor(private readonly read: ShippedReader = fetchShipped('segment')) {}

  /** Load the shipped demo weights once (later calls wait for the first). */
  ensureShipped(): Promise<void> {
    this.shipped ??= this.loadShipped();
    return this.shipped;
  }

  private async loadShipped(): Promise<void> {
    this.loading = true;
    const missing: string[] = [];
    try {
      for (const size of SEG_SIZES) {
        const manifest = await this.read(`${size}/manifest.json`);
        if (!manifest) {
          missing.push(size);
          continue;
        }
        const { models } = JSON.parse(new TextDecoder().decode(manifest)) as { models: { slot: string; file: string }[] };
        for (const m of models) {
          const [json, bin] = await Promise.all([this.read(m.file), this.read(m.file.replace(/\.json$/, '.bin'))]);
          if (!json || !bin) throw new Error(`${m.file} or its .bin is missing`);
          const { model, provenance } = loadSegModel(JSON.parse(new TextDecoder().decode(json)), bin);
          if (this.held.has(`${size}:${m.slot}`))
            disposeParams(model.store); // a run already replaced it
          else this.held.set(`${size}:${m.slot}`, { model, provenance: { ...provenance, origin: 'shipped' } });
        }
      }
      if (missing.length === SEG_SIZES.length)
        this.shippedError = 'No shipped demo weights were found (run `npm run pretrain:segment`); train the models in the lab.';
    } catch (err) {
      this.shippedError = `The shipped demo weights could not be loaded (${err instanceof Error ? err.message : String(err)}); train the models in the lab.`;
      this.shipped = null; // the next request tries again
    } finally {
      this.loading = false;
    }
  }

  /** Drop every trained model and load the shipped ones again. */
  async reset(): Promise<void> {
    await this.shipped?.catch(() => undefined);
    this.dispose();
    this.shipped = null;
    this.shippedError = null;
    await this.ensureShipped();
  }

  get(size: SegSizeName, slot: SegSlot): Held | null {
    return this.held.get(`${size}:${slot}`) ?? null;
  }

  /** Put a trained model in its slot, disposing the one it replaces. */
  put(size: SegSizeName, slot: SegSlot, model: SegModel, provenance: SegProvenance): void {
    const old = this.held.get(`${size}:${slot}`);
    if (old && old.model !== model) disposeParams(old.model.store);
    this.held.set(`${size}:${slot}`, { model, provenance });
  }

  /** Every held model of a size, in slot order (teacher first). */
  atSize(size: SegSizeName): (Held & { slot: SegSlot })[] {
    return SEG_SLOTS.flatMap((slot) => {
      const h = this.get(size, slot);
      return h ? [{ ...h, slot }] : [];
    });
  }

  info(): SegZooInfo {
    const entries: SegZooEntry[] = SEG_SIZES.flatMap((size) =>
      this.atSize(size).map(({ slot, model, provenance: p }) => {
        const c = segCost(model);
        return {
          slot,
          size,
          params: c.inference.params,
          trainingParams: c.params,
          macs: c.inference.macs,
          upscaleParams: c.upscale.params,
          upscaleMacs: c.upscale.macs,
          chain: p.chain,
          steps: p.steps,
          seed: p.seed,
          mIoU: p.mIoU,
          dataset: p.dataset,
          classNames: p.classNames,
          palette: p.palette,
          origin: p.origin,
        };
      }),
    );
    return { entries, shippedError: this.shippedError, loading: this.loading };
  }

  dispose(): void {
    for (const h of this.held.values()) disposeParams(h.model.store);
    this.held.clear();
  }
}
