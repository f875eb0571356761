import { describe, expect, it } from 'vitest';
import { allowedChains, SEGMENT_LAB, SEG_CHAINS, SEG_MODELS, type SegConfig, type SegZooEntry, type SegZooInfo } from '../../../protocol/labs/segment';
import { affinityLabel, modelChange, pivotDatasets, pivotDelta, pixelShuffleOverhead, runModelLabel, sizeLabel, studentPivot, zooRows } from './segView';
import type { SegRunRecord } from './segView';

function entry(p: Partial<SegZooEntry>): SegZooEntry {
  return {
    slot: 'teacher',
    size: 'low',
    params: 1000,
    trainingParams: 1100,
    macs: 5000,
    upscaleParams: 0,
    upscaleMacs: 0,
    chain: 'none',
    steps: 10,
    seed: 1,
    mIoU: 0.5,
    dataset: 'streets-real',
    classNames: [],
    palette: [],
    origin: 'shipped',
    ...p,
  };
}

function run(c: Partial<SegConfig>, mIoU: number | null, status: SegRunRecord['status'] = 'done'): SegRunRecord {
  return {
    id: Math.random().toString(36),
    lab: 'segment',
    config: { ...SEGMENT_LAB.defaults(), ...c },
    status,
    startedAt: 0,
    endedAt: 0,
    datasetName: 'streets-real',
    stepsDone: 10,
    params: 10,
    error: null,
    series: {},
    hpChanges: [],
    extras: { segEval: mIoU === null ? [] : [{ step: 10, mIoU, pixelAccuracy: NaN, classNames: [], perClassIoU: [] }] },
    attachments: {},
  };
}

describe('modelChange', () => {
  it('always yields a chain the model allows', () => {
    for (const chain of SEG_CHAINS) for (const model of SEG_MODELS) expect(allowedChains(model)).toContain(modelChange({ chain }, model).chain);
  });
  it('keeps an allowed chain and maps teacher → tutor → student to teacher → tutor for the tutor', () => {
    expect(modelChange({ chain: 'teacher-student' }, 'student')).toEqual({ model: 'student', chain: 'teacher-student' });
    expect(modelChange({ chain: 'teacher-tutor-student' }, 'tutor')).toEqual({ model: 'tutor', chain: 'teacher-student' });
    expect(modelChange({ chain: 'teacher-tutor-student' }, 'teacher')).toEqual({ model: 'teacher', chain: 'none' });
  });
});

describe('zoo rows and the PixelShuffle overhead', () => {
  const zoo: SegZooInfo = {
    loading: false,
    shippedError: null,
    entries: [
      entry({ slot: 'student-bilinear', params: 2000, macs: 10_000 }),
      entry({ slot: 'student-pixelshuffle', params: 2050, macs: 10_500, upscaleParams: 300 }),
      entry({ slot: 'student-pixelshuffle', size: 'high', params: 9999 }),
    ],
  };
  it('gives one row per slot at the size, null where none is trained', () => {
    const rows = zooRows(zoo, 'low');
    expect(rows.map((r) => r.slot)).toEqual(['teacher', 'tutor', 'student-bilinear', 'student-pixelshuffle']);
    expect(rows.map((r) => r.entry?.params ?? null)).toEqual([null, null, 2000, 2050]);
  });
  it('subtracts the bilinear student from the PixelShuffle one', () => {
    expect(pixelShuffleOverhead(zooRows(zoo, 'low'))).toEqual({ params: 50, fraction: 0.025, upscaleParams: 300, macs: 500, macsFraction: 0.05 });
    expect(pixelShuffleOverhead(zooRows(zoo, 'high'))).toBeNull();
    expect(pixelShuffleOverhead(zooRows(null, 'low'))).toBeNull();
  });
});

