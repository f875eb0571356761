/**
 * One class set per comparison in the Segment lab (issue "nothing lost, nothing stuck", part 3): a source
 * trained on other classes is refused before training with a sentence; the viewer's predictions never mix
 * class sets; an uploaded label of an imported set is read in that set's label format.
 */
import { describe, expect, it } from 'vitest';
import { createSegModel, type SegDataset, type SegProvenance } from '../engine';
import { grayPng } from '../engine/data/import/seg.fixture';
import { SEGMENT_LAB, type SegConfig } from '../protocol/labs/segment';
import type { DatasetInfo } from '../protocol/datasets';
import { SegLab } from './segLab';
import { SegZoo } from './segZoo';
import { segmentLab } from './labs/segment';
import type { LabContext } from './labs/types';

const H = 64;
const W = 128;
const STREETS = ['sky', 'building', 'road', 'sidewalk', 'vegetation', 'car', 'person', 'pole'];
const CAMVID = ['Sky', 'Building', 'Pole', 'Road', 'Pavement', 'Tree', 'SignSymbol', 'Fence', 'Car', 'Pedestrian', 'Bicyclist'];
const palette = (k: number) => Array.from({ length: k }, (_, i) => [i * 20, 255 - i * 20, 7] as [number, number, number]);

function provenance(slot: SegProvenance['slot'], dataset: string, classNames: string[]): SegProvenance {
  return {
    slot,
    chain: 'none',
    size: 'low',
    dataset,
    classNames,
    palette: palette(classNames.length),
    steps: 1,
    seed: 1,
    mIoU: 0.1,
    seconds: 1,
    origin: 'test',
  };
}

function model(k: number, kind: 'teacher' | 'student', seed: number) {
  return createSegModel(kind, { numClasses: k, height: H, width: W, widthMultiplier: 1 / 16, upscale: 'bilinear', seed });
}

/** A tiny CamVid-like dataset at the low size (11 classes). */
function camvidData(): SegDataset {
  const split = (count: number) => ({
    images: new Uint8Array(count * H * W * 3).map((_, i) => i % 251),
    labels: new Uint8Array(count * H * W).map((_, i) => i % 11),
    count,
  });
  return { name: 'CamVid sample', classNames: CAMVID, palette: palette(11), height: H, width: W, ignoreLabel: 255, train: split(4), test: split(2) };
}

function lab() {
  const zoo = new SegZoo(async () => null);
  const seg = new SegLab({ loadSeg: async () => camvidData() }, zoo, () => undefined);
  zoo.put('low', 'teacher', model(8, 'teacher', 1), provenance('teacher', 'streets', STREETS));
  return { zoo, seg };
}

const config = (over: Partial<SegConfig>): SegConfig => ({ ...SEGMENT_LAB.defaults(), steps: 2, batchSize: 2, trainSize: 16, testSize: 4, ...over });

describe('Segment lab: one class set per model and comparison', () => {
  it('refuses to distil an 11-class CamVid student from the 8-class street teacher with a sentence (not "Unexpected engine error")', async () => {
    const { seg } = lab();
    const plan = seg.plan(config({ model: 'student', chain: 'teacher-student', dataset: 'ds-camvid' }), 'r1');
    await expect(
      plan.prepare(
        () => undefined,
        () => undefined,
      ),
    ).rejects.toMatchObject({
      code: 'invalid-config',
      message: expect.stringMatching(
        /^The teacher at the low size knows other classes \(8 classes: sky, building, road, …\) than CamVid sample \(11 classes: Sky, Building, Pole, …\): train a teacher on CamVid sample first/,
      ),
    });
  });

  it('runs only the models of one class set on an image and lists the others as skipped', async () => {
    const { seg, zoo } = lab();
    zoo.put('low', 'student-bilinear', model(11, 'student', 2), provenance('student-bilinear', 'ds-camvid', CAMVID));
    zoo.put('low', 'student-pixelshuffle', model(8, 'student', 3), provenance('student-pixelshuffle', 'streets', STREETS));
    const rgb = new Uint8Array(H * W * 3).map((_, i) => (i * 31) % 256);
    const byDefault = await seg.predict({ size: 'low', images: [{ rgb }] });
    expect(byDefault.classNames).toEqual(STREETS);
    expect(byDefault.images[0]!.predictions.map((p) => p.slot)).toEqual(['teacher', 'student-pixelshuffle']);
    expect(byDefault.skipped).toEqual([{ slot: 'student-bilinear', dataset: 'ds-camvid', classCount: 11 }]);
    // The CamVid set: the CamVid student alone, with no teacher to agree with, and CamVid labels (0–10) accepted.
    const labels = new Uint8Array(H * W).map((_, i) => i % 11);
    const camvid = await seg.predict({ size: 'low', images: [{ rgb, labels }], classNames: CAMVID });
    expect(camvid.classNames).toEqual(CAMVID);
    expect(camvid.images[0]!.predictions.map((p) => [p.slot, p.agreement])).toEqual([['student-bilinear', null]]);
    expect(camvid.images[0]!.predictions[0]!.mIoU).not.toBeNull();
    expect(camvid.skipped.map((s) => s.slot).sort()).toEqual(['student-pixelshuffle', 'teacher']);
    await expect(seg.predict({ size: 'low', images: [{ rgb }], classNames: ['a', 'b'] })).rejects.toThrow(
      /No model at the low size was trained on the 2 classes/,
    );
  });

  it("reads an uploaded label PNG in the imported set's format: CamVid's void 11 becomes ignore (255)", async () => {
    const info = { id: 'ds-camvid', name: 'CamVid sample', segFormat: 'camvid11' } as DatasetInfo;
    const ctx = { datasets: { list: async () => [info] }, push: () => undefined } as unknown as LabContext;
    const calls = segmentLab(ctx, { zoo: new SegZoo(async () => null) }).calls;
    const values = [0, 3, 10, 11, 11, 5];
    const r = await calls.readLabels({ bytes: grayPng(3, 2, values), name: 'Seq05VD_f00000_L.png', dataset: 'ds-camvid' });
    expect(r).toMatchObject({ ok: true, width: 3, height: 2 });
    expect(r.ok && Array.from(r.ids)).toEqual([0, 3, 10, 255, 255, 5]);
    const bad = await calls.readLabels({ bytes: grayPng(2, 1, [12, 0]), name: 'odd.png', dataset: 'ds-camvid' });
    expect(bad.ok === false && bad.error.message).toMatch(
      /odd\.png: the pixel at x 0, y 0 has value 12, which is not a CamVid 11-class label \(values 0–10, or 11 for void\)/,
    );
    const unknown = await calls.readLabels({ bytes: grayPng(2, 1, [1, 0]), name: 'x.png', dataset: 'ds-gone' });
    expect(unknown.ok === false && unknown.error.message).toMatch(/x\.png: the dataset it belongs to is not stored here/);
  });
});
