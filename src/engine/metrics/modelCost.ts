/** Parameter and compute counts of a classifier, from its JSON architecture alone (no tensors read). */
import type { Architecture, Classifier } from '../models/model';
import { modelLayout } from '../models/registry';

export interface LayerCost {
  /** Kernel name (conv HWIO or dense [in, out]). */
  name: string;
  params: number;
  macs: number;
}

/**
 * Counts for one forward pass of ONE image.
 * - `macs`: multiply-accumulates of convs (k·k·cin·cout·outSize²) and the dense layer (in·out).
 *   BN, ReLU, pooling and biases are not counted (BN folds into the conv at inference).
 * - `flops` = 2 · macs (one multiply + one add per MAC), the convention of "GFLOPs" tables that
 *   count both; the often-quoted "0.31 GFLOPs" of VGG-16 CIFAR is really `macs`.
 * - `params`: trainable scalars: conv kernels (no bias), BN γ and β (2 per channel), dense kernel and
 *   bias. BN running mean/variance are state, not parameters; this equals `countParams(store)`.
 */
export interface ModelCost {
  params: number;
  convParams: number;
  bnParams: number;
  denseParams: number;
  macs: number;
  flops: number;
  /** Convs in forward order, then the dense layer. */
  layers: LayerCost[];
}

/** Params and MACs of an architecture (conv kernels HWIO, NHWC activations; per image). */
export function architectureCost(arch: Architecture): ModelCost {
  const layout = modelLayout(arch);
  const layers: LayerCost[] = layout.convs.map(({ name, kernelShape: [kh, kw, cin, cout], outSize }) => {
    const params = kh * kw * cin * cout;
    return { name, params, macs: params * outSize * outSize };
  });
  const convParams = layers.reduce((n, l) => n + l.params, 0);
  // every conv is followed by exactly one BN over its output channels
  const bnParams = layout.convs.reduce((n, c) => n + 2 * c.kernelShape[3], 0);
  const { inFeatures, outFeatures } = layout.dense;
  const denseParams = inFeatures * outFeatures + outFeatures;
  layers.push({ name: layout.dense.kernel, params: denseParams, macs: inFeatures * outFeatures });
  const macs = layers.reduce((n, l) => n + l.macs, 0);
  return { params: convParams + bnParams + denseParams, convParams, bnParams, denseParams, macs, flops: 2 * macs, layers };
}

/** Params and MACs of a built classifier (from its architecture; per NHWC image). */
export function modelCost(model: Classifier): ModelCost {
  return architectureCost(model.architecture);
}
