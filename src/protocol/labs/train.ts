/** The Train lab: a classifier (VGG-16 / ResNet-18, CIFAR variants) trained with SGD + Nesterov momentum. */
import { CLASSIFY_FIELDS, CLASSIFY_SERIES } from './classifyFields';
import { defineLab, phantom, type ConfigOf } from './spec';

export const TRAIN_LAB = defineLab({
  id: 'train',
  title: 'Train',
  fields: CLASSIFY_FIELDS,
  series: CLASSIFY_SERIES,
  extras: {},
  calls: phantom<Record<never, never>>(),
  pushes: phantom<Record<never, never>>(),
});

export type TrainConfig = ConfigOf<typeof CLASSIFY_FIELDS>;