describe('studentPivot', () => {
  const runs = [
    run({ chain: 'none', upscale: 'bilinear', size: 'low' }, 0.4),
    run({ chain: 'none', upscale: 'bilinear', size: 'low' }, 0.5),
    run({ chain: 'none', upscale: 'pixelshuffle', size: 'low' }, 0.55),
    run({ chain: 'none', upscale: 'pixelshuffle', size: 'low' }, 0.9, 'stopped'),
    run({ chain: 'none', upscale: 'pixelshuffle', size: 'low' }, null),
    run({ model: 'tutor', chain: 'none', upscale: 'bilinear', size: 'low' }, 0.99),
    run({ chain: 'teacher-tutor-student', upscale: 'pixelshuffle', size: 'high' }, 0.6),
    run({ chain: 'teacher-tutor-student', upscale: 'pixelshuffle', size: 'high', affinityLoss: 'ffa' }, 0.7),
    run({ chain: 'none', upscale: 'bilinear', size: 'low', dataset: 'ds-camvid' }, 0.95),
    run({ chain: 'none', upscale: 'ps-head4', size: 'low' }, 0.52),
    run({ chain: 'none', upscale: 'ps-agg', size: 'low', affinityLoss: 'fa' }, 0.7),
    run({ chain: 'none', upscale: 'bilinear', size: 'low', lovaszWeight: 1 }, 0.8),
    run({ chain: 'none', upscale: 'bilinear', size: 'low', startFrom: 'zoo' }, 0.85),
  ];
  const pivot = studentPivot(runs, SEG_CHAINS, 'streets-real');
  it('has columns size × (bilinear + the variants with a counted run, in UPSCALES order) and a row per chain', () => {
    expect(pivot.columns).toEqual([
      { upscale: 'bilinear', size: 'low' },
      { upscale: 'ps-head4', size: 'low' },
      { upscale: 'pixelshuffle', size: 'low' },
      { upscale: 'bilinear', size: 'high' },
      { upscale: 'ps-head4', size: 'high' },
      { upscale: 'pixelshuffle', size: 'high' },
    ]);
    expect(pivot.rows.map((r) => r.chain)).toEqual([...SEG_CHAINS]);
  });
  it('lists the datasets of finished student runs, one pivot each (a CamVid run never shares a cell with a street run)', () => {
    expect(pivotDatasets(runs).map((d) => d.id)).toEqual(expect.arrayContaining(['streets-real', 'ds-camvid']));
    expect(studentPivot(runs, SEG_CHAINS, 'ds-camvid').rows[0]!.cells[0]).toEqual({ n: 1, best: 0.95, mean: 0.95 });
  });
  it('counts finished student runs with an evaluation, from fresh weights, without the affinity or Lovász term only', () => {
    const none = pivot.rows[0]!.cells;
    expect(none[0]!.n).toBe(2);
    expect(none[0]!.best).toBeCloseTo(0.5);
    expect(none[0]!.mean).toBeCloseTo(0.45);
    expect(none[1]).toEqual({ n: 1, best: 0.52, mean: 0.52 });
    expect(none[2]).toEqual({ n: 1, best: 0.55, mean: 0.55 });
    expect(none[3]).toBeNull();
    expect(pivot.rows[2]!.cells[5]).toEqual({ n: 1, best: 0.6, mean: 0.6 });
  });
  it('gives each variant − bilinear at the same size (none for bilinear itself or a missing cell)', () => {
    const none = pivot.rows[0]!.cells;
    expect(pivotDelta(pivot, none, 2, 'best')).toBeCloseTo(0.05);
    expect(pivotDelta(pivot, none, 2, 'mean')).toBeCloseTo(0.1);
    expect(pivotDelta(pivot, none, 1, 'mean')).toBeCloseTo(0.07);
    expect(pivotDelta(pivot, none, 0, 'best')).toBeNull();
    expect(pivotDelta(pivot, pivot.rows[2]!.cells, 5, 'best')).toBeNull();
  });
});

describe('affinityLabel', () => {
  const base = { affinityLoss: 'ffa', affinityOrder: '2', affinityK: 15, affinityWeight: 1 } as const;
  it('names loss, order, k (FFA only) and weight', () => {
    expect(affinityLabel(base)).toBe('FFA₂ k=15 ×1');
    expect(affinityLabel({ ...base, affinityLoss: 'fa', affinityOrder: '1', affinityWeight: 0.5 })).toBe('FA₁ ×0.5');
    expect(affinityLabel({ ...base, affinityLoss: 'none' })).toBe('—');
  });
});

describe('sizeLabel', () => {
  it('shows height × width', () => expect(sizeLabel('low')).toBe('64×128 px'));
});

describe('runModelLabel', () => {
  it('names the teacher with its width, the tutor and students by kind', () => {
    expect(runModelLabel({ model: 'teacher', teacherWidth: '1/2' })).toBe('teacher w 1/2');
    expect(runModelLabel({ model: 'teacher', teacherWidth: '1/4' })).toBe('teacher w 1/4');
    expect(runModelLabel({ model: 'teacher', teacherWidth: '1/2', startFrom: 'zoo' })).toBe("teacher w 1/2, on from the zoo's");
    expect(runModelLabel({ model: 'student', teacherWidth: '1/2', startFrom: 'fresh' })).toBe('student');
    expect(runModelLabel({ model: 'student', teacherWidth: '1/2' })).toBe('student');
    expect(runModelLabel({ model: 'teacher', teacherWidth: '1/2', teacherHead: 'refined', startFrom: 'zoo' })).toBe(
      "teacher w 1/2, refined head, on from the zoo's",
    );
    expect(runModelLabel({ model: 'student', teacherWidth: '1/2', teacherHead: 'refined' })).toBe('student');
    expect(runModelLabel({ model: 'teacher', teacherWidth: '1/2', teacherHead: 'full' })).toBe('teacher w 1/2, refined head + full-res stage');
  });
});
