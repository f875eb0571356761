import 'fake-indexeddb/auto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../protocol/models';
import { importArchitectureProblem } from './modelFormats';
import { ModelLibrary } from './modelLibrary';
import { ModelStore } from './modelStore';
import type { ShippedReader } from './shippedFiles';
import { ShippedModels } from './shippedModels';

/** The real shipped files (public/models/<folder>/), read from disk; null when missing. */
const fromDisk =
  (folder: string): ShippedReader =>
  async (path) => {
    try {
      const b = await readFile(new URL(`../../public/models/${folder}/${path}`, import.meta.url));
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    } catch {
      return null;
    }
  };

let db = 0;
function library(shipped: ShippedModels) {
  const lists: ModelInfo[][] = [];
  const name = `shipped-${db++}`;
  const lib = new ModelLibrary({
    open: (hooks) => ModelStore.open(name, hooks),
    shipped,
    onList: (l) => lists.push(l),
    onFailure: () => undefined,
    log: () => undefined,
  });
  return { lib, lists };
}

describe('Shipped models in the library (public/models/)', () => {
  it('lists the Segment zoo, the Affinity teacher and the Detect zoo as shipped; downloadable and exportable, never renamed or deleted', async () => {
    const { lib, lists } = library(new ShippedModels({ segment: fromDisk('segment'), affinity: fromDisk('affinity'), detect: fromDisk('detect') }));
    // The shipped detectors are listed when `npm run pretrain:detect` has written them.
    const detectors: [string, string, string, boolean][] = [];
    for (const slot of ['transformer', 'conv'])
      if ((await fromDisk('detect')(`${slot}.json`)) && (await fromDisk('detect')(`${slot}.bin`)))
        detectors.push([`m-shipped-detect-${slot}`, 'detect', 'detr-mobilenetv3-small', true]);
    expect(await lib.list()).toEqual([]); // not read yet
    await lib.loadShipped();
    const list = lists.at(-1)!;
    expect(list.map((m) => [m.id, m.lab, m.family, m.shipped])).toEqual([
      ['m-shipped-segment-low-teacher', 'segment', 'seg-teacher', true],
      ['m-shipped-segment-low-tutor', 'segment', 'seg-tutor', true],
      ['m-shipped-segment-low-student-bilinear', 'segment', 'seg-student', true],
      ['m-shipped-segment-low-student-pixelshuffle', 'segment', 'seg-student', true],
      ['m-shipped-affinity-teacher', 'affinity', 'affinity-teacher', true],
      ...detectors,
    ]);
    const teacher = list[0]!;
    expect(teacher).toMatchObject({ name: 'Shipped teacher (low size)', inputSize: { height: 64, width: 128 }, metric: { name: 'mIoU' } });
    // The teacher's steps count both phases of its manifest entry (3,000, then its second phase's 1,600 from its weights).
    const manifest = JSON.parse(await readFile('public/models/segment/low/manifest.json', 'utf8')) as {
      models: { slot: string; steps: number; finetune?: { steps: number } }[];
    };
    const entry = manifest.models.find((m) => m.slot === 'teacher')!;
    expect(teacher.provenance).toMatchObject({ runId: null, slot: 'teacher', chain: 'none', steps: entry.steps + (entry.finetune?.steps ?? 0) });
    expect(teacher.provenance.steps).toBe(4600);
    expect(teacher.params).toBeGreaterThan(100_000);
    const aff = list[4]!;
    expect(aff.metric.value).toBeCloseTo(0.902, 3);
    expect(aff.classNames).toHaveLength(10);

    expect(await lib.rename(aff.id, 'mine')).toEqual({
      ok: false,
      error: { code: 'invalid-config', message: '“Shipped Affinity teacher” is shipped with the workbench: it cannot be renamed.' },
    });
    const del = await lib.remove(teacher.id);
    expect(del.ok).toBe(false);
    if (!del.ok) expect(del.error.message).toMatch(/cannot be deleted\.$/);

    // Download, ONNX export, and the downloaded files import back as a kept (not shipped) model.
    const files = await lib.files(aff.id);
    if (!files.ok) throw new Error(files.error.message);
    expect(files.files.json.name).toBe('Shipped-Affinity-teacher.json');
    const json = JSON.parse(new TextDecoder().decode(files.files.json.bytes)) as Record<string, unknown>;
    expect(json.library).toMatchObject({ lab: 'affinity', family: 'affinity-teacher' });
    expect(json.library).not.toHaveProperty('shipped');
    const onnx = await lib.exportOnnx(aff.id);
    expect(onnx.ok && onnx.file.bytes.byteLength).toBeGreaterThan(10_000);
    const back = await lib.import([files.files.json, files.files.weights]);
    if (!back.ok) throw new Error(back.error.message);
    expect(back.model.shipped).toBeUndefined();
    expect((await lib.list()).map((m) => m.id)).toEqual([back.model.id, ...list.map((m) => m.id)]);

    // Every shipped JSON passes the import limits (they are real workbench models).
    for (const [folder, path] of [
      ['segment', 'low/teacher.json'],
      ['segment', 'low/tutor.json'],
      ['segment', 'low/student-pixelshuffle.json'],
      ['affinity', 'teacher.json'],
    ] as const) {
      const bytes = (await fromDisk(folder)(path))!;
      expect(importArchitectureProblem(path, JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>)).toBeNull();
    }
  }, 60_000);

  it('lists nothing shipped when the files are missing, and a missing shipped id is refused with a sentence', async () => {
    const none: ShippedReader = async () => null;
    const { lib } = library(new ShippedModels({ segment: none, affinity: none, detect: none }));
    await lib.loadShipped();
    expect(await lib.list()).toEqual([]);
    const r = await lib.files('m-shipped-affinity-teacher');
    expect(r).toEqual({ ok: false, error: { code: 'invalid-config', message: 'There is no shipped model m-shipped-affinity-teacher.' } });
  });
});
