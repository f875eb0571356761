/** The settings every image-classification lab shares (Train and Prune): model, data, optimiser, evaluation. */
import { BUILTIN_DATASET_ID, DATASET_ID_PATTERN } from '../datasets';
import { WIDTH_CHOICES } from '../numberSpec';
import type { Fields } from './spec';

export const MODELS = ['vgg16', 'resnet18'] as const;
export type ModelName = (typeof MODELS)[number];

export const CLASSIFY_FIELDS = {
  model: {
    kind: 'enum',
    label: 'Model',
    options: MODELS,
    default: 'vgg16',
    optionLabels: { vgg16: 'VGG-16 (CIFAR variant)', resnet18: 'ResNet-18 (CIFAR variant)' },
  },
  /** 'shapes' (built-in) or the id of an imported dataset. */
  dataset: {
    kind: 'id',
    label: 'Dataset',
    default: BUILTIN_DATASET_ID,
    pattern: DATASET_ID_PATTERN,
    what: 'a dataset id',
    message: 'must be "shapes" or an imported dataset id',
  },
  /** Random crop (padding 4) and horizontal flip of every training image. */
  augment: { kind: 'boolean', label: 'Augment (random crop + flip)', default: true },
  width: { label: 'Width multiplier', min: 1 / 16, max: 1, default: 1 / 4, scale: 'log', choices: WIDTH_CHOICES },
  batchSize: { label: 'Batch size', min: 1, max: 256, default: 32, scale: 'log', integer: true },
  steps: { label: 'Training steps', min: 1, max: 100_000, default: 600, scale: 'log', integer: true },
  // 0.02, not §1's 0.1: in browser-scale runs (a few hundred steps, no warm-up) VGG-16 at lr 0.1 stalled at chance.
  lr: { label: 'Learning rate', min: 1e-5, max: 1, default: 0.02, scale: 'log', live: true },
  momentum: { label: 'Momentum', min: 0, max: 0.99, default: 0.9, scale: 'linear', live: true },
  weightDecay: { label: 'Weight decay', min: 0, max: 1e-2, default: 5e-4, scale: 'linear', live: true },
  evalEvery: { label: 'Evaluate every (steps)', min: 1, max: 10_000, default: 50, scale: 'log', integer: true },
  trainSize: { label: 'Training images', min: 64, max: 50_000, default: 5_000, scale: 'log', integer: true },
  testSize: { label: 'Test images', min: 16, max: 10_000, default: 1_000, scale: 'log', integer: true },
  seed: { label: 'Seed', min: 0, max: 2_147_483_647, default: 1, scale: 'linear', integer: true },
} as const satisfies Fields;

/** The series every classification run reports. */
export const CLASSIFY_SERIES = ['train.loss', 'train.acc', 'test.acc', 'test.loss'] as const;
