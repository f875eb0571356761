import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { createSegModel, serializeSegModel, STREET_CLASSES, STREET_PALETTE } from '../engine';
import type { EngineEvent } from '../protocol/events';
import { SEGMENT_LAB, type SegConfig, type SegZooInfo } from '../protocol/labs/segment';
import { testEngine } from './engineApi.fixture';
import { ModelStore } from './modelStore';
import { SegZoo } from './segZoo';

const tiny = (over: Partial<SegConfig> = {}): SegConfig => ({
  ...SEGMENT_LAB.defaults(),
  model: 'student',
  chain: 'none',
  trainSize: 16,
  testSize: 4,
  batchSize: 2,
  steps: 2,
  evalEvery: 2,
  ...over,
});

const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o)).buffer as ArrayBuffer;

/** Shipped files: a PixelShuffle student at the low size on the street classes that claims 99 % mIoU (no tiny run beats it). */
async function shippedFiles(): Promise<Record<string, ArrayBuffer>> {
  const m = createSegModel('student', { numClasses: STREET_CLASSES.length, height: 64, width: 128, widthMultiplier: 1 / 16, seed: 1 });
  const { json, weights } = await serializeSegModel(m, {
    slot: 'student-pixelshuffle',
    chain: 'teacher-tutor-student',
    size: 'low',
    dataset: 'streets-real', // the shipped zoo's data (the lab's default dataset)
    classNames: [...STREET_CLASSES],
    palette: STREET_PALETTE.map((c) => [c[0], c[1], c[2]] as [number, number, number]),
    steps: 5,
    seed: 1,
    mIoU: 0.99,
    seconds: 2,
    origin: 'npm run pretrain:segment',
  });
  return {
    'low/manifest.json': enc({ models: [{ slot: 'student-pixelshuffle', file: 'low/student-pixelshuffle.json' }] }),
    'low/student-pixelshuffle.json': enc(json),
    'low/student-pixelshuffle.bin': weights,
  };
}

let db = 0;

/** An engine whose model library and zoo picks live in database `name` (a second engine over the same name is a reload). */
const engine = (name: string, files: Record<string, ArrayBuffer>) => {
  const open = () => ModelStore.open(name);
  return testEngine({ labs: { segment: { zoo: new SegZoo(async (p) => files[p] ?? null), store: open } }, models: { open } });
};
const zoos = (events: EngineEvent[]) => events.flatMap((e) => (e.type === 'push' && e.push.lab === 'segment' ? [e.push.value as SegZooInfo] : []));
const slotOf = (zoo: SegZooInfo, slot: string) => zoo.entries.find((e) => e.slot === slot && e.size === 'low');

