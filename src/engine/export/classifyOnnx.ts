/**
 * ONNX graphs of the Prune lab's classifiers (TECHNIQUES.md §1): VGG-16 and ResNet-18, dense or compacted — a compact
 * model is the same architecture with a smaller channel plan, so the graph is rebuilt from `architecture` and the
 * store's tensors (whose shapes carry the plan). Input NCHW `[N, 3, S, S]`, output logits `[N, classes]`.
 */
import type { Classifier, ResNetArchitecture } from '../models/model';
import { conv1Pad, RESNET18_STAGES } from '../models/resnet18';
import { VGG16_PLAN } from '../models/vgg16';
import { basicBlock, convBn, convBnNamed, flattenDense, globalAvgPool, maxPool2, type Ctx, type Value } from './onnxLayers';

/** VGG-16 (`models/vgg16.ts`): 13 × conv3×3-BN-ReLU with 2×2 max-pools at the plan's 'M's, NCHW flatten, dense. */
function vgg16Graph(ctx: Ctx, x: Value): string {
  let h = x;
  let i = 0;
  for (const item of VGG16_PLAN) {
    if (item === 'M') h = maxPool2(ctx, h);
    else {
      h = convBnNamed(ctx, h, `conv${i}.kernel`, `bn${i}`, 'relu');
      i++;
    }
  }
  return flattenDense(ctx, h, 'fc.kernel', 'fc.bias');
}

/**
 * ResNet-18 (`models/resnet18.ts`): stem conv-BN-ReLU, 8 BasicBlocks (stride 2 first in stages 2–4), global average pool,
 * dense. The stride-2 3×3 convs write pads [1, 1, 1, 1] under `stridePad` 'symmetric' (PyTorch's), tfjs 'same' pads
 * (bottom/right) under 'same' (models saved before).
 */
function resnet18Graph(ctx: Ctx, x: Value, arch: ResNetArchitecture): string {
  let h = convBn(ctx, x, 'stem', 'relu');
  RESNET18_STAGES.forEach((stage, s) => {
    for (let b = 0; b < stage.blocks; b++) {
      const stride = b === 0 ? stage.stride : 1;
      h = basicBlock(ctx, h, `layer${s + 1}.${b}`, stride, conv1Pad(stride, arch.stridePad));
    }
  });
  return flattenDense(ctx, globalAvgPool(ctx, h), 'fc.kernel', 'fc.bias');
}

/** The logits `[N, classes]` of a VGG-16 / ResNet-18 classifier on the NCHW input `x`. */
export function classifierGraph(ctx: Ctx, model: Classifier, x: Value): string {
  const arch = model.architecture;
  return arch.model === 'vgg16' ? vgg16Graph(ctx, x) : resnet18Graph(ctx, x, arch);
}
