/**
 * The Detect lab in the worker: runs go through DetectLab's plan (the finished detector goes into the model library and, when
 * it is at least as good, into its viewer slot), and the viewer's calls: the zoo (shipped detectors from public/models/detect/,
 * or library ones put into a slot), predictions, the built-in scenes of the picker, and the per-encoder cost table. Zoo changes
 * are pushed.
 */
import * as Comlink from 'comlink';
import { disposeParams, loadDetector } from '../../engine';
import { DETECT_LAB, DETECT_SLOTS, type DetectSlot } from '../../protocol/labs/detect';
import { SHIPPED_MODEL_PREFIX } from '../../protocol/models';
import { DetectLab } from '../detectLab';
import { DetectZoo, detectProvenanceOf, detectSlotProblem } from '../detectZoo';
import { describeError, EngineFault } from '../errors';
import { lazyStore, ModelStore } from '../modelStore';
import { fetchShipped, type ShippedReader } from '../shippedFiles';
import type { LabContext, WorkerLab } from './types';

export interface DetectLabOptions {
  /** Where the shipped detectors are read from (`transformer.json/.bin`, `conv.json/.bin`; tests give a map or the file system). */
  read?: ShippedReader;
  /** Open the model store library detectors are read from (default: IndexedDB 'pdw-models'; null: none). */
  store?: (() => Promise<ModelStore>) | null;
}

const busy = (message: string) => ({ ok: false as const, error: { code: 'busy' as const, message } });

export function detectLab(ctx: LabContext, opts: DetectLabOptions = {}): WorkerLab<'detect'> {
  const zoo = new DetectZoo(opts.read ?? fetchShipped('detect'));
  const pushZoo = () => ctx.push({ lab: 'detect', name: 'zoo', value: zoo.info() });
  const lab = new DetectLab(
    ctx.datasets,
    zoo,
    (value) => ctx.push({ lab: 'detect', name: 'zoo', value }),
    (model) => ctx.keep(model),
  );
  const open = opts.store === undefined ? (typeof indexedDB === 'undefined' ? null : () => ModelStore.open()) : opts.store;
  const store = open ? lazyStore(open) : null;

  /** The shipped detector of a slot, or a library detector (its id), into the slot; throws a sentence when it does not fit. */
  const useInZoo = async (slot: DetectSlot, modelId: string): Promise<void> => {
    if (!DETECT_SLOTS.includes(slot))
      throw new EngineFault('invalid-config', `There is no viewer pane "${String(slot)}": choose ${DETECT_SLOTS.join(' or ')}.`);
    if (typeof modelId !== 'string' || modelId === '') throw new EngineFault('invalid-config', 'Choose a detector from the model library or "shipped".');
    await zoo.ensureShipped();
    if (modelId === 'shipped' || modelId.startsWith(SHIPPED_MODEL_PREFIX)) {
      if (modelId !== 'shipped' && modelId !== `${SHIPPED_MODEL_PREFIX}detect-${slot}`)
        throw new EngineFault('invalid-config', `The shipped model ${modelId} is not the shipped ${slot}-encoder detector.`);
      if (!zoo.hasShipped(slot))
        throw new EngineFault('invalid-config', `There is no shipped ${slot}-encoder detector (run \`npm run pretrain:detect\`): pick one from the library.`);
      try {
        await zoo.putShipped(slot);
      } catch (err) {
        throw new EngineFault('storage-failed', `The shipped ${slot}-encoder detector could not be loaded (${describeError(err).message}).`);
      }
      return;
    }
    if (!store) throw new EngineFault('storage-failed', "This browser's storage (IndexedDB) is not available, so library models cannot be read.");
    const { info, files, json } = await (await store()).files(modelId);
    if (info.lab !== 'detect') throw new EngineFault('invalid-config', `"${info.name}" is not a detector (it comes from the ${info.lab} lab).`);
    let loaded;
    try {
      loaded = loadDetector(json, files.weights);
    } catch (err) {
      throw new EngineFault('storage-failed', `The stored model "${info.name}" cannot be rebuilt (${describeError(err).message}); delete it.`);
    }
    const problem = detectSlotProblem(loaded.model, slot);
    if (problem) {
      disposeParams(loaded.model.store);
      throw new EngineFault('invalid-config', `The detector "${info.name}" ${problem}, so it cannot stand in the ${slot} pane.`);
    }
    const p = detectProvenanceOf(loaded.provenance, info.provenance.runId ?? `library model "${info.name}"`);
    zoo.put(
      slot,
      loaded.model,
      { ...p, dataset: info.dataset || p.dataset, datasetName: info.datasetName || p.datasetName, ap50: info.metric.value ?? p.ap50 },
      modelId,
    );
  };

  return {
    plan: (config, runId) => lab.plan(config, runId),
    calls: {
      async zoo() {
        await ctx.backendReady();
        await zoo.ensureShipped();
        return zoo.info();
      },
      async useInZoo(slot, modelId) {
        await ctx.backendReady();
        if (ctx.runActive()) return busy('A run is going; stop it before changing a viewer pane.');
        try {
          await useInZoo(slot, modelId);
          zoo.notice = null;
          pushZoo();
          return { ok: true as const, zoo: zoo.info() };
        } catch (err) {
          return { ok: false as const, error: describeError(err) };
        }
      },
      async predict(request) {
        await ctx.backendReady();
        try {
          await zoo.ensureShipped();
          const result = await lab.predict(request);
          const buffers = result.images.flatMap((im) =>
            im.predictions.flatMap((p) => p.queries.flatMap((q) => (q.attention ? [q.attention.buffer as ArrayBuffer] : []))),
          );
          return Comlink.transfer({ ok: true as const, result }, buffers);
        } catch (err) {
          return { ok: false as const, error: describeError(err) };
        }
      },
      async scenes(start, count, style) {
        try {
          const scenes = await lab.scenes(start, count, style);
          return Comlink.transfer(
            { ok: true as const, scenes },
            scenes.images.map((im) => im.rgb.buffer as ArrayBuffer),
          );
        } catch (err) {
          return { ok: false as const, error: describeError(err) };
        }
      },
      async costs(config, measure) {
        await ctx.backendReady();
        if (measure && ctx.runActive()) return busy('A run is going: stop it first, or the measurement would time the run too.');
        const parsed = DETECT_LAB.schema.safeParse(config);
        if (!parsed.success) {
          const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
          return { ok: false as const, error: { code: 'invalid-config' as const, message: `Invalid Detect settings (${msg}).` } };
        }
        try {
          return { ok: true as const, report: await lab.costs(parsed.data, measure === true, ctx.backendName()) };
        } catch (err) {
          return { ok: false as const, error: describeError(err) };
        }
      },
    },
    forgetDataset: (id) => lab.forgetDataset(id),
  };
}