describe('Segment zoo: no silent replacement, the user picks, the pick survives a reload', () => {
  it('keeps a better model over a worse run, puts the run in on request, and restores the pick after a reload', async () => {
    const name = `zoo-choice-${db++}`;
    const files = await shippedFiles();
    const { api, events, waitEnd, waitFor } = await engine(name, files);

    const zoo0 = await api.call('segment', 'zoo', []);
    expect(slotOf(zoo0, 'student-pixelshuffle')).toMatchObject({ origin: 'shipped', mIoU: 0.99, modelId: null });
    expect(zoo0.shipped).toEqual([{ size: 'low', slot: 'student-pixelshuffle' }]);

    // A worse run: the slot keeps the shipped model, the notice says why, the library keeps the new one.
    expect((await api.start('segment', tiny({ upscale: 'pixelshuffle' }), 'w1')).ok).toBe(true);
    expect(await waitEnd('w1')).toBe('done');
    await waitFor(() => events.some((e) => e.type === 'models' && e.list.length === 1));
    const [kept] = await api.listModels();
    expect(kept!.provenance).toMatchObject({ runId: 'w1', slot: 'student-pixelshuffle' });
    const afterRun = zoos(events).at(-1)!;
    expect(slotOf(afterRun, 'student-pixelshuffle')).toMatchObject({ origin: 'shipped', mIoU: 0.99 });
    expect(afterRun.notice).toMatch(
      /^The new student \(PixelShuffle\) scored \d+\.\d % mIoU, below the 99\.0 % of the one in the zoo, so the zoo keeps that one; pick the new one in the zoo's slot menu to use it\.$/,
    );
    expect(events.some((e) => e.type === 'error' && e.runId === null)).toBe(false);

    // Picks that do not fit are refused with a sentence; the fitting pick goes in and is pushed.
    const wrongSlot = await api.call('segment', 'useInZoo', ['low', 'student-bilinear', kept!.id]);
    expect(!wrongSlot.ok && wrongSlot.error.message).toMatch(/was trained for the student-pixelshuffle slot, so it cannot stand in the student-bilinear slot/);
    const wrongSize = await api.call('segment', 'useInZoo', ['high', 'student-pixelshuffle', kept!.id]);
    expect(!wrongSize.ok && wrongSize.error.message).toMatch(/takes 64×128 images/);
    const noShipped = await api.call('segment', 'useInZoo', ['low', 'teacher', 'shipped']);
    expect(!noShipped.ok && noShipped.error.message).toMatch(/There are no shipped weights for the teacher at the low size/);
    const used = await api.call('segment', 'useInZoo', ['low', 'student-pixelshuffle', kept!.id]);
    expect(used.ok).toBe(true);
    expect(used.ok && slotOf(used.zoo, 'student-pixelshuffle')).toMatchObject({ origin: 'w1', modelId: kept!.id, mIoU: kept!.metric.value });
    expect(used.ok && used.zoo.notice).toBeNull();
    expect(slotOf(zoos(events).at(-1)!, 'student-pixelshuffle')?.modelId).toBe(kept!.id);

    // A run into an empty slot fills it and its model becomes the remembered pick.
    expect((await api.start('segment', tiny({ upscale: 'bilinear' }), 'b1')).ok).toBe(true);
    expect(await waitEnd('b1')).toBe('done');
    await waitFor(() => Boolean(slotOf(zoos(events).at(-1)!, 'student-bilinear')?.modelId));
    const bilinearId = slotOf(zoos(events).at(-1)!, 'student-bilinear')!.modelId!;

    // The reload: a new engine over the same databases restores both picks.
    const second = await engine(name, files);
    const zoo1 = await second.api.call('segment', 'zoo', []);
    expect(slotOf(zoo1, 'student-pixelshuffle')).toMatchObject({ origin: 'w1', modelId: kept!.id });
    expect(slotOf(zoo1, 'student-bilinear')).toMatchObject({ origin: 'b1', modelId: bilinearId });

    // Going back to shipped is a pick too; a deleted pick falls back to shipped (or to empty) without an error.
    const back = await second.api.call('segment', 'useInZoo', ['low', 'student-pixelshuffle', 'shipped']);
    expect(back.ok && slotOf(back.zoo, 'student-pixelshuffle')).toMatchObject({ origin: 'shipped', modelId: null, mIoU: 0.99 });
    expect((await second.api.call('segment', 'useInZoo', ['low', 'student-pixelshuffle', kept!.id])).ok).toBe(true);
    expect((await second.api.deleteModel(kept!.id)).ok).toBe(true);
    expect((await second.api.deleteModel(bilinearId)).ok).toBe(true);
    const third = await engine(name, files);
    const zoo2 = await third.api.call('segment', 'zoo', []);
    expect(slotOf(zoo2, 'student-pixelshuffle')).toMatchObject({ origin: 'shipped', modelId: null, mIoU: 0.99 });
    expect(slotOf(zoo2, 'student-bilinear')).toBeUndefined();
    expect(zoo2.shippedError).toBeNull();
    expect(third.events.some((e) => e.type === 'error')).toBe(false);
  }, 120_000);

  it('a better run fills the slot as before', async () => {
    const name = `zoo-choice-${db++}`;
    const files = await shippedFiles();
    // The same shipped student, but claiming 0 % mIoU: any run is at least as good.
    const json = JSON.parse(new TextDecoder().decode(files['low/student-pixelshuffle.json'])) as { provenance: { mIoU: number } };
    json.provenance.mIoU = 0;
    const { api, events, waitEnd, waitFor } = await engine(name, { ...files, 'low/student-pixelshuffle.json': enc(json) });
    expect((await api.start('segment', tiny({ upscale: 'pixelshuffle' }), 'g1')).ok).toBe(true);
    expect(await waitEnd('g1')).toBe('done');
    await waitFor(() => Boolean(slotOf(zoos(events).at(-1)!, 'student-pixelshuffle')?.modelId));
    const zoo = zoos(events).at(-1)!;
    expect(slotOf(zoo, 'student-pixelshuffle')).toMatchObject({ origin: 'g1' });
    expect(zoo.notice).toBeNull();
  }, 60_000);
});
