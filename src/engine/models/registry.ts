/** Model factory by name. */
import type { ModelName } from '../../protocol/config';
import type { Classifier } from './model';
import { createResNet18 } from './resnet18';
import { createVgg16 } from './vgg16';

export interface ModelOptions {
  width: number;
  numClasses: number;
  inputSize: number;
  seed: number;
}

/** Build a classifier by its protocol name. */
export function createModel(name: ModelName, opts: ModelOptions): Classifier {
  switch (name) {
    case 'vgg16':
      return createVgg16(opts);
    case 'resnet18':
      return createResNet18(opts);
  }
}
