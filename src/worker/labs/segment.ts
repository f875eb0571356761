/**
 * The Segment lab in the worker: runs go through SegLab's plan (the frozen source comes from the model
 * zoo, the finished model goes back into it and into the model library), and the zoo / viewer calls. Zoo changes are pushed.
 */
import * as Comlink from 'comlink';
import { readLabelPng, SEG_FORMAT_IDS, type SegFormatId } from '../../engine';
import { describeError } from '../errors';
import { SegLab } from '../segLab';
import { SegZoo } from '../segZoo';
import type { LabContext, WorkerLab } from './types';

export interface SegmentLabOptions {
  /** The zoo to use (tests give one that reads shipped files from the file system). */
  zoo?: SegZoo;
}

export function segmentLab(ctx: LabContext, opts: SegmentLabOptions = {}): WorkerLab<'segment'> {
  const seg = new SegLab(
    ctx.datasets,
    opts.zoo ?? new SegZoo(),
    (zoo) => ctx.push({ lab: 'segment', name: 'zoo', value: zoo }),
    (model) => ctx.keep(model),
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
      async readLabels(request) {
        try {
          const info = (await ctx.datasets.list()).find((d) => d.id === request.dataset);
          const format = info?.segFormat;
          if (!info || !format || !(SEG_FORMAT_IDS as readonly string[]).includes(format))
            return {
              ok: false as const,
              error: {
                code: 'invalid-config' as const,
                message: `${request.name}: the dataset it belongs to is not stored here, so its label format is unknown.`,
              },
            };
          const r = readLabelPng(request.bytes, format as SegFormatId, request.name);
          return Comlink.transfer({ ok: true as const, ...r }, [r.ids.buffer as ArrayBuffer]);
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
