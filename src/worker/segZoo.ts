/**
 * The Segment lab's model zoo in the worker: one trained model per slot (teacher, tutor, student-bilinear,
 * student-pixelshuffle) and input size. Starts with the shipped demo weights (public/models/segment/,
 * made by `npm run pretrain:segment`); SegLab decides what fills a slot later (a better run, the user's pick from the
 * model library) and restores the remembered picks after a reload.
 */
import { disposeParams, loadSegModel, segCost, type SegModel, type SegProvenance } from '../engine';
import { fetchShipped, type ShippedReader } from './shippedFiles';
import { oneOf } from '../protocol/labs/spec';
import {
  SEGMENT_LAB,
  SEG_AFFINITY_LOSSES,
  SEG_CLASS_BALANCES,
  SEG_SIZES,
  SEG_SLOTS,
  SEG_TEACHER_REFINE,
  SEG_TEACHER_REFINE_FULL,
  SEG_TEACHER_WIDTHS,
  SEG_TEACHER_WIDTH_VALUE,
  type SegSizeName,
  type SegSlot,
  type SegZooEntry,
  type SegZooInfo,
} from '../protocol/labs/segment';

export interface Held {
  model: SegModel;
  provenance: SegProvenance;
  /** The model library's id of this model (null: the shipped one, or a run's model not kept yet). */
  modelId: string | null;
}

const key = (size: SegSizeName, slot: string) => `${size}:${slot}`;

/** A shipped manifest's entry, as far as the zoo reads it. */
interface ManifestModel {
  slot: string;
  file: string;
  seed?: unknown;
  classBalance?: unknown;
  affinity?: unknown;
  width?: unknown;
  refine?: unknown;
  refineFull?: unknown;
  finetune?: unknown;
}

/**
 * The recipe fields of a manifest entry that name a known setting (an older or foreign manifest's other values are left
 * out). Entries written before pretrain:segment recorded the affinity term (the first wide-teacher tutor's) name their class
 * balancing but no affinity term: they trained without one, as every run did before the term existed. The teacher's width
 * (a width multiplier in the manifest) is read back as the form's Teacher width choice, its head (`refine`: the 1/2 refinement's
 * channels, `refineFull`: the full-resolution stage's, absent for none) as the Teacher head choice, and its second phase (`finetune`,
 * pretrain:segment's teacherFinetuneSteps, teacherFinetuneLr and teacherFinetuneLovasz) when the entry names a valid one;
 * its seed when the entry names a whole number the lab's Seed field accepts.
 */
export function manifestRecipe(m: ManifestModel): NonNullable<SegZooEntry['recipe']> {
  const width = m.slot === 'teacher' ? SEG_TEACHER_WIDTHS.find((w) => SEG_TEACHER_WIDTH_VALUE[w] === m.width) : undefined;
  const recipe: NonNullable<SegZooEntry['recipe']> = {};
  const seedField = SEGMENT_LAB.fields.seed;
  if (typeof m.seed === 'number' && Number.isInteger(m.seed) && m.seed >= seedField.min && m.seed <= seedField.max) recipe.seed = m.seed;
  const classBalance = oneOf(SEG_CLASS_BALANCES, m.classBalance);
  if (classBalance) recipe.classBalance = classBalance;
  const affinityLoss = m.slot === 'teacher' ? undefined : (oneOf(SEG_AFFINITY_LOSSES, m.affinity) ?? (classBalance ? 'none' : undefined));
  if (affinityLoss) recipe.affinityLoss = affinityLoss;
  if (width) recipe.teacherWidth = width;
  // The teacher's head: refined when the entry names the lab's refinement channels, full when also the lab's
  // full-resolution stage's; an entry from before the fields, plain.
  if (m.slot === 'teacher' && width)
    recipe.teacherHead = m.refine !== SEG_TEACHER_REFINE ? 'plain' : m.refineFull === SEG_TEACHER_REFINE_FULL ? 'full' : 'refined';
  const ft = m.slot === 'teacher' && m.finetune && typeof m.finetune === 'object' ? (m.finetune as Record<string, unknown>) : null;
  const whole = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
  const rate = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
  const lovasz = ft?.lovaszWeight ?? 0; // an entry without the field trained without the term
  if (ft && whole(ft.steps) && rate(ft.lr) && (lovasz === 0 || rate(lovasz))) {
    recipe.finetune = { steps: ft.steps as number, lr: ft.lr as number, lovaszWeight: lovasz as number };
    if (ft.addsRefine === SEG_TEACHER_REFINE) recipe.finetune.addsRefine = true;
    if (ft.addsRefineFull === SEG_TEACHER_REFINE_FULL) recipe.finetune.addsRefineFull = true;
  }
  return recipe;
}

