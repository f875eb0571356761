/** Test-only: run records exactly as the workbench stored them before the run history had one shape for every lab, and a compaction report. */
import type { CompactionReport } from '../protocol/labs/prune';
import type { LegacyRunRecord, LegacySegRunRecord } from './runMigration';

/** A compaction report of a run 'r1' (tests of the run history and the Prune lab's run summary). */
export const COMPACTION_FIXTURE: CompactionReport = {
  runId: 'r1',
  before: { params: 1_000_000, macs: 40_000_000, latencyMs: 3 },
  after: { params: 400_000, macs: 15_000_000, latencyMs: 1.5 },
  maxAbsDiff: 1e-6,
  batchSize: 32,
  layers: [{ name: 'c1', before: 16, after: 12 }],
  testAccuracy: 0.62,
  backend: 'cpu',
};

/** A Prune run in 'pdw-runs' version 1 (config with every Train/Prune key, a summary, a layer history, a compaction). */
export const LEGACY_PRUNE_RUN: LegacyRunRecord = {
  id: 'run-legacy-prune',
  lab: 'prune',
  config: {
    model: 'vgg16',
    dataset: 'shapes',
    augment: true,
    method: 'rgsm',
    prox: 'hard',
    grouping: 'input',
    schedule: 'step',
    width: 0.0625,
    batchSize: 4,
    steps: 20,
    lr: 0.05,
    momentum: 0.9,
    weightDecay: 0.0005,
    evalEvery: 5,
    trainSize: 64,
    testSize: 16,
    seed: 1,
    lambda1: 2,
    lambda2: 1e-5,
    beta: 1,
    lambdaGL: 1e-4,
    zeroThreshold: 1e-15,
  },
  status: 'stopped',
  startedAt: 1_764_000_000_000,
  endedAt: 1_764_000_030_000,
  datasetName: 'Shapes & textures (built-in)',
  summary: { params: 58_000, steps: 12 },
  series: { 'test.acc': { steps: [5, 10], values: [0.125, 0.1875] }, 'sparsity.channel': { steps: [5, 10], values: [0.2, 0.45] } },
  hpChanges: [{ step: 7, key: 'lambda1', from: 2, to: 3 }],
  layerHistory: {
    names: ['conv1', 'conv2'],
    steps: [5, 10],
    rows: [
      [0, 0.25],
      [0.5, 0.5],
    ],
  },
  compaction: {
    runId: 'run-legacy-prune',
    before: { params: 58_000, macs: 1_000_000, latencyMs: 2 },
    after: { params: 20_000, macs: 300_000, latencyMs: 1 },
    maxAbsDiff: 2e-7,
    batchSize: 16,
    layers: [{ name: 'conv1', before: 4, after: 2 }],
    testAccuracy: 0.1875,
    backend: 'wasm',
  },
};

/** A Train run in 'pdw-runs' version 1 (its config still had the Prune keys then). */
export const LEGACY_TRAIN_RUN: LegacyRunRecord = {
  ...LEGACY_PRUNE_RUN,
  id: 'run-legacy-train',
  lab: 'train',
  config: { ...LEGACY_PRUNE_RUN.config, method: 'none' },
  startedAt: 1_764_000_100_000,
  layerHistory: null,
  compaction: null,
};

/** A Segment run in its own database 'pdw-seg-runs'. */
export const LEGACY_SEG_RUN: LegacySegRunRecord = {
  id: 'seg-legacy',
  config: {
    model: 'student',
    chain: 'teacher-student',
    upscale: 'pixelshuffle',
    size: 'low',
    dataset: 'streets',
    flip: true,
    batchSize: 2,
    steps: 6,
    lr: 0.05,
    momentum: 0.9,
    weightDecay: 0.0005,
    alpha: 1,
    temperature: 1,
    auxWeight: 0.2,
    ohemThreshold: 0.7,
    evalEvery: 2,
    trainSize: 16,
    testSize: 4,
    seed: 1,
  },
  status: 'done',
  startedAt: 1_764_000_200_000,
  endedAt: 1_764_000_260_000,
  stepsDone: 6,
  params: 566_480,
  mIoU: 0.21,
  pixelAccuracy: 0.6,
  perClassIoU: [0.5, 0.4, 0.3, null, 0.1, 0, 0, 0],
  classNames: ['sky', 'building', 'road', 'sidewalk', 'vegetation', 'car', 'person', 'pole'],
  hpChanges: [],
  error: null,
  miouSeries: { steps: [2, 4, 6], values: [0.1, 0.15, 0.21] },
};
