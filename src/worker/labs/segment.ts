/**
 * The Segment lab in the worker: runs go through SegLab's plan (the frozen source comes from the model
 * zoo, the finished model goes into the model library and, when it is at least as good, into the zoo), and the zoo / viewer
 * calls. Zoo changes are pushed. The zoo's picks per size and slot are remembered in the model store's database
 * ('pdw-models', store 'zooChoice'), where the library models they name are read from too.
 */
import * as Comlink from 'comlink';
import {
  cropPixels,
  ImportError,
  readLabelPng,
  resizeBilinearRgb,
  streetMapping,
  streetMappingRefusal,
  SEG_FORMATS,
  SEG_FORMAT_IDS,
  STREET_CLASSES,
  type SegFormatId,
} from '../../engine';
import { centreCrop } from '../../protocol/fit';
import { describeError, EngineFault } from '../errors';
import { lazyStore, ModelStore } from '../modelStore';
import { SegLab, type ZooChoices } from '../segLab';
import { SegZoo } from '../segZoo';
import type { LabContext, WorkerLab } from './types';

export interface SegmentLabOptions {
  /** The zoo to use (tests give one that reads shipped files from the file system). */
  zoo?: SegZoo;
  /**
   * Open the model store whose library models the zoo can hold and where its picks are remembered (default: IndexedDB
   * 'pdw-models', the model library's; null, or no IndexedDB: picks are not remembered). Tests give the library's opener.
   */
  store?: (() => Promise<ModelStore>) | null;
}

/** The zoo's picks and library reads over a model store opened on first use (a failed open is tried again next time). */
export function storeChoices(open: () => Promise<ModelStore>): ZooChoices {
  const store = lazyStore(open);
  return {
    all: async () => (await store()).zooChoices(),
    set: async (size, slot, modelId) => (await store()).setZooChoice(size, slot, modelId),
    clear: async () => (await store()).clearZooChoices(),
    load: async (id) => {
      const { info, files, json } = await (await store()).files(id);
      return { info, json, weights: files.weights };
    },
  };
}

export function segmentLab(ctx: LabContext, opts: SegmentLabOptions = {}): WorkerLab<'segment'> {
  const open = opts.store === undefined ? (typeof indexedDB === 'undefined' ? null : () => ModelStore.open()) : opts.store;
  const seg = new SegLab(
    ctx.datasets,
    opts.zoo ?? new SegZoo(),
    (zoo) => ctx.push({ lab: 'segment', name: 'zoo', value: zoo }),
    (model) => ctx.keep(model),
    open ? storeChoices(open) : null,
  );
  return {
    plan: (config, runId) => seg.plan(config, runId),
    calls: {
      async zoo() {
        await ctx.backendReady();
        return seg.zooInfo();
      },
      async resetZoo() {
        await ctx.backendReady();
        if (ctx.runActive())
          return {
            ok: false as const,
            error: { code: 'busy' as const, message: 'A run is going (it may be distilling from the zoo); stop it before resetting the zoo.' },
          };
        try {
          return { ok: true as const, zoo: await seg.resetZoo() };
        } catch (err) {
          return { ok: false as const, error: describeError(err) };
        }
      },
      async useInZoo(size, slot, modelId) {
        await ctx.backendReady();
        if (ctx.runActive())
          return {
            ok: false as const,
            error: { code: 'busy' as const, message: 'A run is going (it may be distilling from the zoo); stop it before changing a zoo slot.' },
          };
        try {
          return { ok: true as const, zoo: await seg.useInZoo(size, slot, modelId) };
        } catch (err) {
          return { ok: false as const, error: describeError(err) };
        }
      },
      async readLabels(request) {
        try {
          let format: SegFormatId | 'auto' = request.format ?? 'auto';
          if (request.dataset !== undefined) {
            const info = (await ctx.datasets.list()).find((d) => d.id === request.dataset);
            const own = info?.segFormat;
            if (!info || !own || !(SEG_FORMAT_IDS as readonly string[]).includes(own))
              return {
                ok: false as const,
                error: {
                  code: 'invalid-config' as const,
                  message: `${request.name}: the dataset it belongs to is not stored here, so its label format is unknown.`,
                },
              };
            format = own as SegFormatId;
          }
          const r = readLabelPng(request.bytes, format, request.name);
          const refusal = streetMappingRefusal(r.format);
          const table = refusal ? null : streetMapping(r.format);
          const street = { classNames: [...STREET_CLASSES], table, refusal };
          const read = { width: r.width, height: r.height, ids: r.ids, format: r.format, classNames: [...SEG_FORMATS[r.format].classNames], street };
          return Comlink.transfer({ ok: true as const, ...read }, [r.ids.buffer as ArrayBuffer, ...(table ? [table.buffer as ArrayBuffer] : [])]);
        } catch (err) {
          // The importer's sentence names the file and what is wrong with it: the user's input, not an engine fault.
          if (err instanceof ImportError) return { ok: false as const, error: { code: 'invalid-config' as const, message: err.message } };
          return { ok: false as const, error: describeError(err) };
        }
      },
      async fitImage({ rgba, width, height, outWidth, outHeight }) {
        try {
          if (rgba.length !== width * height * 4)
            throw new EngineFault('invalid-config', `The image has ${rgba.length} bytes, not the ${width * height * 4} of ${width}×${height} RGBA pixels.`);
          // The evaluator's fit (scripts/node/segmentReal.ts): the centred crop, then the antialiased bilinear resize.
          const rect = centreCrop(width, height, outWidth / outHeight);
          const rgb = resizeBilinearRgb(cropPixels(rgba, width, 4, rect), rect.width, rect.height, outWidth, outHeight);
          return Comlink.transfer({ ok: true as const, rgb }, [rgb.buffer as ArrayBuffer]);
        } catch (err) {
          return { ok: false as const, error: describeError(err) };
        }
      },
      async predict(request) {
        await ctx.backendReady();
        try {
          const result = await seg.predict(request);
          const buffers = result.images.flatMap((im) => im.predictions.map((p) => p.classMap.buffer as ArrayBuffer));
          return Comlink.transfer({ ok: true as const, result }, buffers);
        } catch (err) {
          return { ok: false as const, error: describeError(err) };
        }
      },
    },
    forgetDataset: (id) => seg.forgetDataset(id),
  };
}
