/** Model factory by name or by JSON architecture, and architecture-level helpers (layout, channel plan). */
import type { ModelName } from '../../protocol/labs';
import type { Architecture, Classifier, ModelLayout } from './model';
import { buildResNet18, resnetArchitecture, resnetLayout } from './resnet18';
import { buildVgg16, vggArchitecture, vggLayout } from './vgg16';

export interface ModelOptions {
  width: number;
  numClasses: number;
  inputSize: number;
  seed: number;
}

/** The JSON architecture of a named model at a uniform width multiplier. */
export function modelArchitecture(name: ModelName, opts: Omit<ModelOptions, 'seed'>): Architecture {
  return name === 'vgg16' ? vggArchitecture(opts) : resnetArchitecture(opts);
}

/** Build a classifier by its protocol name (uniform width multiplier). */
export function createModel(name: ModelName, opts: ModelOptions): Classifier {
  return buildModel(modelArchitecture(name, opts), opts.seed);
}

/** Build a classifier from a JSON architecture (e.g. a compacted plan); variables seeded by `seed`. */
export function buildModel(arch: Architecture, seed = 0): Classifier {
  switch (arch.model) {
    case 'vgg16':
      return buildVgg16(arch, seed);
    case 'resnet18':
      return buildResNet18(arch, seed);
  }
}

/** Conv shapes (HWIO), dense size and channel spaces of an architecture, without building tensors. */
export function modelLayout(arch: Architecture): ModelLayout {
  return arch.model === 'vgg16' ? vggLayout(arch) : resnetLayout(arch);
}

/** The channel plan as one list, in the order of `modelLayout(arch).spaces` (ResNet: stages, then inner). */
export function planSizes(arch: Architecture): number[] {
  return arch.model === 'vgg16' ? [...arch.channels] : [...arch.channels.stages, ...arch.channels.inner];
}

/** A copy of `arch` whose channel plan is `sizes` (same order as `planSizes`). */
export function withPlanSizes(arch: Architecture, sizes: readonly number[]): Architecture {
  const expected = planSizes(arch).length;
  if (sizes.length !== expected) throw new Error(`A ${arch.model} plan has ${expected} channel counts, got ${sizes.length}.`);
  if (arch.model === 'vgg16') return { ...arch, channels: [...sizes] };
  const stages = arch.channels.stages.length;
  return { ...arch, channels: { stages: sizes.slice(0, stages), inner: sizes.slice(stages) } };
}