export class SegZoo {
  private readonly held = new Map<string, Held>();
  private shipped: Promise<void> | null = null;
  private shippedError: string | null = null;
  private loading = false;
  /** The size:slot keys the shipped manifests name, with how each shipped model was trained (its manifest entry). */
  private readonly shippedSlots = new Map<string, NonNullable<SegZooEntry['recipe']>>();
  /** The latest sentence about a finished run the zoo did not take (SegZooInfo.notice). */
  notice: string | null = null;

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
        const { models } = JSON.parse(new TextDecoder().decode(manifest)) as { models: ManifestModel[] };
        for (const m of models) {
          const loaded = await this.readShipped(m.file);
          this.shippedSlots.set(key(size, m.slot), manifestRecipe(m));
          if (this.held.has(key(size, m.slot)))
            disposeParams(loaded.model.store); // a run already replaced it
          else this.held.set(key(size, m.slot), { ...loaded, modelId: null });
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

  private async readShipped(file: string): Promise<{ model: SegModel; provenance: SegProvenance }> {
    const [json, bin] = await Promise.all([this.read(file), this.read(file.replace(/\.json$/, '.bin'))]);
    if (!json || !bin) throw new Error(`${file} or its .bin is missing`);
    const { model, provenance } = loadSegModel(JSON.parse(new TextDecoder().decode(json)), bin);
    return { model, provenance: { ...provenance, origin: 'shipped' } };
  }

  /** Whether shipped weights exist for a slot at a size (after ensureShipped). */
  hasShipped(size: SegSizeName, slot: SegSlot): boolean {
    return this.shippedSlots.has(key(size, slot));
  }

  /** Put the shipped model of a slot back (read again); throws a sentence when there is none. */
  async putShipped(size: SegSizeName, slot: SegSlot): Promise<void> {
    const manifest = this.hasShipped(size, slot) ? await this.read(`${size}/manifest.json`) : null;
    const file = manifest
      ? (JSON.parse(new TextDecoder().decode(manifest)) as { models: { slot: string; file: string }[] }).models.find((m) => m.slot === slot)?.file
      : undefined;
    if (!file) throw new Error(`There are no shipped weights for the ${slot} at the ${size} size.`);
    const { model, provenance } = await this.readShipped(file);
    this.put(size, slot, model, provenance, null);
  }

  /** Drop every trained model and load the shipped ones again. */
  async reset(): Promise<void> {
    await this.shipped?.catch(() => undefined);
    this.dispose();
    this.shipped = null;
    this.shippedError = null;
    this.shippedSlots.clear();
    this.notice = null;
    await this.ensureShipped();
  }

  get(size: SegSizeName, slot: SegSlot): Held | null {
    return this.held.get(key(size, slot)) ?? null;
  }

  /** Put a trained model in its slot, disposing the one it replaces. */
  put(size: SegSizeName, slot: SegSlot, model: SegModel, provenance: SegProvenance, modelId: string | null = null): void {
    const old = this.held.get(key(size, slot));
    if (old && old.model !== model) disposeParams(old.model.store);
    this.held.set(key(size, slot), { model, provenance, modelId });
  }

  /** Note the library id of a held model once it was kept (false when the slot holds another model by now). */
  setModelId(size: SegSizeName, slot: SegSlot, model: SegModel, modelId: string): boolean {
    const h = this.held.get(key(size, slot));
    if (h?.model !== model) return false;
    h.modelId = modelId;
    return true;
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
      this.atSize(size).map(({ slot, model, provenance: p, modelId }) => {
        const c = segCost(model);
        return {
          slot,
          size,
          params: c.inference.params,
          trainingParams: c.params,
          macs: c.inference.macs,
          ...(model.architecture.model === 'seg-teacher' ? {} : { upscale: model.architecture.upscale }),
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
          modelId,
          ...(p.origin === 'shipped' && this.shippedSlots.has(key(size, slot)) ? { recipe: this.shippedSlots.get(key(size, slot)) } : {}),
        };
      }),
    );
    const shipped = SEG_SIZES.flatMap((size) => SEG_SLOTS.filter((slot) => this.hasShipped(size, slot)).map((slot) => ({ size, slot })));
    return { entries, shippedError: this.shippedError, loading: this.loading, shipped, notice: this.notice };
  }

  dispose(): void {
    for (const h of this.held.values()) disposeParams(h.model.store);
    this.held.clear();
  }
}
